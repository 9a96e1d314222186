/** The release and rollback planners: their steps, and each refusal (migration check, contract step, Durable Object change or migration). */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../../scripts/lib/paths.ts';
import { formatStep } from '../../scripts/lib/plan-step.ts';
import {
  CODE_UPDATE_MODE,
  deploySpecs,
  durableObjectConfig,
  errorRateGate,
  NEW_VERSION,
  pendingMigrationNames,
  planRelease,
  planRollback,
  type ReleaseInput,
  ROLLBACK_LIMITS_URL,
  type RollbackInput,
  uploadedVersionId,
} from '../../scripts/lib/release-plan.ts';
import { changelogVersions, fileAtRelease, previousRelease } from '../../scripts/lib/releases.ts';

const ROOM = { classes: ['Room'], migrationTags: ['v1-room'] };
const BASE: ReleaseInput = {
  percent: 10,
  tag: 'v2.0.0',
  uploadedTags: [{ id: 'old-id', tag: 'v1.5.0' }],
  unreleased: { version: '2.0.0', alreadyReleased: false, changes: true },
  message: 'Release 2.0.0',
  from: 'old-id',
  migrations: [{ name: '0001_a.sql', sql: 'CREATE TABLE t (a);' }],
  pending: [],
  released: { version: '1.5.0', durableObjects: ROOM },
  durableObjects: ROOM,
};

const ROLLBACK: RollbackInput = {
  target: { version: '1.5.0', durableObjects: ROOM },
  versionId: 'v15-id',
  durableObjects: ROOM,
};

describe('a version of its own', () => {
  it('refuses a tag an uploaded version already carries, and asks for the version', () => {
    const plan = planRelease({ ...BASE, uploadedTags: [{ id: 'old-id', tag: 'v2.0.0' }] });
    assert.ok(!plan.ok);
    assert.match(
      plan.problems.join('\n'),
      /^tag v2\.0\.0 is already carried by uploaded version old-id: a new version needs a tag of its own; add a `## \[<next version>\]` heading/,
    );
    // Shifting traffic to an uploaded version uploads nothing, so its tag is not new.
    assert.ok(planRelease({ ...BASE, uploadedTags: [{ id: 'new-id', tag: 'v2.0.0' }], version: 'new-id' }).ok);
  });

  it('refuses while package.json names a release that is out and the CHANGELOG lists unreleased changes', () => {
    const stale = planRelease({ ...BASE, unreleased: { version: '2.0.0', alreadyReleased: true, changes: true } });
    assert.ok(!stale.ok);
    assert.match(
      stale.problems.join('\n'),
      /package.json says 2\.0\.0, which is already released, and CHANGELOG.md lists unreleased changes/,
    );
    // Re-uploading a release with nothing unreleased (a new version of the same code) is allowed.
    assert.ok(planRelease({ ...BASE, unreleased: { version: '2.0.0', alreadyReleased: true, changes: false } }).ok);
  });
});

describe('errorRateGate', () => {
  const gate = (old: [number, number], next: [number, number] | null, marginPoints = 1) =>
    errorRateGate({
      minutes: 10,
      from: 'old-id',
      to: 'new-id',
      marginPoints,
      versions: [
        { version: 'old-id', tag: 'v2.1.0', answers: old[0], serverErrors: old[1] },
        ...(next ? [{ version: 'new-id', tag: 'v2.2.0', answers: next[0], serverErrors: next[1] }] : []),
      ],
    });

  it('refuses while the new version is worse by more than the margin, with the figures', () => {
    const refused = gate([2000, 1], [300, 12]);
    assert.equal(refused.ok, false);
    assert.deepEqual(refused.figures, [
      'old old-id: 1 of 2000 answers were 5xx (0.05 %) in the last 10 minutes',
      'new new-id: 12 of 300 answers were 5xx (4.00 %) in the last 10 minutes',
      'allowed margin: 1.00 percentage points',
    ]);
    assert.match(
      refused.problem ?? '',
      /^the new version's 5xx rate is 3\.95 points worse than the old one's, more than the 1\.00 allowed/,
    );
    assert.equal(gate([2000, 1], [300, 12], 5).ok, true);
  });

  it('lets it rise when it is as good, or has no answers yet (and says so)', () => {
    assert.equal(gate([1000, 10], [1000, 15]).ok, true);
    const quiet = gate([1000, 10], null);
    assert.equal(quiet.ok, true);
    assert.equal(quiet.figures.at(-1), 'the new version has no answers yet: nothing to compare');
  });
});

