/**
 * Writes a client build into the assets KV namespace, local or remote, with
 * `wrangler kv bulk put`. It only ever puts keys (shared/assets.ts), so every
 * file of every earlier build stays where it was.
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { publishEntries } from '../../shared/index.ts';
import type { ClientBuild } from './client-build.ts';
import { runWrangler, type StateTarget, stateFlags } from './wrangler.ts';

/** Publishes `build`; resolves once wrangler has written every key. */
export async function publishBuild(build: ClientBuild, target: StateTarget, now = Date.now()): Promise<number> {
  const entries = publishEntries(build.info, build.files, build.indexHtml, now).map((entry) => ({
    key: entry.key,
    value: Buffer.from(entry.value).toString('base64'),
    base64: true,
    metadata: entry.metadata,
  }));
  const dir = await mkdtemp(join(tmpdir(), 'haru-publish-'));
  try {
    const file = join(dir, 'entries.json');
    await writeFile(file, JSON.stringify(entries));
    await runWrangler(['kv', 'bulk', 'put', file, '--binding', 'ASSETS_KV', ...stateFlags(target)]);
    return entries.length;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
