/**
 * `npm run release -- --to <percent> [--from <version-id>] [--tag <tag>] [--version <version-id>] [--dry-run]`:
 * one step of a gradual release (DESIGN §8). Without --version: build,
 * publish the client to remote KV, apply pending migrations, upload a new
 * worker version, deploy it at <percent> beside --from. With --version (an
 * uploaded version): only shift traffic to <percent>. --dry-run prints the
 * commands and runs nothing. Refuses on a failing migration check, a pending
 * contract migration, or a Durable Object change that needs `wrangler deploy`.
 *
 * `npm run release -- --rollback --to-release <version> --version <version-id> [--dry-run]`:
 * rolls back to the worker version that runs an earlier release, with
 * `wrangler rollback`. Refuses across a Durable Object migration, as
 * Cloudflare would, comparing this tree's wrangler.toml with that release's.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { buildInfoSchema } from '../shared/index.ts';
import { fail, messageOf, refuse } from './lib/cli.ts';
import { ROOT } from './lib/client-build.ts';
import { readMigrationFiles } from './lib/migration-files.ts';
import { CLIENT_BUILD, CURRENT_VERSION, durableObjectConfig, NEW_VERSION, pendingMigrationNames, planRelease, planRollback, uploadedVersionId } from './lib/release-plan.ts';
import { fileAtRelease, namesAtRelease, previousRelease } from './lib/releases.ts';
import { formatStep, runStep } from './lib/steps.ts';
import { runWrangler } from './lib/wrangler.ts';

const { values } = parseArgs({
  options: {
    to: { type: 'string' },
    from: { type: 'string' },
    tag: { type: 'string' },
    version: { type: 'string' },
    rollback: { type: 'boolean' },
    'to-release': { type: 'string' },
    'dry-run': { type: 'boolean' },
  },
});
const dryRun = values['dry-run'] ?? false;
const read = (path: string) => readFileSync(join(ROOT, path), 'utf8');
if (values.rollback) {
  await rollBack(values['to-release'], values.version);
  process.exit();
}
const percent = Number(values.to);
if (values.to === undefined) fail('usage: npm run release -- --to <percent> [--from <version-id>] [--tag <tag>] [--version <version-id>] [--dry-run]');
if (!dryRun && !values.from && percent !== 100) fail('--from <version-id> is required: the version serving now (see `npx wrangler deployments status`)');

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
  let clientBuild: string | undefined;
  for (const step of plan.steps) {
    const fill = (arg: string) => arg.replace(NEW_VERSION, newVersion ?? NEW_VERSION).replace(CLIENT_BUILD, clientBuild ?? CLIENT_BUILD);
    const ready = step.kind === 'copy' ? step : { ...step, args: step.args.map(fill) };
    console.log(`$ ${formatStep(ready)}`);
    const output = await runStep(ready);
    if (output) console.log(output);
    if (step.kind === 'npm' && step.args[1] === 'build') clientBuild = buildInfoSchema.parse(JSON.parse(read('dist/build.json'))).id;
    if (step.kind === 'wrangler' && step.args[1] === 'upload') newVersion = uploadedVersionId(output);
  }
  console.log(`new version ${newVersion} serves ${percent}%. Roll back: npm run release -- --rollback --to-release ${released} --version ${values.from ?? '<old version id>'}`);
}

/** Rolls back to the worker version `versionId` that runs release `target`, or exits with why not. */
async function rollBack(target: string | undefined, versionId: string | undefined): Promise<void> {
  if (!target) fail('usage: npm run release -- --rollback --to-release <version> --version <version-id> [--dry-run]');
  if (!dryRun && !versionId) fail(`--version <version-id> is required: the worker version that runs release ${target} (see \`npx wrangler versions list\`)`);
  let targetToml: string;
  try {
    targetToml = fileAtRelease(target, 'wrangler.toml');
  } catch (error) {
    return fail(messageOf(error));
  }
  const plan = planRollback({
    target: { version: target, durableObjects: durableObjectConfig(targetToml) },
    versionId: versionId ?? `<version id of release ${target}>`,
    durableObjects: durableObjectConfig(read('wrangler.toml')),
  });
  if (!plan.ok) refuse('rollback', plan.problems);
  for (const step of plan.steps) {
    console.log(dryRun ? formatStep(step) : `$ ${formatStep(step)}`);
    if (!dryRun) await runStep(step);
  }
}
