/**
 * `npm run contract -- --verdict-from <base url> [--retire <version id or tag,...>] [--local [--persist-to <dir>] | --remote]
 *   [--versions-json <file> --deployments-json <file>] [--dry-run]`:
 * the operator's word that the old shape may go (DESIGN §6). Reads the retire
 * verdicts from the ops summary of <base url> (OPS_TOKEN in the environment):
 * a version's own, or for a release from before telemetry its API level's
 * (the level read from that release's code in git). Reads the account's
 * versions and deployments with wrangler (or from the files). Only when
 * every version to retire (default v1.0.0,v1.5.0) is safe and none is
 * deployed does it copy migrations-contract/0006_contract_v1.sql into
 * migrations/ and apply it (remote by default). --dry-run prints the steps
 * and runs nothing.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import { accountJson } from './lib/account.ts';
import { fail, messageOf, refuse } from './lib/cli.ts';
import { planContract } from './lib/contract.ts';
import { readMigrationFiles } from './lib/migration-files.ts';
import { opsSummaryFrom } from './lib/ops-summary.ts';
import { ROOT } from './lib/paths.ts';
import { formatStep } from './lib/plan-step.ts';
import { releaseLevels } from './lib/releases.ts';
import { runStep } from './lib/steps.ts';
import { deployedVersionIds, deploymentListSchema, versionListSchema, workerVersions } from './lib/worker-versions.ts';
import { stateFlags } from './lib/wrangler.ts';

const CONTRACT = '0006_contract_v1.sql';

const { values } = parseArgs({
  options: {
    'verdict-from': { type: 'string' },
    retire: { type: 'string', default: 'v1.0.0,v1.5.0' },
    local: { type: 'boolean' },
    remote: { type: 'boolean' },
    'persist-to': { type: 'string' },
    'versions-json': { type: 'string' },
    'deployments-json': { type: 'string' },
    'dry-run': { type: 'boolean' },
  },
});
const token = process.env.OPS_TOKEN;
if (values.local && values.remote) fail('--local or --remote, not both');
if (!values['verdict-from'] || !token)
  fail('usage: OPS_TOKEN=<token> npm run contract -- --verdict-from <base url> [--retire <ids>] [--local] [--dry-run]');

if (Boolean(values['versions-json']) !== Boolean(values['deployments-json']))
  fail('--versions-json and --deployments-json go together');

const retire = values.retire.split(',').filter(Boolean);
const plan = planContract({
  summary: await opsSummaryFrom(values['verdict-from'], token)().catch((error: unknown) =>
    fail(`could not read the retire verdicts: ${messageOf(error)}`, 1),
  ),
  retire,
  releaseLevels: releaseLevels(retire, readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8')),
  deployments: {
    versions: workerVersions(await accountJson(values['versions-json'], ['versions', 'list'], versionListSchema)),
    deployed: deployedVersionIds(
      await accountJson(values['deployments-json'], ['deployments', 'list'], deploymentListSchema),
    ),
  },
  contract: { name: CONTRACT, sql: readFileSync(join(ROOT, 'migrations-contract', CONTRACT), 'utf8') },
  migrations: readMigrationFiles(join(ROOT, 'migrations')),
  target: stateFlags(values.local ? { local: true, persistTo: values['persist-to'] } : { local: false }),
});
if (!plan.ok) refuse('contract', plan.problems);
for (const step of plan.steps) {
  console.log(values['dry-run'] ? formatStep(step) : `$ ${formatStep(step)}`);
  if (!values['dry-run']) console.log(await runStep(step));
}
if (!values['dry-run']) console.log(`contract applied; commit migrations/${CONTRACT}`);
