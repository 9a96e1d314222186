/**
 * A rollout as the operator watches it: both sides of a split deployment as
 * two series even with one tag, each side's error rate from injected
 * failures (and the release refusing on it), and the contract's verdict on a
 * production whose history began before telemetry existed.
 */
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { planContract } from '../../../scripts/lib/contract.ts';
import { opsSummarySchema } from '../../../scripts/lib/ops-summary.ts';
import { errorRateGate } from '../../../scripts/lib/release-plan.ts';
import type { OpsSummary } from '../../../worker/ops/summary.ts';
import { release1Learner } from '../migrations/release1.ts';
import { TestClock, v1App } from '../v1/client.ts';
import { clockAt, publishBuild, versionApp } from './app.ts';

async function summary(w: ReturnType<typeof versionApp>, query = ''): Promise<OpsSummary> {
  const res = await w.ops(`/ops/api/summary${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as OpsSummary;
}

beforeAll(async () => {
  await publishBuild('page-r1', 1);
});

describe('two sides of a split deployment', () => {
  it('are two series and two verdicts even when both versions carry one tag', async () => {
    const clock = clockAt(3000);
    // The same tag uploaded twice (the mistake the release now refuses, but a hand-made upload can still make).
    const a = versionApp(clock, { version: '11111111-aaaa', tag: 'v2.2.0', build: 'page-a' });
    const b = versionApp(clock, { version: '22222222-bbbb', tag: 'v2.2.0', build: 'page-b' });
    for (let i = 0; i < 3; i++) await a.apiCall('page-a', 2);
    await b.apiCall('page-b', 2);
    const s = await summary(b, '?minutes=1');
    expect(s.workerVersions.map(({ name, label, total }) => ({ name, label, total }))).toEqual([
      { name: '11111111-aaaa', label: 'v2.2.0 (11111111)', total: 3 },
      { name: '22222222-bbbb', label: 'v2.2.0 (22222222)', total: 1 },
    ]);
    expect(s.verdicts.filter((v) => v.tag === 'v2.2.0').map((v) => [v.version, v.current])).toEqual([
      ['11111111-aaaa', false],
      ['22222222-bbbb', true],
    ]);
    const page = await (await b.ops('/ops?minutes=1')).text();
    expect(page).toContain('v2.2.0 (11111111) (3)');
    expect(page).toContain('v2.2.0 (22222222) (1)');
  });
});

describe('error rate per version', () => {
  it('shows each side from its own answers, and the release refuses to raise the worse one', async () => {
    const clock = clockAt(3100);
    const old = versionApp(clock, { version: 'old-3100', tag: 'v2.1.0', build: 'page-old' });
    const next = versionApp(clock, { version: 'new-3100', tag: 'v2.2.0', build: 'page-new' });
    for (let i = 0; i < 40; i++) expect((await old.apiCall('page-old', 2)).status).toBe(200);
    await old.request('/api/v1/nowhere');
    // The new version has a fault: 4 of its 20 sign-ups fail inside it.
    const broken = next.failingD1(() => new Error('injected fault in the new version'));
    const signUp = { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: '{"nickname":"hana"}' };
    for (let i = 0; i < 16; i++) expect((await next.apiCall('page-new', 2)).status).toBe(200);
    for (let i = 0; i < 4; i++) expect((await broken.request('/api/v1/members', signUp)).status).toBe(500);

    const s = await summary(next, '?errors=5');
    expect(s.errors.minutes).toBe(5);
    const pick = (id: string) => s.errors.versions.find((v) => v.version === id);
    expect(pick('new-3100')).toMatchObject({
      tag: 'v2.2.0',
      current: true,
      answers: 20,
      serverErrors: 4,
      errorRate: 0.2,
      families: { '2xx': 16, '5xx': 4 },
    });
    expect(pick('old-3100')).toMatchObject({
      tag: 'v2.1.0',
      current: false,
      answers: 41,
      serverErrors: 0,
      errorRate: 0,
      statuses: { '200': 40, '404': 1 },
    });
    expect(s.errors.versions[0]?.version).toBe('new-3100');

    const page = await (await next.ops('/ops?errors=5')).text();
    expect(page).toMatch(/<tr data-version="new-3100">[\s\S]*?<strong>20\.00 %<\/strong> \(4\)/);
    expect(page).toMatch(/<tr data-version="old-3100">[\s\S]*?<strong>0\.00 %<\/strong> \(0\)/);

    // What `npm run release -- --version new-3100 --from old-3100` reads, and decides.
    const read = opsSummarySchema.parse(s);
    const gate = errorRateGate({
      minutes: 5,
      versions: read.errors?.versions ?? [],
      from: 'old-3100',
      to: 'new-3100',
      marginPoints: 1,
    });
    expect(gate.ok).toBe(false);
    expect(gate.figures.slice(0, 2)).toEqual([
      'old old-3100: 0 of 41 answers were 5xx (0.00 %) in the last 5 minutes',
      'new new-3100: 4 of 20 answers were 5xx (20.00 %) in the last 5 minutes',
    ]);
  });

  it('refuses an errors window it does not know', async () => {
    const w = versionApp(clockAt(3101), { version: 'v-3101', build: 'page-3101' });
    const res = await w.ops('/ops/api/summary?errors=0');
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      error: 'invalid_query',
      message: 'errors: a whole number of minutes from 1 to 1440',
    });
  });
});

describe('retiring releases that never wrote telemetry', () => {
  it('the contract refuses while Release 1 clients call or their studies run, and passes once they are gone', async () => {
    // Production before telemetry: Release 1 served alone, and a learner started a solo study.
    const release1 = v1App({ release: '1.0.0' });
    release1.clock.time = Date.UTC(2030, 0, 1, 8);
    const learner = await release1Learner(release1, 'mina');
    await learner.create();

    // An hour later the current release serves (the first version that writes telemetry); a Release 1 page is still open.
    const clock = new TestClock();
    clock.time = release1.clock.time + 3_600_000;
    const current = versionApp(clock, { version: '0c0c0c0c-current', tag: 'v2.2.0', build: 'page-current' });
    await current.apiCall('page-current', 2);
    await current.apiCall('page-r1', 1);

    const contract = async () => {
      const read = opsSummarySchema.parse(await summary(current));
      return planContract({
        summary: read,
        retire: ['v1.0.0', 'v1.5.0'],
        releaseLevels: new Map([
          ['v1.0.0', 1],
          ['v1.5.0', 1],
        ]),
        deployments: {
          versions: [{ id: '0c0c0c0c-current', createdOn: '2030-01-01T09:00:00Z', tag: 'v2.2.0' }],
          deployed: ['0c0c0c0c-current'],
        },
        contract: env.CONTRACT_SQL[0] as (typeof env.CONTRACT_SQL)[number],
        migrations: env.MIGRATION_SQL,
        target: ['--remote'],
      });
    };

    const level1 = (s: OpsSummary) => s.levels.find((l) => l.apiLevel === 1);
    expect(level1(await summary(current))).toMatchObject({
      builds: ['page-r1'],
      recentRequests: 1,
      studiesFromBefore: { solo: 1, group: 0 },
      safeToRetire: false,
    });
    const first = await contract();
    expect(first.ok).toBe(false);
    expect(first.ok ? [] : first.problems).toEqual([
      'v1.0.0 wrote no telemetry; its API level 1 is not safe to retire yet: telemetry began 0 minutes ago, less than the 30 minutes quiet window; ' +
        '1 request at API level 1 or from its builds in the last 30 minutes; 1 study from before telemetry began still in progress (1 solo, 0 group)',
      'v1.5.0 wrote no telemetry; its API level 1 is not safe to retire yet: telemetry began 0 minutes ago, less than the 30 minutes quiet window; ' +
        '1 request at API level 1 or from its builds in the last 30 minutes; 1 study from before telemetry began still in progress (1 solo, 0 group)',
    ]);

    // 40 minutes on, the page has gone quiet, but its study may still come back.
    clock.advanceMinutes(40);
    const quiet = await contract();
    expect(quiet.ok ? [] : quiet.problems).toEqual([
      'v1.0.0 wrote no telemetry; its API level 1 is not safe to retire yet: 1 study from before telemetry began still in progress (1 solo, 0 group)',
      'v1.5.0 wrote no telemetry; its API level 1 is not safe to retire yet: 1 study from before telemetry began still in progress (1 solo, 0 group)',
    ]);

    // A day later the study counts as abandoned and no Release 1 client called: the contract may run.
    clock.advanceMinutes(24 * 60);
    await current.apiCall('page-current', 2);
    const done = await contract();
    expect(done.ok).toBe(true);
    expect(level1(await summary(current))).toMatchObject({
      recentRequests: 0,
      studiesFromBefore: { solo: 0, group: 0 },
      safeToRetire: true,
    });
  });
});
