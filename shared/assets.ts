/**
 * The KV layout of versioned client builds (DESIGN §5), shared by the publish
 * script (Node) and the worker, so both read and write the same keys.
 *
 * - `asset/<path>`: a hashed file; the hash is in its name, so a file that did
 *   not change between builds is one key shared by both.
 * - `build/<id>/index.html`: the page of one build.
 * - `manifest/<id>`: one entry per build (id, API level, publish time).
 *
 * Publishing only ever puts keys; nothing here deletes.
 */
import * as z from 'zod/mini';
import { buildIdSchema } from './schemas.ts';

/** Public path of a hashed asset: `/assets/<name>-<hash>.<ext>`, nothing else. */
export const ASSET_PATH =
  /^\/assets\/[A-Za-z0-9_]+(?:[.-][A-Za-z0-9_]+)*-[A-Za-z0-9]{8,}\.(?:js|css|svg|png|woff2|map|webmanifest)$/;

const CONTENT_TYPES: Record<string, string> = {
  js: 'text/javascript; charset=utf-8',
  css: 'text/css; charset=utf-8',
  svg: 'image/svg+xml',
  png: 'image/png',
  woff2: 'font/woff2',
  map: 'application/json; charset=utf-8',
  webmanifest: 'application/manifest+json; charset=utf-8',
  html: 'text/html; charset=utf-8',
};

/** Content type by file extension; unknown extensions are served as bytes. */
export function contentTypeOf(path: string): string {
  const ext = path.slice(path.lastIndexOf('.') + 1);
  return CONTENT_TYPES[ext] ?? 'application/octet-stream';
}

/** One file of a build as the manifest records it. */
export const buildFileSchema = z.object({
  path: z.string().check(z.regex(/^assets\/[^/]+$/)),
  contentType: z.string(),
  etag: z.string(),
  size: z.int().check(z.nonnegative()),
});
export type BuildFile = z.infer<typeof buildFileSchema>;

/** What `npm run build` writes to dist/build.json and the worker is built with. */
export const buildInfoSchema = z.object({
  id: buildIdSchema,
  apiLevel: z.int().check(z.positive()),
  version: z.string(),
  files: z.array(buildFileSchema),
});
export type BuildInfo = z.infer<typeof buildInfoSchema>;

/** KV metadata stored with every asset and page, so a read needs no second lookup. */
export const assetMetaSchema = z.object({ contentType: z.string(), etag: z.string() });
export type AssetMeta = z.infer<typeof assetMetaSchema>;

/** KV metadata of a manifest entry: enough to list builds without reading values. */
export const manifestMetaSchema = z.object({ apiLevel: z.int(), publishedAt: z.int() });
export type ManifestMeta = z.infer<typeof manifestMetaSchema>;

/** KV keys of the layout above. */
export const assetKeys = {
  asset: (path: string) => `asset/${path}`,
  index: (buildId: string) => `build/${buildId}/index.html`,
  manifest: (buildId: string) => `manifest/${buildId}`,
  manifestPrefix: 'manifest/',
} as const;

/** One KV write of a publish: a key, its bytes and metadata. */
export interface PublishEntry {
  key: string;
  value: Uint8Array;
  metadata: AssetMeta | ManifestMeta;
}

/**
 * Everything one build puts into KV. The page and manifest go last, so a
 * reader that finds a build's manifest entry finds all its files too.
 */
export function publishEntries(
  build: BuildInfo,
  files: ReadonlyMap<string, Uint8Array>,
  indexHtml: Uint8Array,
  publishedAt: number,
): PublishEntry[] {
  const entries: PublishEntry[] = build.files.map((file) => {
    const value = files.get(file.path);
    if (!value) throw new Error(`build ${build.id} lists ${file.path} but the file is missing`);
    return { key: assetKeys.asset(file.path), value, metadata: { contentType: file.contentType, etag: file.etag } };
  });
  entries.push({
    key: assetKeys.index(build.id),
    value: indexHtml,
    metadata: { contentType: contentTypeOf('index.html'), etag: `"${build.id}"` },
  });
  entries.push({
    key: assetKeys.manifest(build.id),
    value: new TextEncoder().encode(JSON.stringify(build)),
    metadata: { apiLevel: build.apiLevel, publishedAt },
  });
  return entries;
}
