/**
 * `npm run build`: builds the client into dist/ and prints the gzip size of
 * its JavaScript against the budget.
 *
 * Options: --out <dir> (default dist), --api-level <n> (default the source's).
 */

import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildClient, gzipJsBytes, writeBuild } from './lib/client-build.ts';
import { ROOT } from './lib/paths.ts';

/** Budget for the JavaScript a page loads before it runs, gzip, in bytes. */
const JS_BUDGET = 30 * 1024;

const { values } = parseArgs({ options: { out: { type: 'string' }, 'api-level': { type: 'string' } } });
const outDir = values.out ?? join(ROOT, 'dist');
const build = await buildClient({ apiLevel: values['api-level'] ? Number(values['api-level']) : undefined });
await writeBuild(build, outDir);

const gzip = gzipJsBytes(build);
console.log(`build ${build.info.id} (API level ${build.info.apiLevel}) -> ${outDir}`);
for (const file of build.info.files) console.log(`  ${file.path}  ${file.size} B`);
const kb = (bytes: number) => `${(bytes / 1024).toFixed(1)} KB`;
console.log(
  `client JS gzip: ${kb(gzip.initial)} on first load (budget ${kb(JS_BUDGET)}), ${kb(gzip.total)} with lazy chunks`,
);
if (gzip.initial > JS_BUDGET) {
  console.error('client JS is over budget');
  process.exitCode = 1;
}