describe('planRelease', () => {
  it('builds, publishes, migrates, uploads and deploys at the percentage', () => {
    const plan = planRelease(BASE);
    assert.ok(plan.ok);
    assert.deepEqual(plan.steps.map(formatStep), [
      'npm run build',
      'npm run assets:publish -- --remote',
      'npx wrangler d1 migrations apply DB --remote',
      "npx wrangler versions upload --minify --tag v2.0.0 --message 'Release 2.0.0 (build <client build id>)'",
      `npx wrangler versions deploy old-id@90% '${NEW_VERSION}@10%' --message 'Release 2.0.0' --durable-objects-code-update-mode immediate -y`,
    ]);
  });

  it('only shifts traffic for an uploaded version, and 100% drops the old one', () => {
    const plan = planRelease({ ...BASE, percent: 100, version: 'new-id' });
    assert.ok(plan.ok);
    assert.deepEqual(plan.steps.map(formatStep), [
      "npx wrangler versions deploy new-id@100% --message 'Release 2.0.0' --durable-objects-code-update-mode immediate -y",
    ]);
    assert.deepEqual(deploySpecs('a', 'b', 50), ['a@50%', 'b@50%']);
  });

  it('refuses a bad percentage', () => {
    for (const percent of [0, 101, 12.5, Number.NaN]) assert.equal(planRelease({ ...BASE, percent }).ok, false);
  });

  it('refuses when the migration check fails', () => {
    const plan = planRelease({
      ...BASE,
      migrations: [...BASE.migrations, { name: '0002_b.sql', sql: 'DROP TABLE t;' }],
    });
    assert.ok(!plan.ok);
    assert.match(plan.problems.join('\n'), /migration check: 0002_b\.sql: DROP TABLE t/);
  });

  it('refuses to apply a pending contract migration, but not one already applied', () => {
    const migrations = [...BASE.migrations, { name: '0002_b.sql', sql: '-- haru:contract\nDROP TABLE t;' }];
    const plan = planRelease({ ...BASE, migrations, pending: ['0002_b.sql'] });
    assert.ok(!plan.ok);
    assert.match(plan.problems.join('\n'), /0002_b\.sql is a contract step: .*npm run contract/);
    assert.ok(planRelease({ ...BASE, migrations, pending: [] }).ok);
  });

  it('refuses a Durable Object change that needs wrangler deploy', () => {
    const plan = planRelease({
      ...BASE,
      released: { version: '1.0.0', durableObjects: { classes: [], migrationTags: [] } },
    });
    assert.ok(!plan.ok);
    assert.deepEqual(plan.problems.length, 2);
    assert.match(
      plan.problems[0] ?? '',
      /adds Durable Object migration "v1-room" since release 1\.0\.0: .*wrangler deploy/,
    );
  });
});

describe('the Durable Object code-update mode', () => {
  it('is immediate, passed to every deployment a release or rollback makes', () => {
    assert.deepEqual(CODE_UPDATE_MODE, ['--durable-objects-code-update-mode', 'immediate']);
    const deploys = [planRelease(BASE), planRelease({ ...BASE, version: 'new-id' }), planRollback(ROLLBACK)]
      .flatMap((plan) => (plan.ok ? plan.steps.map(formatStep) : []))
      .filter((line) => line.startsWith('npx wrangler versions deploy ') || line.startsWith('npx wrangler rollback '));
    assert.equal(deploys.length, 3);
    for (const line of deploys) assert.match(line, / --durable-objects-code-update-mode immediate( |$)/);
  });
});

