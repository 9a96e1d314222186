/**
 * `npm run release -- --to <percent> [--from <version-id>] [--tag <tag>] [--version <version-id>
 *   --ops <base url> [--error-minutes 10] [--error-margin 1] [--force]] [--versions-json <file>] [--dry-run]`:
 * one step of a gradual release (DESIGN §8). Without --version: build,
 * publish the client to remote KV, apply pending migrations, upload a new
 * worker version, deploy it at <percent> beside --from. With --version (an
 * uploaded version): only shift traffic to <percent>, and only while its 5xx
 * rate over the last --error-minutes (from the ops view at --ops, OPS_TOKEN in
 * the environment) is at most --error-margin percentage points worse than
 * --from's; --force goes on anyway, printing the figures. --dry-run prints the
 * commands and runs nothing. Refuses on a failing migration check, a pending
 * contract migration, a Durable Object change that needs `wrangler deploy`, a
 * tag an uploaded version already carries, or package.json naming a release
 * that is out while the CHANGELOG lists unreleased changes.
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
import { accountJson } from './lib/account.ts';
import { fail, messageOf, refuse } from './lib/cli.ts';
import { readMigrationFiles } from './lib/migration-files.ts';
import { opsSummaryFrom } from './lib/ops-summary.ts';
import { ROOT } from './lib/paths.ts';
import { formatStep } from './lib/plan-step.ts';
import {
  CLIENT_BUILD,
  CURRENT_VERSION,
  durableObjectConfig,
  errorRateGate,
  NEW_VERSION,
  pendingMigrationNames,
  planRelease,
  planRollback,
  uploadedVersionId,
} from './lib/release-plan.ts';
import {
  changelogVersions,
  fileAtRelease,
  namesAtRelease,
  previousRelease,
  unreleasedChanges,
} from './lib/releases.ts';
import { runStep } from './lib/steps.ts';
import { versionListSchema, workerVersions } from './lib/worker-versions.ts';
import { runWrangler } from './lib/wrangler.ts';

const { values } = parseArgs({
  options: {
    to: { type: 'string' },
    from: { type: 'string' },
    tag: { type: 'string' },
    version: { type: 'string' },
    rollback: { type: 'boolean' },
    'to-release': { type: 'string' },
    ops: { type: 'string' },
    'error-minutes': { type: 'string', default: '10' },
    'error-margin': { type: 'string', default: '1' },
    force: { type: 'boolean' },
    'versions-json': { type: 'string' },
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
if (values.to === undefined)
  fail(
    'usage: npm run release -- --to <percent> [--from <version-id>] [--tag <tag>] [--version <version-id>] [--dry-run]',
  );
if (!dryRun && !values.from && percent !== 100)
  fail('--from <version-id> is required: the version serving now (see `npx wrangler deployments status`)');

const { version } = JSON.parse(read('package.json')) as { version: string };
const changelog = read('CHANGELOG.md');
const released = previousRelease(changelog, version);
if (values.version) await checkErrorRates(values.version);
// A dry run reads no account unless given the versions' JSON; a real upload always checks its tag is new.
const uploadedTags =
  values.version || (dryRun && !values['versions-json'])
    ? []
    : workerVersions(await accountJson(values['versions-json'], ['versions', 'list'], versionListSchema)).flatMap(
        (v) => (v.tag ? [{ id: v.id, tag: v.tag }] : []),
      );
const migrations = readMigrationFiles(join(ROOT, 'migrations'));
// A real run asks D1 what is pending; a dry run touches nothing remote, so it assumes everything added since the last release is.
const pending = dryRun
  ? migrations.map((file) => file.name).filter((name) => !namesAtRelease(released, 'migrations').includes(name))
  : pendingMigrationNames(await runWrangler(['d1', 'migrations', 'list', 'DB', '--remote']));

const plan = planRelease({
  percent,
  tag: values.tag ?? `v${version}`,
  uploadedTags,
  unreleased: {
    version,
    alreadyReleased: changelogVersions(changelog).includes(version),
    changes: unreleasedChanges(changelog) !== '',
  },
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
  console.log(
    `release ${version} to ${percent}% (previous release ${released}; pending migrations assumed: ${pending.join(', ') || 'none'})`,
  );
  for (const step of plan.steps) console.log(formatStep(step));
} else {
  let newVersion = values.version;
  let clientBuild: string | undefined;
  for (const step of plan.steps) {
    const fill = (arg: string) =>
      arg.replace(NEW_VERSION, newVersion ?? NEW_VERSION).replace(CLIENT_BUILD, clientBuild ?? CLIENT_BUILD);
    const ready = step.kind === 'copy' ? step : { ...step, args: step.args.map(fill) };
    console.log(`$ ${formatStep(ready)}`);
    const output = await runStep(ready);
    if (output) console.log(output);
    if (step.kind === 'npm' && step.args[1] === 'build')
      clientBuild = buildInfoSchema.parse(JSON.parse(read('dist/build.json'))).id;
    if (step.kind === 'wrangler' && step.args[1] === 'upload') newVersion = uploadedVersionId(output);
  }
  console.log(
    `new version ${newVersion} serves ${percent}%. Roll back: npm run release -- --rollback --to-release ${released} --version ${values.from ?? '<old version id>'}`,
  );
}

/**
 * Compares the 5xx rates of --from and the uploaded version `to` in the ops
 * view before their split changes; exits with the figures unless they are
 * close enough or --force is given.
 */
async function checkErrorRates(to: string): Promise<void> {
  const minutes = Number(values['error-minutes']);
  const marginPoints = Number(values['error-margin']);
  if (!Number.isInteger(minutes) || minutes < 1 || minutes > 1440)
    fail(`--error-minutes must be a whole number from 1 to 1440, not ${values['error-minutes']}`);
  if (!Number.isFinite(marginPoints) || marginPoints < 0)
    fail(`--error-margin must be a number of percentage points, not ${values['error-margin']}`);
  const token = process.env.OPS_TOKEN;
  if (!values.ops || !token || !values.from) {
    if (values.force) return console.log('--force: raising the share without comparing error rates');
    fail(
      "raising an uploaded version's share compares its error rate with the old one first: give --from <old version id> and --ops <base url> with OPS_TOKEN in the environment (or --force)",
    );
  }
  const summary = await opsSummaryFrom(values.ops, token, fetch, `?errors=${minutes}`)().catch((error: unknown) =>
    fail(`could not read the error rates: ${messageOf(error)}`, 1),
  );
  if (!summary.errors)
    fail(
      `${values.ops} gives no error rates (a worker from before they were counted): pass --force to go on without them`,
    );
  const gate = errorRateGate({ minutes, versions: summary.errors.versions, from: values.from, to, marginPoints });
  for (const figure of gate.figures) console.log(figure);
  if (gate.ok) return;
  if (values.force) return console.log(`--force: going on although ${gate.problem ?? 'the gate refused'}`);
  refuse('release', [gate.problem ?? 'the error rates do not allow it']);
}

/** Rolls back to the worker version `versionId` that runs release `target`, or exits with why not. */
async function rollBack(target: string | undefined, versionId: string | undefined): Promise<void> {
  if (!target) fail('usage: npm run release -- --rollback --to-release <version> --version <version-id> [--dry-run]');
  if (!dryRun && !versionId)
    fail(
      `--version <version-id> is required: the worker version that runs release ${target} (see \`npx wrangler versions list\`)`,
    );
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
