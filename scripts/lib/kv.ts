/**
 * Reads and deletes client builds in the assets KV namespace with wrangler,
 * local or remote (shared/assets.ts has the layout).
 */
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import * as z from 'zod/mini';
import { assetKeys, buildInfoSchema, manifestMetaSchema } from '../../shared/index.ts';
import type { ManifestBuild } from './assets-gc.ts';
import { runWrangler, type StateTarget, stateFlags, wranglerJson } from './wrangler.ts';

const keyListSchema = z.array(z.object({ name: z.string(), metadata: manifestMetaSchema }));

/** Every build in the manifest, with its publish time and asset paths. */
export async function readManifest(target: StateTarget): Promise<ManifestBuild[]> {
  const flags = ['--binding', 'ASSETS_KV', ...stateFlags(target)];
  const keys = keyListSchema.parse(
    await wranglerJson(['kv', 'key', 'list', '--prefix', assetKeys.manifestPrefix, ...flags]),
  );
  const builds: ManifestBuild[] = [];
  // One at a time: each `wrangler kv` call is a workerd of its own, and several opening
  // the same local SQLite at once fail now and then with SQLITE_BUSY_RECOVERY.
  for (const key of keys) {
    const info = buildInfoSchema.parse(await wranglerJson(['kv', 'key', 'get', key.name, '--text', ...flags]));
    builds.push({ id: info.id, publishedAt: key.metadata.publishedAt, files: info.files.map((file) => file.path) });
  }
  return builds;
}

/** Deletes `keys` in one `wrangler kv bulk delete`. */
export async function deleteKeys(keys: string[], target: StateTarget): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'haru-gc-'));
  try {
    const file = join(dir, 'keys.json');
    await writeFile(file, JSON.stringify(keys));
    await runWrangler(['kv', 'bulk', 'delete', file, '--binding', 'ASSETS_KV', '--force', ...stateFlags(target)]);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
