/**
 * `npm run build`: builds the client into dist/ and prints the gzip size of
 * its JavaScript against the budgets. `npm run build:worker` (--worker) then
 * bundles the worker as a deploy would (`wrangler deploy --dry-run`, offline),
 * minified and not, and prints its sizes.
 *
 * Options: --out <dir> (default dist), --api-level <n> (default the source's), --worker.
 */

import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs, promisify } from 'node:util';
import { gzipSync } from 'node:zlib';
import { buildClient, gzipJsBytes, writeBuild } from './lib/client-build.ts';
import { ROOT } from './lib/paths.ts';

/**
 * Budget for the JavaScript the welcome page fetches before the learner can
 * act (the entry, its imports and the catalog of its language), gzip, in
 * bytes: over it, the build fails.
 */
const FIRST_LOAD_BUDGET = 20 * 1024;
/** Budget for all of the client's JavaScript, gzip, in bytes: over it, the build warns. */
const ALL_JS_BUDGET = 30 * 1024;

const { values } = parseArgs({
  options: { out: { type: 'string' }, 'api-level': { type: 'string' }, worker: { type: 'boolean' } },
});
const outDir = values.out ?? join(ROOT, 'dist');
const build = await buildClient({ apiLevel: values['api-level'] ? Number(values['api-level']) : undefined });
await writeBuild(build, outDir);

const gzip = gzipJsBytes(build);
console.log(`build ${build.info.id} (API level ${build.info.apiLevel}) -> ${outDir}`);
for (const file of build.info.files) console.log(`  ${file.path}  ${file.size} B`);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
const languages = Object.entries(gzip.byLocale).map(([locale, bytes]) => `${locale} ${kb(bytes)}`);
console.log(
  `client JS gzip: ${kb(gzip.initial)} on first load${languages.length ? ` (${languages.join(', ')})` : ''}` +
    ` (budget ${kb(FIRST_LOAD_BUDGET)}), ${kb(gzip.total)} with lazy chunks (budget ${kb(ALL_JS_BUDGET)})`,
);
if (gzip.initial > FIRST_LOAD_BUDGET) {
  console.error('client JS on first load is over budget');
  process.exitCode = 1;
}
if (gzip.total > ALL_JS_BUDGET) console.warn('warning: client JS with lazy chunks is over budget');

if (values.worker) await printWorker(join(outDir, 'build.json'));

/**
 * Bundles the worker as `wrangler versions upload --minify` would, and without
 * --minify, and prints raw and gzip sizes. Offline, wrangler prints no startup
 * time (Cloudflare measures that on upload), so the sizes stand in for it.
 */
async function printWorker(buildJson: string): Promise<void> {
  const dir = await mkdtemp(join(tmpdir(), 'haru-worker-'));
  try {
    for (const minify of [true, false]) {
      const out = join(dir, minify ? 'min' : 'plain');
      const { stdout } = await promisify(execFile)(
        'npx',
        [
          'wrangler',
          'deploy',
          '--dry-run',
          '--outdir',
          out,
          '--alias',
          `@haru/build:${buildJson}`,
          ...(minify ? ['--minify'] : []),
        ],
        {
          cwd: ROOT,
          env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: 'false', WRANGLER_SEND_METRICS: 'false' },
          maxBuffer: 16 * 1024 * 1024,
        },
      );
      const bundle = await readFile(join(out, 'index.js'));
      const startup = /startup time[^\n]*/i.exec(stdout)?.[0];
      console.log(
        `worker${minify ? ' (minified, as deployed)' : ' (not minified)'}: ${kb(bundle.length)} raw, ` +
          `${kb(gzipSync(bundle, { level: 9 }).length)} gzip; ${startup ?? 'startup time: not measured offline (wrangler prints it only on upload)'}`,
      );
    }
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}
