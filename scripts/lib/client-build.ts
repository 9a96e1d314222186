/**
 * Builds the client into a versioned build (DESIGN §5): content-hashed files
 * (the bundle, and the icons and web app manifest of app-icons.ts), one
 * index.html that names its build id and API level, and a manifest entry.
 * Shared by `npm run build`, `npm start` (watch) and the browser tests.
 */
import { createHash } from 'node:crypto';
import { mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { gzipSync } from 'node:zlib';
import * as esbuild from 'esbuild';
import { API_LEVEL, type BuildFile, type BuildInfo, buildInfoSchema, contentTypeOf } from '../../shared/index.ts';
import { appFiles } from './app-icons.ts';
import { ROOT } from './paths.ts';

/** A build in memory: its manifest entry, its files by path, and its page. */
export interface ClientBuild {
  info: BuildInfo;
  files: Map<string, Uint8Array>;
  indexHtml: Uint8Array;
  /** JS files the page loads before it can run (entry and its static imports); the page preloads them. */
  initialJs: string[];
  /**
   * Per language, the JS files the entry fetches before its first render (the
   * catalog's chunk and what it imports), beyond `initialJs`. Absent for a build read back from disk.
   */
  localeJs?: Record<string, string[]>;
}

/** Options for one client build. */
export interface ClientBuildOptions {
  /** API level the build speaks; defaults to the source tree's. */
  apiLevel?: number;
  /** Release version recorded in the manifest; defaults to package.json's. */
  version?: string;
}

/** The client's one entry point; lazy chunks hang off it. */
const ENTRY = 'client/main.tsx';
/** The catalogs' core parts, one lazy chunk each; the entry loads the page's one before it renders (client/i18n/locale.ts). */
const CATALOGS = { en: 'client/i18n/en-core.ts', ko: 'client/i18n/ko-core.ts' };

const sha256 = (bytes: Uint8Array | string) => createHash('sha256').update(bytes).digest('hex');

/** esbuild options of the client bundle; `write: false` so we hash before writing. */
export function esbuildOptions(): esbuild.BuildOptions & { write: false; metafile: true } {
  return {
    absWorkingDir: ROOT,
    entryPoints: { main: ENTRY },
    bundle: true,
    format: 'esm',
    splitting: true,
    target: 'es2022',
    minify: true,
    outdir: 'dist/client/assets',
    entryNames: '[name]-[hash]',
    chunkNames: 'chunk-[hash]',
    assetNames: '[name]-[hash]',
    jsx: 'automatic',
    jsxImportSource: 'preact',
    tsconfig: 'client/tsconfig.json',
    legalComments: 'none',
    // Module scripts are always UTF-8; escaping Korean as \uXXXX would double its bytes.
    charset: 'utf8',
    write: false,
    metafile: true,
    logLevel: 'warning',
  };
}

/** Turns esbuild's output into a build: hashes, build id, page, manifest entry. */
export async function assemble(
  result: Pick<esbuild.BuildResult<{ write: false; metafile: true }>, 'outputFiles' | 'metafile'>,
  options: ClientBuildOptions = {},
): Promise<ClientBuild> {
  const { outputFiles, metafile } = result;
  const apiLevel = options.apiLevel ?? API_LEVEL;
  const version = options.version ?? (await packageVersion());
  const template = await readFile(join(ROOT, 'client/index.html'), 'utf8');
  const files = new Map<string, Uint8Array>();
  const entries: BuildFile[] = [];
  const app = appFiles();
  const outputs = [
    ...outputFiles.map((out) => ({ path: `assets/${basename(out.path)}`, bytes: out.contents })),
    ...app.files,
  ];
  for (const { path, bytes } of outputs) {
    files.set(path, bytes);
    entries.push({
      path,
      contentType: contentTypeOf(path),
      etag: `"${sha256(bytes).slice(0, 32)}"`,
      size: bytes.length,
    });
  }
  entries.sort((a, b) => a.path.localeCompare(b.path));
  const find = (pattern: RegExp) => {
    const file = entries.find((f) => pattern.test(f.path));
    if (!file) throw new Error(`client build produced no file matching ${pattern}`);
    return `/${file.path}`;
  };
  const id = sha256(
    [String(apiLevel), sha256(template), ...entries.map((f) => `${f.path} ${f.etag}`)].join('\n'),
  ).slice(0, 16);
  const initial = initialJs(metafile, ENTRY);
  // The entry's static imports are preloaded, so the browser fetches them beside the entry, not after parsing it.
  const preload = initial
    .filter((path) => !/^assets\/main-/.test(path))
    .map((path) => `<link rel="modulepreload" href="/${path}" />`)
    .join('\n    ');
  // What each lazily loaded module needs beyond the first load, so the page can preload all of it at once
  // when the learner heads there (client/router/preload.ts), instead of finding each import after the last.
  const lazy: Record<string, string[]> = {};
  for (const meta of Object.values(metafile.outputs))
    if (meta.entryPoint && meta.entryPoint !== ENTRY)
      lazy[meta.entryPoint] = initialJs(metafile, meta.entryPoint)
        .filter((path) => !initial.includes(path))
        .map((path) => `/${path}`);
  const html = template
    .replaceAll('%BUILD_ID%', id)
    .replaceAll('%PRELOAD%', preload)
    .replaceAll('%LAZY%', JSON.stringify(lazy).replaceAll('&', '&amp;').replaceAll('"', '&quot;'))
    .replaceAll('%API_LEVEL%', String(apiLevel))
    .replaceAll('%ICON%', app.icon)
    .replaceAll('%TOUCH_ICON%', app.touchIcon)
    .replaceAll('%MANIFEST%', app.manifest)
    .replaceAll('%SCRIPT%', find(/^assets\/main-[^/]+\.js$/))
    .replaceAll('%STYLE%', find(/^assets\/main-[^/]+\.css$/));
  const info = buildInfoSchema.parse({ id, apiLevel, version, files: entries });
  const localeJs = Object.fromEntries(
    Object.entries(CATALOGS).map(([locale, source]) => [
      locale,
      initialJs(metafile, source).filter((path) => !initial.includes(path)),
    ]),
  );
  return { info, files, indexHtml: new TextEncoder().encode(html), initialJs: initial, localeJs };
}

/** An entry point's (or a lazy module's) JS and everything it imports statically, as `assets/<file>` paths. */
function initialJs(metafile: esbuild.Metafile, entry: string): string[] {
  const seen = new Set<string>();
  const visit = (out: string) => {
    if (seen.has(out)) return;
    seen.add(out);
    for (const dep of metafile.outputs[out]?.imports ?? []) if (dep.kind === 'import-statement') visit(dep.path);
  };
  for (const [out, meta] of Object.entries(metafile.outputs))
    if (meta.entryPoint === entry && out.endsWith('.js')) visit(out);
  return [...seen].map((out) => `assets/${basename(out)}`);
}

/** Builds the client once. */
export async function buildClient(options: ClientBuildOptions = {}): Promise<ClientBuild> {
  return assemble(await esbuild.build(esbuildOptions()), options);
}

/**
 * Writes a build to `outDir`: client/ (page + assets) first, build.json last,
 * because build.json is what the worker is built with and `wrangler dev`
 * reloads when it changes.
 */
export async function writeBuild(build: ClientBuild, outDir: string): Promise<void> {
  const clientDir = join(outDir, 'client');
  await rm(clientDir, { recursive: true, force: true });
  await mkdir(join(clientDir, 'assets'), { recursive: true });
  await Promise.all([...build.files].map(([path, bytes]) => writeFile(join(clientDir, path), bytes)));
  await writeFile(join(clientDir, 'index.html'), build.indexHtml);
  await writeFile(join(outDir, 'build.json'), `${JSON.stringify(build.info, null, 2)}\n`);
}

/** Reads a build written by `writeBuild`. */
export async function readBuild(outDir: string): Promise<ClientBuild> {
  const info = buildInfoSchema.parse(JSON.parse(await readFile(join(outDir, 'build.json'), 'utf8')));
  const files = new Map<string, Uint8Array>();
  for (const file of info.files) files.set(file.path, await readFile(join(outDir, 'client', file.path)));
  return { info, files, indexHtml: await readFile(join(outDir, 'client', 'index.html')), initialJs: [] };
}

/**
 * Gzip sizes in bytes of a build's JavaScript: what a page loads before its
 * first render (the entry, its imports and the catalog of its language; in the
 * language that costs most), and all of it.
 */
export function gzipJsBytes(build: ClientBuild): { initial: number; total: number; byLocale: Record<string, number> } {
  const gzip = new Map<string, number>();
  for (const [path, bytes] of build.files)
    if (path.endsWith('.js')) gzip.set(path, gzipSync(bytes, { level: 9 }).length);
  const sum = (paths: string[]) => paths.reduce((total, path) => total + (gzip.get(path) ?? 0), 0);
  const entry = sum(build.initialJs);
  const byLocale = Object.fromEntries(
    Object.entries(build.localeJs ?? {}).map(([locale, paths]) => [locale, entry + sum(paths)]),
  );
  return { initial: Math.max(entry, ...Object.values(byLocale)), total: sum([...gzip.keys()]), byLocale };
}

async function packageVersion(): Promise<string> {
  const pkg = JSON.parse(await readFile(join(ROOT, 'package.json'), 'utf8')) as { version: string };
  return pkg.version;
}
