/** The contract planner, fed a verdict: refuses without a safe one, plans copy + apply with it. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { join } from 'node:path';
import { ROOT } from '../../scripts/lib/client-build.ts';
import { planContract, type ContractInput } from '../../scripts/lib/contract.ts';
import { readMigrationFiles } from '../../scripts/lib/migration-files.ts';
import { lastRequestedFrom, opsSummaryFrom, type OpsSummary } from '../../scripts/lib/ops-summary.ts';
import { formatStep } from '../../scripts/lib/steps.ts';

const [contract] = readMigrationFiles(join(ROOT, 'migrations-contract'));
assert.ok(contract);
const migrations = readMigrationFiles(join(ROOT, 'migrations'));

const verdict = (safe: boolean): OpsSummary => ({
  verdicts: [
    { version: 'v1.5.0', safeToRetire: safe, reasons: safe ? [] : ['3 requests in the last 15 minutes'] },
    { version: 'v2.0.0', safeToRetire: false, reasons: ['it is the version answering this request'] },
  ],
});
const input = (summary: OpsSummary, rest: Partial<ContractInput> = {}): ContractInput => ({
  summary,
  retire: ['v1.5.0'],
  contract,
  migrations,
  target: ['--remote'],
  ...rest,
});

describe('planContract', () => {
  it('refuses while the old version is not safe to retire, with the reasons', () => {
    const plan = planContract(input(verdict(false)));
    assert.ok(!plan.ok);
    assert.deepEqual(plan.problems, ['v1.5.0 is not safe to retire yet: 3 requests in the last 15 minutes']);
  });

  it('refuses a version the ops view has no verdict for, and an empty list', () => {
    const plan = planContract(input(verdict(true), { retire: ['v1.0.0', 'v1.5.0'] }));
    assert.ok(!plan.ok);
    assert.match(plan.problems.join('\n'), /no verdict for v1\.0\.0/);
    assert.equal(planContract(input(verdict(true), { retire: [] })).ok, false);
  });

  it('with a safe verdict, copies the contract into migrations/ and applies it', () => {
    const plan = planContract(input(verdict(true), { retire: ['v1.5.0'], target: ['--local', '--persist-to', '/tmp/x'] }));
    assert.ok(plan.ok);
    assert.deepEqual(plan.steps.map(formatStep), [
      `cp migrations-contract/${contract.name} migrations/${contract.name}`,
      'npx wrangler d1 migrations apply DB --local --persist-to /tmp/x',
    ]);
  });

  it('only applies when already copied, and refuses a differing copy', () => {
    const plan = planContract(input(verdict(true), { migrations: [...migrations, contract] }));
    assert.ok(plan.ok);
    assert.deepEqual(plan.steps.map(formatStep), ['npx wrangler d1 migrations apply DB --remote']);
    const changed = planContract(input(verdict(true), { migrations: [...migrations, { ...contract, sql: `${contract.sql}\n-- x` }] }));
    assert.equal(changed.ok, false);
  });

  it('the contract SQL passes the migration check only as a contract step', () => {
    assert.equal(contract.name, '0005_contract_v1.sql');
    const unmarked = planContract(input(verdict(true), { contract: { ...contract, sql: contract.sql.split('\n').slice(1).join('\n') } }));
    assert.ok(!unmarked.ok);
    assert.match(unmarked.problems.join('\n'), /not marked as a contract step/);
    assert.match(unmarked.problems.join('\n'), /migration check: 0005_contract_v1\.sql: DROP TABLE pomodoro_content/);
  });
});

describe('opsSummaryFrom', () => {
  it('asks /ops/api/summary with the bearer token and reads the verdicts', async () => {
    const seen: string[] = [];
    const fake: typeof fetch = async (url, init) => {
      seen.push(`${String(url)} ${new Headers(init?.headers).get('authorization')}`);
      return Response.json({ ...verdict(true), extra: 'ignored' });
    };
    const summary = await opsSummaryFrom('http://127.0.0.1:8787/ops', 'tok', fake)();
    assert.deepEqual(seen, ['http://127.0.0.1:8787/ops/api/summary Bearer tok']);
    assert.equal(summary.verdicts[0]?.safeToRetire, true);
    const denied: typeof fetch = async () => new Response('no', { status: 401 });
    await assert.rejects(opsSummaryFrom('http://x', 'bad', denied)(), /answered 401/);
  });
});

describe('lastRequestedFrom', () => {
  it('asks /ops/api/builds for the days gc keeps, with the bearer token', async () => {
    const seen: string[] = [];
    const fake: typeof fetch = async (url, init) => {
      seen.push(`${String(url)} ${new Headers(init?.headers).get('authorization')}`);
      return Response.json({ days: 7, from: 0, builds: [{ build: 'new', lastRequested: 180_000 }, { build: 'old', lastRequested: 60_000 }] });
    };
    const last = await lastRequestedFrom('https://haru.example', 'tok', 7, fake);
    assert.deepEqual(seen, ['https://haru.example/ops/api/builds?days=7 Bearer tok']);
    assert.deepEqual([...last], [
      ['new', 180_000],
      ['old', 60_000],
    ]);
    const refused: typeof fetch = async () => Response.json({ error: 'invalid_query' }, { status: 400 });
    await assert.rejects(lastRequestedFrom('https://haru.example', 'tok', 31, refused), /answered 400/);
  });
});
