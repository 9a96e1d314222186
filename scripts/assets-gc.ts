/**
 * `npm run assets:gc -- [--local [--persist-to <dir>] | --remote] [--keep-versions N] [--keep-days N] [--telemetry <url>]
 *   [--live <version-id>=<build-id>,...] [--versions-json <file> --deployments-json <file>] [--dry-run]`:
 * deletes the client builds that no worker version gc keeps serves and no
 * client asked for within the last N days (default 7), and the asset keys
 * only they use.
 *
 * Kept versions: the current deployment's and the N most recent uploads
 * (default and at most 10, all that `wrangler versions list` shows), read
 * from the account with wrangler, or from files holding that JSON. Each
 * version's build is named in its upload message (`npm run release`); for one
 * whose message names none, --live says which build it serves, else gc
 * refuses. Last requests come from the worker's `/ops/api/builds` with
 * --telemetry <base url> (OPS_TOKEN in the environment); without it, a build
 * counts as requested when it was published. Local KV unless --remote.
 */
import { parseArgs } from 'node:util';
import { TELEMETRY_KEEP_DAYS } from '../shared/index.ts';
import { accountJson } from './lib/account.ts';
import { planAssetsGc } from './lib/assets-gc.ts';
import { fail, messageOf, refuse } from './lib/cli.ts';
import { deleteKeys, readManifest } from './lib/kv.ts';
import { lastRequestedFrom } from './lib/ops-summary.ts';
import { deployedVersionIds, deploymentListSchema, versionListSchema, workerVersions } from './lib/worker-versions.ts';
import type { StateTarget } from './lib/wrangler.ts';

const DAY = 24 * 60 * 60 * 1000;
/** `wrangler versions list` shows the 10 most recent uploads, so gc cannot see further back. */
const LISTED_VERSIONS = 10;

const { values } = parseArgs({
  options: {
    live: { type: 'string' },
    'keep-versions': { type: 'string', default: String(LISTED_VERSIONS) },
    'versions-json': { type: 'string' },
    'deployments-json': { type: 'string' },
    local: { type: 'boolean' },
    remote: { type: 'boolean' },
    'persist-to': { type: 'string' },
    'keep-days': { type: 'string', default: '7' },
    telemetry: { type: 'string' },
    'dry-run': { type: 'boolean' },
  },
});
const keepDays = Number(values['keep-days']);
if (!Number.isFinite(keepDays) || keepDays < 0)
  fail(`--keep-days must be a number of days, not ${values['keep-days']}`);
if (values.telemetry && keepDays > TELEMETRY_KEEP_DAYS) {
  fail(
    `--keep-days ${keepDays} with --telemetry: D1 keeps ${TELEMETRY_KEEP_DAYS} days of telemetry, so older requests are unknown`,
  );
}
const keepVersions = Number(values['keep-versions']);
if (!Number.isInteger(keepVersions) || keepVersions < 0 || keepVersions > LISTED_VERSIONS) {
  fail(
    `--keep-versions must be a whole number from 0 to ${LISTED_VERSIONS} (all \`wrangler versions list\` shows), not ${values['keep-versions']}`,
  );
}
if (values.local && values.remote) fail('--local or --remote, not both');
if (Boolean(values['versions-json']) !== Boolean(values['deployments-json']))
  fail('--versions-json and --deployments-json go together');
const named = new Map<string, string>();
for (const pair of (values.live ?? '').split(',').filter(Boolean)) {
  const [version, build, ...rest] = pair.split('=');
  if (!version || !build || rest.length > 0) fail(`--live takes <version-id>=<build-id> pairs, not ${pair}`);
  named.set(version, build);
}
const target: StateTarget = values.remote ? { local: false } : { local: true, persistTo: values['persist-to'] };

let lastRequested = new Map<string, number>();
if (values.telemetry) {
  const token = process.env.OPS_TOKEN;
  if (!token) fail('--telemetry needs OPS_TOKEN in the environment');
  lastRequested = await lastRequestedFrom(values.telemetry, token, Math.max(1, Math.ceil(keepDays))).catch(
    (error: unknown) => fail(`could not read when builds were last requested: ${messageOf(error)}`, 1),
  );
} else {
  console.log('no --telemetry: every build published within the window counts as requested');
}

const versions = workerVersions(await accountJson(values['versions-json'], ['versions', 'list'], versionListSchema));
const deployed = deployedVersionIds(
  await accountJson(values['deployments-json'], ['deployments', 'list'], deploymentListSchema),
);

const plan = planAssetsGc({
  builds: await readManifest(target),
  versions,
  deployed,
  keepVersions,
  named,
  lastRequested,
  now: Date.now(),
  retentionMs: keepDays * DAY,
});
if (!plan.ok) refuse('assets:gc', plan.problems);
for (const served of plan.served)
  console.log(
    `version ${served.version} (${served.deployed ? 'deployed' : 'rollback target'}) serves build ${served.build}`,
  );
for (const warning of plan.warnings) console.log(`warning: ${warning}`);
console.log(`keep builds: ${plan.keep.join(', ') || 'none'}`);
console.log(`delete builds: ${plan.remove.join(', ') || 'none'}`);
for (const key of plan.keys) console.log(`  ${key}`);
if (values['dry-run'] || plan.keys.length === 0) process.exit(0);
await deleteKeys(plan.keys, target);
console.log(`deleted ${plan.keys.length} keys from ${target.local ? 'local' : 'remote'} KV`);
