/**
 * Ending a solo study (`POST /api/v1/progress/:id/end`): it becomes done where
 * it stands with every answer kept, ending again changes nothing, and every
 * refusal (400/403/404/405/409) leaves the stored study as it was.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { ProgressView, StudyPage, StudyRecords } from '../../../shared/index.ts';
import { expectJsonError } from '../helpers.ts';
import { createStudy, ok, PLAN, signUp, tableCounts, v1App } from './client.ts';

/** A two-cycle solo study whose learner saved a plan and went on to study, then walked away. */
async function abandonedStudy() {
  const api = v1App();
  const { token } = await signUp(api);
  const page = await createStudy(api, token, { totalCycles: 2 });
  const id = page.me.progressId;
  await ok(api.call('PUT', `/progress/${id}/plan`, { cycle: 1, plan: PLAN }, token));
  await ok(api.call('POST', `/progress/${id}/advance`, { from: { step: 'planning', cycle: 1 } }, token));
  // Three days later the deadline is long past, and nothing moved it.
  api.clock.advanceMinutes(3 * 24 * 60);
  return { api, token, page, id };
}

/** The study row as stored. */
const storedStudy = (studyId: string) =>
  env.DB.prepare('SELECT step, current_cycle, step_deadline, updated_at FROM study WHERE id = ?').bind(studyId).first();

describe('ending a solo study', () => {
  it('makes it done where it stands, keeping the plan, for this release and the previous one', async () => {
    const { api, token, page, id } = await abandonedStudy();
    const ended = await ok<ProgressView>(api.call('POST', `/progress/${id}/end`, {}, token));
    expect(ended).toMatchObject({ step: 'done', cycle: 1, deadline: null, plan: PLAN, studyId: page.study.id });
    expect(await storedStudy(page.study.id)).toEqual({
      step: 'done',
      current_cycle: 1,
      step_deadline: null,
      updated_at: api.clock.now(),
    });
    const after = await ok<StudyPage>(api.call('GET', `/studies/${page.study.id}`, undefined, token));
    expect(after.me).toEqual(ended);
    const records = await ok<StudyRecords>(api.call('GET', `/studies/${page.study.id}/records`, undefined, token));
    expect(records.participants[0]).toMatchObject({ step: 'done', cycle: 1, cycles: [{ cycle: 1, plan: PLAN }] });
    // The sync triggers carry it to the per-learner tables an older worker still reads.
    const old = await env.DB.prepare('SELECT status, current_cycle FROM pomodoro_progress WHERE id = ?')
      .bind(id)
      .first();
    expect(old).toEqual({ status: 'done', current_cycle: 1 });
    const previous = v1App({ release: 'previous' });
    const seenBefore = await ok<StudyPage>(previous.call('GET', `/studies/${page.study.id}`, undefined, token));
    expect(seenBefore.me).toMatchObject({ step: 'done', cycle: 1 });
  });

  it('takes no body as well as an empty one, and ending again changes nothing', async () => {
    const { api, token, page, id } = await abandonedStudy();
    const first = await ok<ProgressView>(api.call('POST', `/progress/${id}/end`, undefined, token));
    const stored = await storedStudy(page.study.id);
    api.clock.advanceMinutes(5);
    const again = await ok<ProgressView>(api.call('POST', `/progress/${id}/end`, {}, token));
    expect(again).toEqual(first);
    expect(await storedStudy(page.study.id)).toEqual(stored);
  });

  it('ends a study in the retrospect of its last cycle, then leaves it as it is', async () => {
    const api = v1App();
    const { token } = await signUp(api);
    const page = await createStudy(api, token);
    const id = page.me.progressId;
    await ok(api.call('PUT', `/progress/${id}/plan`, { cycle: 1, plan: PLAN }, token));
    for (const step of ['planning', 'studying'])
      await ok(api.call('POST', `/progress/${id}/advance`, { from: { step, cycle: 1 } }, token));
    const stored = await storedStudy(page.study.id);
    const ended = await ok<ProgressView>(api.call('POST', `/progress/${id}/end`, {}, token));
    expect(ended).toMatchObject({ step: 'done', cycle: 1 });
    // Ending from retrospect of the last cycle is a real end: done, the deadline gone.
    expect(await storedStudy(page.study.id)).not.toEqual(stored);
    const done = await storedStudy(page.study.id);
    await ok(api.call('POST', `/progress/${id}/end`, {}, token));
    expect(await storedStudy(page.study.id)).toEqual(done);
  });
});

describe('refusals change nothing', () => {
  it('400 invalid_body for a field, 415 for a body that is not JSON', async () => {
    const { api, token, page, id } = await abandonedStudy();
    const before = { counts: await tableCounts(), study: await storedStudy(page.study.id) };
    await expectJsonError(await api.call('POST', `/progress/${id}/end`, { now: true }, token), 400, 'invalid_body');
    await expectJsonError(await api.call('POST', `/progress/${id}/end`, '{', token), 400, 'invalid_json');
    expect({ counts: await tableCounts(), study: await storedStudy(page.study.id) }).toEqual(before);
  });

  it("403 for someone else's study, 404 for none, 401 without a token, 405 for GET", async () => {
    const { api, token, page, id } = await abandonedStudy();
    const other = await signUp(api, 'mallory');
    const before = { counts: await tableCounts(), study: await storedStudy(page.study.id) };
    await expectJsonError(await api.call('POST', `/progress/${id}/end`, {}, other.token), 403, 'not_your_progress');
    await expectJsonError(
      await api.call('POST', `/progress/${crypto.randomUUID()}/end`, {}, token),
      404,
      'progress_not_found',
    );
    await expectJsonError(await api.call('POST', `/progress/${id}/end`, {}), 401, 'unauthorized');
    const res = await api.call('GET', `/progress/${id}/end`, undefined, token);
    await expectJsonError(res, 405, 'method_not_allowed');
    expect(res.headers.get('Allow')).toBe('POST');
    expect({ counts: await tableCounts(), study: await storedStudy(page.study.id) }).toEqual(before);
  });

  it('409 group_study for a group study, which ends when its host finishes it', async () => {
    const release1 = v1App({ release: '1.0.0' });
    const { token } = await signUp(release1);
    const group = await createStudy(release1, token, { mode: 'group', nickname: 'host' });
    const api = v1App();
    const before = await storedStudy(group.study.id);
    await expectJsonError(
      await api.call('POST', `/progress/${group.me.progressId}/end`, {}, token),
      409,
      'group_study',
    );
    expect(await storedStudy(group.study.id)).toEqual(before);
  });
});
