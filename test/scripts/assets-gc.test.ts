/** assets:gc: the planner's rules, and a real run against local KV published with publishBuild. */
import assert from 'node:assert/strict';
import { execFile, execFileSync } from 'node:child_process';
import { once } from 'node:events';
import { createServer } from 'node:http';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { promisify } from 'node:util';
import { planAssetsGc, type GcInput } from '../../scripts/lib/assets-gc.ts';
import { ROOT, type ClientBuild } from '../../scripts/lib/client-build.ts';
import { readManifest } from '../../scripts/lib/kv.ts';
import { publishBuild } from '../../scripts/lib/publish.ts';
import { wranglerJson } from '../../scripts/lib/wrangler.ts';

const DAY = 24 * 60 * 60 * 1000;
const NOW = 100 * DAY;
const build = (id: string, days: number, files: string[]) => ({ id, publishedAt: NOW - days * DAY, files });
const INPUT: GcInput = {
  builds: [
    build('old', 30, ['assets/shared-aaaaaaaa.js', 'assets/old-bbbbbbbb.js']),
    build('live', 20, ['assets/shared-aaaaaaaa.js', 'assets/live-cccccccc.js']),
    build('recent', 2, ['assets/recent-dddddddd.js']),
  ],
  live: ['live'],
  lastRequested: new Map(),
  now: NOW,
  retentionMs: 7 * DAY,
};

describe('planAssetsGc', () => {
  it('deletes a build neither live nor requested, and only the assets no kept build shares', () => {
    const plan = planAssetsGc(INPUT);
    assert.ok(plan.ok);
    assert.deepEqual(plan.keep, ['live', 'recent']);
    assert.deepEqual(plan.remove, ['old']);
    assert.deepEqual(plan.keys, ['asset/assets/old-bbbbbbbb.js', 'build/old/index.html', 'manifest/old']);
  });

  it('keeps a build a client asked for within the window, whatever its age', () => {
    const plan = planAssetsGc({ ...INPUT, lastRequested: new Map([['old', NOW - DAY]]) });
    assert.ok(plan.ok);
    assert.deepEqual(plan.remove, []);
    assert.deepEqual(plan.keys, []);
  });

  it('with a zero window, deletes every build not live', () => {
    const plan = planAssetsGc({ ...INPUT, retentionMs: 0, lastRequested: new Map([['recent', NOW - 1]]) });
    assert.ok(plan.ok);
    assert.deepEqual(plan.remove, ['old', 'recent']);
  });

  it('refuses without live builds, or with one the manifest does not have', () => {
    assert.equal(planAssetsGc({ ...INPUT, live: [] }).ok, false);
    const plan = planAssetsGc({ ...INPUT, live: ['typo'] });
    assert.ok(!plan.ok);
    assert.match(plan.problems.join('\n'), /live build typo is not in the manifest/);
  });
});

/** A small build with one asset shared with the other builds and one of its own. */
function fakeBuild(id: string): ClientBuild {
  const file = (path: string) => ({ path, contentType: 'text/javascript; charset=utf-8', etag: `"${path}"`, size: 1 });
  const own = `assets/own-${id}.js`;
  return {
    info: { id, apiLevel: 2, version: '2.0.0', files: [file('assets/shared-aaaaaaaa.js'), file(own)] },
    files: new Map([
      ['assets/shared-aaaaaaaa.js', new TextEncoder().encode('shared')],
      [own, new TextEncoder().encode(id)],
    ]),
    indexHtml: new TextEncoder().encode(`<html>${id}</html>`),
    initialJs: [],
  };
}

