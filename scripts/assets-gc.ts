/**
 * `npm run assets:gc -- --live <buildId,...> [--local [--persist-to <dir>] | --remote] [--keep-days N] [--telemetry <url>] [--dry-run]`:
 * deletes the client builds no live worker version serves and no client asked
 * for within the last N days (default 7), and the asset keys only they use.
 *
 * Which builds live versions serve cannot be read from Cloudflare offline
 * (a version's build is bundled into its code), so --live names them: the
 * `build` ids the ops view shows. Last requests come from the worker's
 * `/ops/api/builds` with --telemetry <base url> (OPS_TOKEN in the environment);
 * without it, a build counts as requested when it was published. Local state
 * unless --remote.
 */
import { parseArgs } from 'node:util';
import { TELEMETRY_KEEP_DAYS } from '../shared/index.ts';
import { planAssetsGc } from './lib/assets-gc.ts';
import { fail, messageOf, refuse } from './lib/cli.ts';
import { deleteKeys, readManifest } from './lib/kv.ts';
import { lastRequestedFrom } from './lib/ops-summary.ts';
import type { StateTarget } from './lib/wrangler.ts';

const DAY = 24 * 60 * 60 * 1000;

const { values } = parseArgs({
  options: {
    live: { type: 'string' },
    local: { type: 'boolean' },
    remote: { type: 'boolean' },
    'persist-to': { type: 'string' },
    'keep-days': { type: 'string', default: '7' },
    telemetry: { type: 'string' },
    'dry-run': { type: 'boolean' },
  },
});
const keepDays = Number(values['keep-days']);
if (!Number.isFinite(keepDays) || keepDays < 0) fail(`--keep-days must be a number of days, not ${values['keep-days']}`);
if (values.telemetry && keepDays > TELEMETRY_KEEP_DAYS) {
  fail(`--keep-days ${keepDays} with --telemetry: D1 keeps ${TELEMETRY_KEEP_DAYS} days of telemetry, so older requests are unknown`);
}
if (values.local && values.remote) fail('--local or --remote, not both');
const target: StateTarget = values.remote ? { local: false } : { local: true, persistTo: values['persist-to'] };

let lastRequested = new Map<string, number>();
if (values.telemetry) {
  const token = process.env.OPS_TOKEN;
  if (!token) fail('--telemetry needs OPS_TOKEN in the environment');
  lastRequested = await lastRequestedFrom(values.telemetry, token, Math.max(1, Math.ceil(keepDays))).catch((error: unknown) =>
    fail(`could not read when builds were last requested: ${messageOf(error)}`, 1),
  );
} else {
  console.log('no --telemetry: every build published within the window counts as requested');
}

const plan = planAssetsGc({
  builds: await readManifest(target),
  live: (values.live ?? '').split(',').filter(Boolean),
  lastRequested,
  now: Date.now(),
  retentionMs: keepDays * DAY,
});
if (!plan.ok) refuse('assets:gc', plan.problems);
console.log(`keep builds: ${plan.keep.join(', ') || 'none'}`);
console.log(`delete builds: ${plan.remove.join(', ') || 'none'}`);
for (const key of plan.keys) console.log(`  ${key}`);
if (values['dry-run'] || plan.keys.length === 0) process.exit(0);
await deleteKeys(plan.keys, target);
console.log(`deleted ${plan.keys.length} keys from ${target.local ? 'local' : 'remote'} KV`);
