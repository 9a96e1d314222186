/** The contract planner, fed a verdict: refuses without a safe one, plans copy + apply with it. */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { type ContractInput, planContract } from '../../scripts/lib/contract.ts';
import { readMigrationFiles } from '../../scripts/lib/migration-files.ts';
import { lastRequestedFrom, type OpsSummary, opsSummaryFrom } from '../../scripts/lib/ops-summary.ts';
import { ROOT } from '../../scripts/lib/paths.ts';
import { formatStep } from '../../scripts/lib/plan-step.ts';

const [contract] = readMigrationFiles(join(ROOT, 'migrations-contract'));
assert.ok(contract);
const migrations = readMigrationFiles(join(ROOT, 'migrations'));

const verdict = (safe: boolean): OpsSummary => ({
  verdicts: [
    { version: 'v1.5.0', safeToRetire: safe, reasons: safe ? [] : ['3 requests in the last 15 minutes'] },
    { version: 'v2.0.0', safeToRetire: false, reasons: ['it is the version answering this request'] },
  ],
  levels: [],
});
const input = (summary: OpsSummary, rest: Partial<ContractInput> = {}): ContractInput => ({
  summary,
  retire: ['v1.5.0'],
  releaseLevels: new Map(),
  deployments: { versions: [], deployed: [] },
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
    assert.match(plan.problems.join('\n'), /no verdict for v1\.0\.0 and no release is tagged so/);
    assert.equal(planContract(input(verdict(true), { retire: [] })).ok, false);
  });

  it('with a safe verdict, copies the contract into migrations/ and applies it', () => {
    const plan = planContract(
      input(verdict(true), { retire: ['v1.5.0'], target: ['--local', '--persist-to', '/tmp/x'] }),
    );
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
    const changed = planContract(
      input(verdict(true), { migrations: [...migrations, { ...contract, sql: `${contract.sql}\n-- x` }] }),
    );
    assert.equal(changed.ok, false);
  });

  it('the contract SQL passes the migration check only as a contract step', () => {
    assert.equal(contract.name, '0006_contract_v1.sql');
    const unmarked = planContract(
      input(verdict(true), { contract: { ...contract, sql: contract.sql.split('\n').slice(1).join('\n') } }),
    );
    assert.ok(!unmarked.ok);
    assert.match(unmarked.problems.join('\n'), /not marked as a contract step/);
    assert.match(unmarked.problems.join('\n'), /migration check: 0006_contract_v1\.sql: DROP TABLE pomodoro_content/);
  });
});

describe('planContract for releases from before telemetry', () => {
  /** A summary from a version that writes telemetry: no verdict for the old releases, one for API level 1. */
  const byLevel = (safe: boolean): OpsSummary => ({
    verdicts: [
      {
        version: '0a1b2c3d-e5f6',
        tag: 'v2.2.0',
        safeToRetire: false,
        reasons: ['it is the version answering this request'],
      },
    ],
    levels: [
      {
        apiLevel: 1,
        safeToRetire: safe,
        reasons: safe
          ? ['no request at API level 1']
          : ['4 requests at API level 1 or from its builds in the last 30 minutes'],
      },
    ],
  });
  const old = {
    retire: ['v1.0.0', 'v1.5.0'],
    releaseLevels: new Map([
      ['v1.0.0', 1],
      ['v1.5.0', 1],
    ]),
  };

  it('judges a release without telemetry by its API level, and refuses while that level is still called', () => {
    const plan = planContract(input(byLevel(false), old));
    assert.ok(!plan.ok);
    assert.deepEqual(plan.problems, [
      'v1.0.0 wrote no telemetry; its API level 1 is not safe to retire yet: 4 requests at API level 1 or from its builds in the last 30 minutes',
      'v1.5.0 wrote no telemetry; its API level 1 is not safe to retire yet: 4 requests at API level 1 or from its builds in the last 30 minutes',
    ]);
    assert.ok(planContract(input(byLevel(true), old)).ok);
  });

  it('refuses while a version of a release to retire is still deployed, or a deployed version cannot be told', () => {
    const versions = [
      { id: 'old-id', createdOn: '2026-01-01T00:00:00Z', tag: 'v1.5.0' },
      { id: 'new-id', createdOn: '2026-12-01T00:00:00Z', tag: 'v2.2.0' },
    ];
    const split = planContract(
      input(byLevel(true), { ...old, deployments: { versions, deployed: ['old-id', 'new-id'] } }),
    );
    assert.ok(!split.ok);
    assert.deepEqual(split.problems, [
      'v1.5.0 is still deployed (version old-id): deploy the current release at 100% first',
    ]);
    const unlisted = planContract(input(byLevel(true), { ...old, deployments: { versions, deployed: ['gone-id'] } }));
    assert.ok(!unlisted.ok);
    assert.match(unlisted.problems.join('\n'), /version gone-id is deployed but not among the versions wrangler lists/);
    assert.ok(planContract(input(byLevel(true), { ...old, deployments: { versions, deployed: ['new-id'] } })).ok);
  });

  it('finds a version by its tag as well as its id, and names a level the view does not judge', () => {
    const tagged = planContract(input(byLevel(true), { retire: ['v2.2.0'] }));
    assert.ok(!tagged.ok);
    assert.match(tagged.problems.join('\n'), /v2\.2\.0 \(version 0a1b2c3d-e5f6\) is not safe to retire yet/);
    const current = planContract(input(byLevel(true), { retire: ['v2.0.0'], releaseLevels: new Map([['v2.0.0', 2]]) }));
    assert.ok(!current.ok);
    assert.match(
      current.problems.join('\n'),
      /v2\.0\.0 wrote no telemetry and speaks API level 2, which the ops view has no verdict for/,
    );
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
      return Response.json({
        days: 7,
        from: 0,
        builds: [
          { build: 'new', lastRequested: 180_000 },
          { build: 'old', lastRequested: 60_000 },
        ],
      });
    };
    const last = await lastRequestedFrom('https://haru.example', 'tok', 7, fake);
    assert.deepEqual(seen, ['https://haru.example/ops/api/builds?days=7 Bearer tok']);
    assert.deepEqual(
      [...last],
      [
        ['new', 180_000],
        ['old', 60_000],
      ],
    );
    const refused: typeof fetch = async () => Response.json({ error: 'invalid_query' }, { status: 400 });
    await assert.rejects(lastRequestedFrom('https://haru.example', 'tok', 31, refused), /answered 400/);
  });
});
