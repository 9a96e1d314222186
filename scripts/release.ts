/**
 * `npm run release -- --to <percent> [--from <version-id>] [--tag <tag>] [--version <version-id>] [--dry-run]`:
 * one step of a gradual release (DESIGN §8). Without --version: build,
 * publish the client to remote KV, apply pending migrations, upload a new
 * worker version, deploy it at <percent> beside --from. With --version (an
 * uploaded version): only shift traffic to <percent>. --dry-run prints the
 * commands and runs nothing. Refuses on a failing migration check, a pending
 * contract migration, or a Durable Object change that needs `wrangler deploy`.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { fail, refuse } from './lib/cli.ts';
import { ROOT } from './lib/client-build.ts';
import { readMigrationFiles } from './lib/migration-files.ts';
import { CURRENT_VERSION, durableObjectConfig, NEW_VERSION, pendingMigrationNames, planRelease, uploadedVersionId } from './lib/release-plan.ts';
import { fileAtRelease, namesAtRelease, previousRelease } from './lib/releases.ts';
import { formatStep, runStep } from './lib/steps.ts';
import { runWrangler } from './lib/wrangler.ts';

const { values } = parseArgs({
  options: {
    to: { type: 'string' },
    from: { type: 'string' },
    tag: { type: 'string' },
    version: { type: 'string' },
    'dry-run': { type: 'boolean' },
  },
});
const dryRun = values['dry-run'] ?? false;
const percent = Number(values.to);
if (values.to === undefined) fail('usage: npm run release -- --to <percent> [--from <version-id>] [--tag <tag>] [--version <version-id>] [--dry-run]');
if (!dryRun && !values.from && percent !== 100) fail('--from <version-id> is required: the version serving now (see `npx wrangler deployments status`)');

const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
const { version } = JSON.parse(read('package.json')) as { version: string };
const released = previousRelease(read('CHANGELOG.md'), version);
const migrations = readMigrationFiles(join(ROOT, 'migrations'));
// A real run asks D1 what is pending; a dry run touches nothing remote, so it assumes everything added since the last release is.
const pending = dryRun
  ? migrations.map((file) => file.name).filter((name) => !namesAtRelease(released, 'migrations').includes(name))
  : pendingMigrationNames(await runWrangler(['d1', 'migrations', 'list', 'DB', '--remote']));

const plan = planRelease({
  percent,
  tag: values.tag ?? `v${version}`,
  message: `Release ${version}`,
  from: values.from ?? CURRENT_VERSION,
  version: values.version,
  migrations,
  pending,
  released: { version: released, durableObjects: durableObjectConfig(fileAtRelease(released, 'wrangler.toml')) },
  durableObjects: durableObjectConfig(read('wrangler.toml')),
});
if (!plan.ok) refuse('release', plan.problems);

if (dryRun) {
  console.log(`release ${version} to ${percent}% (previous release ${released}; pending migrations assumed: ${pending.join(', ') || 'none'})`);
  for (const step of plan.steps) console.log(formatStep(step));
} else {
  let newVersion = values.version;
  for (const step of plan.steps) {
    const id = newVersion;
    const ready = step.kind === 'copy' || !id ? step : { ...step, args: step.args.map((arg) => arg.replace(NEW_VERSION, id)) };
    console.log(`$ ${formatStep(ready)}`);
    const output = await runStep(ready);
    if (output) console.log(output);
    if (step.kind === 'wrangler' && step.args[1] === 'upload') newVersion = uploadedVersionId(output);
  }
  console.log(`new version ${newVersion} serves ${percent}%. Roll back: npx wrangler versions deploy ${values.from ?? '<old version id>'}@100% -y`);
}
