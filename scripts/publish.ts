/**
 * `npm run assets:publish`: writes dist/ (or --build <dir>) into the assets KV
 * namespace. Local by default; `--remote` for the real one. Never deletes.
 */
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { readBuild } from './lib/client-build.ts';
import { ROOT } from './lib/paths.ts';
import { publishBuild } from './lib/publish.ts';

const { values } = parseArgs({
  options: { build: { type: 'string' }, remote: { type: 'boolean' }, 'persist-to': { type: 'string' } },
});
const build = await readBuild(values.build ?? join(ROOT, 'dist'));
const count = await publishBuild(
  build,
  values.remote ? { local: false } : { local: true, persistTo: values['persist-to'] },
);
console.log(`published build ${build.info.id} (${count} keys) to ${values.remote ? 'remote' : 'local'} KV`);
