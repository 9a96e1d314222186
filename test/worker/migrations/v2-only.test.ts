/**
 * Release 2 reads and writes only the v2 tables: with the v1 tables and the
 * sync triggers gone (what a later contract step will do), a whole solo study
 * still runs through the v1 API, and its records are there. A Release 1 group
 * study can still be looked at under Release 2 but no longer changed.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { MyRecordsPage, StudyPage, StudyRecords } from '../../../shared/index.ts';
import { expectJsonError } from '../helpers.ts';
import { createStudy, finishOneCycleSolo, ok, PLAN, RETRO, signUp, v1App } from '../v1/client.ts';
import { EXPAND_V2, migrateTo } from './shapes.ts';

/** Drops every sync trigger and view, then the v1 study tables: only `member` and the v2 tables stay. */
async function dropV1Shape(): Promise<void> {
  const { results } = await env.DB.prepare(
    "SELECT type, name FROM sqlite_master WHERE name LIKE 'sync_%' AND type IN ('trigger', 'view')",
  ).all<{
    type: string;
    name: string;
  }>();
  const drops = results.map((row) => `DROP ${row.type.toUpperCase()} ${row.name}`);
  drops.push(
    ...['pomodoro_content', 'pomodoro_progress', 'participant_code', 'pomodoro_study'].map(
      (table) => `DROP TABLE ${table}`,
    ),
  );
  await env.DB.batch(drops.map((sql) => env.DB.prepare(sql)));
}

describe('Release 2 without the v1 tables', () => {
  it('runs a whole solo study through the v1 API and keeps its records', async () => {
    await migrateTo(EXPAND_V2, { fresh: true });
    await dropV1Shape();
    const api = v1App();
    const { token } = await signUp(api);
    const page = await finishOneCycleSolo(api, token);
    const records = await ok<StudyRecords>(api.call('GET', `/studies/${page.study.id}/records`, undefined, token));
    expect(records.participants[0]?.cycles).toEqual([{ cycle: 1, plan: PLAN, retrospect: RETRO }]);
    const mine = await ok<MyRecordsPage>(api.call('GET', '/me/records', undefined, token));
    expect(mine.items.map((item) => [item.study.id, item.step])).toEqual([[page.study.id, 'done']]);
  });
});

describe('a Release 1 group study under Release 2', () => {
  it('can be looked at, and refuses changes with a clear 409', async () => {
    await migrateTo(EXPAND_V2, { fresh: true });
    const release1 = v1App({ release: '1.0.0' });
    const host = await signUp(release1, 'host');
    const created = await createStudy(release1, host.token, { mode: 'group' });
    const release2 = v1App();
    const page = await ok<StudyPage>(release2.call('GET', `/studies/${created.study.id}`, undefined, host.token));
    expect(page.study).toMatchObject({ id: created.study.id, mode: 'group', code: created.study.code });
    const id = page.me.progressId;
    await expectJsonError(
      await release2.call('PUT', `/progress/${id}/plan`, { cycle: 1, plan: PLAN }, host.token),
      409,
      'group_study_closed',
    );
    await expectJsonError(
      await release2.call('POST', `/progress/${id}/advance`, { from: { step: 'planning', cycle: 1 } }, host.token),
      409,
      'group_study_closed',
    );
  });
});