describe('planRollback', () => {
  it('rolls back with wrangler rollback on the terminal, so wrangler can ask about changed secrets', () => {
    const plan = planRollback(ROLLBACK);
    assert.ok(plan.ok);
    assert.deepEqual(plan.steps, [
      {
        kind: 'wrangler',
        args: [
          'rollback',
          'v15-id',
          '--message',
          'Roll back to release 1.5.0',
          '--durable-objects-code-update-mode',
          'immediate',
        ],
        attached: true,
      },
    ]);
  });

  it('refuses across a Durable Object migration, with the reason and what to do instead', () => {
    const plan = planRollback({
      ...ROLLBACK,
      target: { ...ROLLBACK.target, version: '1.0.0', durableObjects: { classes: [], migrationTags: [] } },
    });
    assert.ok(!plan.ok);
    assert.deepEqual(plan.problems.length, 3);
    assert.match(
      plan.problems[0] ?? '',
      /adds Durable Object migration "v1-room" since release 1\.0\.0: Cloudflare refuses a rollback across a Durable Object migration/,
    );
    assert.ok(plan.problems[0]?.includes(ROLLBACK_LIMITS_URL));
    assert.match(plan.problems[1] ?? '', /binds new Durable Object class Room since release 1\.0\.0/);
    assert.match(
      plan.problems[2] ?? '',
      /^instead roll forward: .*npm run release.*release 1\.0\.0's code that keeps this tree's Durable Object bindings/,
    );
  });

  it('refuses to go back to a release that has a migration tag this tree no longer has', () => {
    const plan = planRollback({
      ...ROLLBACK,
      target: { ...ROLLBACK.target, durableObjects: { classes: ['Room'], migrationTags: ['v1-room', 'v2-rename'] } },
    });
    assert.ok(!plan.ok);
    assert.match(plan.problems[0] ?? '', /removes Durable Object migration "v2-rename" since release 1\.5\.0/);
  });

  it('from this tree: refuses Release 1 (before the Room class), allows Release 1.5', () => {
    const input = (version: string): RollbackInput => ({
      ...ROLLBACK,
      target: { version, durableObjects: durableObjectConfig(fileAtRelease(version, 'wrangler.toml')) },
      durableObjects: durableObjectConfig(readFileSync(join(ROOT, 'wrangler.toml'), 'utf8')),
    });
    assert.equal(planRollback(input('1.0.0')).ok, false);
    assert.ok(planRollback(input('1.5.0')).ok);
  });
});

describe('release inputs', () => {
  it('reads Durable Object classes and migration tags from wrangler.toml', () => {
    assert.deepEqual(durableObjectConfig(readFileSync(join(ROOT, 'wrangler.toml'), 'utf8')), ROOM);
  });

  it('finds the previous release in the CHANGELOG, and this tree needs no wrangler deploy since it', () => {
    const changelog = readFileSync(join(ROOT, 'CHANGELOG.md'), 'utf8');
    assert.deepEqual(changelogVersions(changelog).slice(-3), ['2.0.0', '1.5.0', '1.0.0']);
    assert.equal(previousRelease(changelog, '2.0.0'), '1.5.0');
    assert.equal(previousRelease(changelog, '2.1.0'), '2.0.0');
    // A version without a heading yet comes after the newest release.
    assert.equal(previousRelease(changelog, '99.0.0'), changelogVersions(changelog)[0]);
    assert.deepEqual(durableObjectConfig(fileAtRelease('1.5.0', 'wrangler.toml')), ROOM);
    assert.deepEqual(durableObjectConfig(fileAtRelease('1.0.0', 'wrangler.toml')), { classes: [], migrationTags: [] });
  });

  it('parses wrangler output', () => {
    assert.equal(
      uploadedVersionId('Uploaded haru-study\nWorker Version ID: 3c4a9b1e-0000-4000-8000-123456789abc\n'),
      '3c4a9b1e-0000-4000-8000-123456789abc',
    );
    assert.throws(() => uploadedVersionId('nothing'));
    assert.deepEqual(pendingMigrationNames('│ 0003_telemetry.sql │\n│ 0004_contract_v1.sql │'), [
      '0003_telemetry.sql',
      '0004_contract_v1.sql',
    ]);
    assert.deepEqual(pendingMigrationNames('✅ No migrations to apply!'), []);
  });
});
