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
import { runWrangler } from './wrangler.ts';

/** Where a publish goes: local state (optionally a chosen folder) or the real namespace. */
export type PublishTarget = { local: true; persistTo?: string } | { local: false };

/** Publishes `build`; resolves once wrangler has written every key. */
export async function publishBuild(build: ClientBuild, target: PublishTarget, now = Date.now()): Promise<number> {
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
    const where = target.local
      ? ['--local', ...(target.persistTo ? ['--persist-to', target.persistTo] : [])]
      : ['--remote'];
    await runWrangler(['kv', 'bulk', 'put', file, '--binding', 'ASSETS_KV', ...where]);
    return entries.length;
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