describe('npm run assets:gc on local KV', () => {
  it('lists on --dry-run, then deletes only the unused build and its own asset', async () => {
    const persistTo = await mkdtemp(join(tmpdir(), 'haru-gc-test-'));
    try {
      const target = { local: true, persistTo } as const;
      await publishBuild(fakeBuild('aaaaaaaaaaaaaaaa'), target, Date.now() - 30 * DAY);
      await publishBuild(fakeBuild('bbbbbbbbbbbbbbbb'), target, Date.now() - 30 * DAY);
      await publishBuild(fakeBuild('cccccccccccccccc'), target);
      const gc = (...args: string[]) =>
        execFileSync(process.execPath, ['scripts/assets-gc.ts', '--local', '--persist-to', persistTo, '--live', 'bbbbbbbbbbbbbbbb', ...args], {
          cwd: ROOT,
          encoding: 'utf8',
        });
      const keys = async () =>
        ((await wranglerJson(['kv', 'key', 'list', '--binding', 'ASSETS_KV', '--local', '--persist-to', persistTo])) as { name: string }[])
          .map((k) => k.name)
          .sort();
      const before = await keys();
      assert.equal(before.length, 10);

      const dry = gc('--dry-run');
      assert.match(dry, /delete builds: aaaaaaaaaaaaaaaa\n/);
      assert.match(dry, /asset\/assets\/own-aaaaaaaaaaaaaaaa\.js/);
      assert.deepEqual(await keys(), before);

      gc();
      assert.deepEqual(
        await keys(),
        before.filter((k) => !k.includes('aaaaaaaaaaaaaaaa')),
      );
      assert.ok((await keys()).includes('asset/assets/shared-aaaaaaaa.js'));
      assert.deepEqual((await readManifest(target)).map((b) => b.id).sort(), ['bbbbbbbbbbbbbbbb', 'cccccccccccccccc']);
    } finally {
      await rm(persistTo, { recursive: true, force: true });
    }
  });

  it('with --telemetry, keeps an old build a client asked for within --keep-days (read from /ops/api/builds)', async () => {
    const persistTo = await mkdtemp(join(tmpdir(), 'haru-gc-test-'));
    const asked: string[] = [];
    const server = createServer((req, res) => {
      asked.push(`${req.url} ${req.headers.authorization}`);
      res.setHeader('content-type', 'application/json');
      res.end(JSON.stringify({ days: 10, from: 0, builds: [{ build: 'aaaaaaaaaaaaaaaa', lastRequested: Date.now() - 2 * DAY }] }));
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const { port } = server.address() as { port: number };
    try {
      const target = { local: true, persistTo } as const;
      await publishBuild(fakeBuild('aaaaaaaaaaaaaaaa'), target, Date.now() - 30 * DAY);
      await publishBuild(fakeBuild('bbbbbbbbbbbbbbbb'), target, Date.now() - 30 * DAY);
      await publishBuild(fakeBuild('dddddddddddddddd'), target, Date.now() - 30 * DAY);
      const gc = (...args: string[]) =>
        promisify(execFile)(process.execPath, ['scripts/assets-gc.ts', '--local', '--persist-to', persistTo, '--live', 'bbbbbbbbbbbbbbbb', ...args], {
          cwd: ROOT,
          env: { ...process.env, OPS_TOKEN: 'gc-test-token' },
        });
      const { stdout } = await gc('--telemetry', `http://127.0.0.1:${port}`, '--keep-days', '9.5', '--dry-run');
      assert.deepEqual(asked, ['/ops/api/builds?days=10 Bearer gc-test-token']);
      assert.match(stdout, /keep builds: aaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbb\n/);
      assert.match(stdout, /delete builds: dddddddddddddddd\n/);

      // D1 keeps 30 days of telemetry: a longer window is refused before anything is asked or deleted.
      const refused = await gc('--telemetry', `http://127.0.0.1:${port}`, '--keep-days', '31').then(
        () => assert.fail('a 31-day window was accepted'),
        (error: { code: number; stderr: string }) => error,
      );
      assert.equal(refused.code, 2);
      assert.equal(refused.stderr, '--keep-days 31 with --telemetry: D1 keeps 30 days of telemetry, so older requests are unknown\n');
      // An unreachable worker: one line saying so, exit 1, nothing deleted.
      const unreachable = await gc('--telemetry', 'http://127.0.0.1:1', '--keep-days', '7').then(
        () => assert.fail('gc went on without telemetry'),
        (error: { code: number; stderr: string }) => error,
      );
      assert.equal(unreachable.code, 1);
      assert.match(unreachable.stderr, /^could not read when builds were last requested: fetch failed\n$/);
      assert.equal(asked.length, 1);
      assert.equal((await readManifest(target)).length, 3);
    } finally {
      server.close();
      await rm(persistTo, { recursive: true, force: true });
    }
  });
});
