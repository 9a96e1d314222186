/**
 * Test helpers: fake client builds published into the test KV exactly the way
 * the publish script does it (shared/assets.ts `publishEntries`), so worker
 * tests need no esbuild run and can stand up any number of builds.
 */
import { env } from 'cloudflare:test';
import { expect } from 'vitest';
import { type BuildInfo, buildInfoSchema, COMPAT, contentTypeOf, publishEntries } from '../../shared/index.ts';
import { createApp } from '../../worker/app.ts';

const encoder = new TextEncoder();

/** The ETag a build gives a file: the first 32 hex digits of its SHA-256, quoted (scripts/lib/client-build.ts). */
export async function etagOf(bytes: Uint8Array): Promise<string> {
  const digest = new Uint8Array(await crypto.subtle.digest('SHA-256', bytes));
  const hex = [...digest].map((byte) => byte.toString(16).padStart(2, '0')).join('');
  return `"${hex.slice(0, 32)}"`;
}

/** A build in memory, shaped like the one `npm run build` produces. */
export interface FakeBuild {
  info: BuildInfo;
  files: Map<string, Uint8Array>;
  indexHtml: Uint8Array;
  /** The page as text, for comparing bodies. */
  html: string;
}

/**
 * Makes a build from `{ 'assets/<name>-<hash>.<ext>': text }`. Its page names
 * its build id and API level like client/index.html does.
 */
export async function fakeBuild(id: string, files: Record<string, string>, apiLevel = 1): Promise<FakeBuild> {
  const bytes = new Map(Object.entries(files).map(([path, text]) => [path, encoder.encode(text)] as const));
  const entries = await Promise.all(
    [...bytes].map(async ([path, value]) => ({
      path,
      contentType: contentTypeOf(path),
      etag: await etagOf(value),
      size: value.length,
    })),
  );
  entries.sort((a, b) => a.path.localeCompare(b.path));
  const script = entries.find((file) => file.path.endsWith('.js'))?.path ?? 'assets/none.js';
  const html = [
    '<!doctype html>',
    `<html lang="en"><head><meta name="haru-build" content="${id}" /><meta name="haru-api" content="${apiLevel}" />`,
    `<script type="module" src="/${script}"></script></head><body><div id="app"></div></body></html>`,
  ].join('\n');
  const info = buildInfoSchema.parse({ id, apiLevel, version: '0.0.0-test', files: entries });
  return { info, files: bytes, indexHtml: encoder.encode(html), html };
}

/** Publishes `build` into the test KV with the same entries the publish script writes. */
export async function publish(build: FakeBuild, publishedAt = Date.now()): Promise<void> {
  for (const entry of publishEntries(build.info, build.files, build.indexHtml, publishedAt)) {
    await env.ASSETS_KV.put(entry.key, entry.value, { metadata: entry.metadata });
  }
}

/** Build A: an entry script, a stylesheet, a lazy chunk only it has, and a chunk it shares with B. */
export const SHARED_CHUNK = 'export const shared = "unchanged between A and B";\n';
export function buildA(id = 'aaaaaaaaaaaaaaaa', apiLevel = 1): Promise<FakeBuild> {
  return fakeBuild(
    id,
    {
      'assets/main-AAAAAAAA.js': 'import "./chunk-SHARED01.js"; console.log("build A");\n',
      'assets/main-AAAAAAAA.css': 'body { color: #a00; }\n',
      'assets/chunk-AONLY001.js': 'export const lazy = "only in A";\n',
      'assets/chunk-SHARED01.js': SHARED_CHUNK,
    },
    apiLevel,
  );
}

/** Build B: new entry, stylesheet and lazy chunk; the shared chunk byte for byte as in A. */
export function buildB(id = 'bbbbbbbbbbbbbbbb', apiLevel = 1): Promise<FakeBuild> {
  return fakeBuild(
    id,
    {
      'assets/main-BBBBBBBB.js': 'import "./chunk-SHARED01.js"; console.log("build B");\n',
      'assets/main-BBBBBBBB.css': 'body { color: #00b; }\n',
      'assets/chunk-BONLY001.js': 'export const lazy = "only in B";\n',
      'assets/chunk-SHARED01.js': SHARED_CHUNK,
    },
    apiLevel,
  );
}

/** The worker for `build`, as `worker/index.ts` would build it. */
export function appFor(build: FakeBuild | Pick<BuildInfo, 'id' | 'apiLevel'>) {
  return createApp({ build: 'info' in build ? build.info : build });
}

/** One KV entry as stored: value bytes (hex) and metadata. */
export interface KvRecord {
  value: string;
  metadata: unknown;
}

/** Every key of the assets KV with its bytes and metadata, for before/after comparisons. */
export async function snapshotKv(): Promise<Map<string, KvRecord>> {
  const snapshot = new Map<string, KvRecord>();
  let cursor: string | undefined;
  do {
    const page = await env.ASSETS_KV.list(cursor ? { cursor } : {});
    for (const key of page.keys) {
      const found = await env.ASSETS_KV.getWithMetadata(key.name, { type: 'arrayBuffer' });
      if (!found.value) throw new Error(`KV listed ${key.name} but has no value for it`);
      const value = [...new Uint8Array(found.value)].map((byte) => byte.toString(16).padStart(2, '0')).join('');
      snapshot.set(key.name, { value, metadata: found.metadata });
    }
    cursor = page.list_complete ? undefined : page.cursor;
  } while (cursor);
  return snapshot;
}

/** Bytes of a response body, for byte-for-byte comparisons. */
export async function bodyBytes(res: Response): Promise<Uint8Array> {
  return new Uint8Array(await res.arrayBuffer());
}

/** A JSON error body: asserts the `{error, message}` shape and the code, returns the body. */
export async function expectJsonError(res: Response, status: number, code: string): Promise<Record<string, unknown>> {
  expect(res.status).toBe(status);
  expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
  const body = (await res.json()) as Record<string, unknown>;
  expect(body).toMatchObject({ error: code, message: expect.any(String) });
  expect((body.message as string).length).toBeGreaterThan(0);
  return body;
}

/** Asserts the compat headers every answer carries (DESIGN §4). */
export function expectVersionHeaders(res: Response, range: string): void {
  expect(res.headers.get(COMPAT.versionHeader)).toBe(env.CF_VERSION_METADATA.tag || env.CF_VERSION_METADATA.id);
  expect(res.headers.get(COMPAT.versionHeader)).toMatch(/\S/);
  expect(res.headers.get(COMPAT.rangeHeader)).toBe(range);
}
