/**
 * `startDevServer` on a shared machine: three `wrangler dev`s started at the
 * same moment all come up. Left to itself, wrangler gives each the devtools
 * port 9229 when it looks free, and all but the first to bind it die with
 * "Address already in use"; each now gets a port of its own.
 */
import assert from 'node:assert/strict';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { test } from 'node:test';
import { freePort, startDevServer, statusOf } from '../../scripts/lib/dev-server.ts';

// Three wrangler starts side by side: 5-10 s when idle, up to a minute on a busy 2-core machine.
test('three wrangler devs started together all come up', { timeout: 150_000 }, async () => {
  const dir = await mkdtemp(join(tmpdir(), 'haru-dev-server-'));
  try {
    await writeFile(join(dir, 'index.js'), "export default { fetch: () => new Response('up') };\n");
    const config = join(dir, 'wrangler.json');
    await writeFile(
      config,
      JSON.stringify({ name: 'dev-server-test', main: join(dir, 'index.js'), compatibility_date: '2025-01-01' }),
    );
    const start = async (n: number) =>
      startDevServer({
        configs: [config],
        persistTo: join(dir, `state-${n}`),
        port: await freePort(),
        ready: async (url) => (await statusOf(url)) === 200,
      });
    const started = await Promise.allSettled([1, 2, 3].map(start));
    try {
      for (const result of started)
        assert.equal(result.status, 'fulfilled', result.status === 'rejected' ? String(result.reason) : '');
    } finally {
      await Promise.all(started.map((result) => (result.status === 'fulfilled' ? result.value.stop() : undefined)));
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
});
