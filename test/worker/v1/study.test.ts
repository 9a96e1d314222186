/**
 * Solo study over HTTP and D1: create within the limits, go through every
 * step with a hand-moved clock, deadlines that stay absolute, and every
 * refusal (400/403/404/409) leaving the stored state as it was.
 */
import { describe, expect, it } from 'vitest';
import type { ProgressView, StudyPage } from '../../../shared/index.ts';
import { expectJsonError } from '../helpers.ts';
import { createStudy, ok, PLAN, RETRO, signUp, tableCounts, type V1App, v1App } from './client.ts';

const MINUTE = 60_000;

async function advance(api: V1App, token: string, me: { progressId: string; step: string; cycle: number }) {
  return ok<ProgressView>(
    api.call('POST', `/progress/${me.progressId}/advance`, { from: { step: me.step, cycle: me.cycle } }, token),
  );
}

describe('creating a study', () => {
  it('starts the host planning cycle 1 with a 10-minute deadline', async () => {
    const api = v1App();
    const { token, member } = await signUp(api);
    const page = await createStudy(api, token, { totalCycles: 3, minutesPerCycle: 40 });
    expect(page.study).toMatchObject({ name: 'math', totalCycles: 3, minutesPerCycle: 40, mode: 'solo', code: null });
    expect(page.me).toMatchObject({ step: 'planning', cycle: 1, isHost: true, nickname: member.nickname, plan: null });
    expect(page.me.deadline).toBe(api.clock.now() + 10 * MINUTE);
    expect(page.participants).toHaveLength(1);
    expect(page.serverNow).toBe(api.clock.now());
  });

  it('Release 1 gave a group study a 6-letter code', async () => {
    const api = v1App({ release: '1.0.0' });
    const { token } = await signUp(api);
    const page = await createStudy(api, token, { mode: 'group', nickname: 'host' });
    expect(page.study.mode).toBe('group');
    expect(page.study.code).toMatch(/^[A-Z]{6}$/);
    expect(page.me.nickname).toBe('host');
  });

  it.each([
    ['name too long', { name: 'abcdefghijk' }],
    ['empty name', { name: ' ' }],
    ['0 cycles', { totalCycles: 0 }],
    ['9 cycles', { totalCycles: 9 }],
    ['fractional cycles', { totalCycles: 1.5 }],
    ['15 minutes', { minutesPerCycle: 15 }],
    ['65 minutes', { minutesPerCycle: 65 }],
    ['23 minutes (not a multiple of 5)', { minutesPerCycle: 23 }],
    ['unknown mode', { mode: 'party' }],
  ])('refuses %s with 400 and stores nothing', async (_, change) => {
    const api = v1App();
    const { token } = await signUp(api);
    const before = await tableCounts();
    const res = await api.call(
      'POST',
      '/studies',
      { name: 'math', totalCycles: 1, minutesPerCycle: 25, mode: 'solo', ...change },
      token,
    );
    await expectJsonError(res, 400, 'invalid_body');
    expect(await tableCounts()).toEqual(before);
  });

  it('uses at most two D1 round trips', async () => {
    const api = v1App();
    const { token } = await signUp(api);
    api.d1.reset();
    await createStudy(api, token);
    expect(api.d1.trips()).toBeLessThanOrEqual(2);
  });
});

describe('going through a study', () => {
  it('plans, studies, looks back and finishes a one-cycle study', async () => {
    const api = v1App();
    const { token } = await signUp(api);
    const page = await createStudy(api, token, { minutesPerCycle: 60 });
    const id = page.me.progressId;

    api.clock.advanceMinutes(3);
    const planned = await ok<ProgressView>(api.call('PUT', `/progress/${id}/plan`, { cycle: 1, plan: PLAN }, token));
    expect(planned.plan).toEqual(PLAN);
    expect(planned.step).toBe('planning');

    api.clock.advanceMinutes(1);
    const studying = await advance(api, token, planned);
    expect(studying).toMatchObject({ step: 'studying', cycle: 1, plan: PLAN, stepStartedAt: api.clock.now() });
    expect(studying.deadline).toBe(api.clock.now() + 60 * MINUTE);

    // Time being up moves nobody: an hour later the learner is still studying.
    api.clock.advanceMinutes(75);
    const later = await ok<StudyPage>(api.call('GET', `/studies/${page.study.id}`, undefined, token));
    expect(later.me.step).toBe('studying');
    expect(later.me.deadline).toBe(studying.deadline);
    expect(later.serverNow).toBe(api.clock.now());

    const retro = await advance(api, token, later.me);
    expect(retro).toMatchObject({ step: 'retrospect', cycle: 1, retrospect: null });
    expect(retro.deadline).toBe(api.clock.now() + 10 * MINUTE);
    const looked = await ok<ProgressView>(
      api.call('PUT', `/progress/${id}/retrospect`, { cycle: 1, retrospect: RETRO }, token),
    );
    expect(looked.retrospect).toEqual(RETRO);

    const done = await advance(api, token, looked);
    expect(done).toMatchObject({ step: 'done', cycle: 1, deadline: null });
    await expectJsonError(
      await api.call('POST', `/progress/${id}/advance`, { from: { step: 'done', cycle: 1 } }, token),
      409,
      'stale_step',
    );
  });

  it('goes on to planning the next cycle after a retrospect', async () => {
    const api = v1App();
    const { token } = await signUp(api);
    const page = await createStudy(api, token, { totalCycles: 2 });
    const id = page.me.progressId;
    await ok(api.call('PUT', `/progress/${id}/plan`, { cycle: 1, plan: PLAN }, token));
    let me = await advance(api, token, page.me);
    me = await advance(api, token, me);
    await ok(api.call('PUT', `/progress/${id}/retrospect`, { cycle: 1, retrospect: RETRO }, token));
    me = await advance(api, token, me);
    expect(me).toMatchObject({ step: 'planning', cycle: 2, plan: null, retrospect: null });
    // The first cycle's answers are kept.
    const records = await ok<{ participants: { cycles: unknown[] }[] }>(
      api.call('GET', `/studies/${page.study.id}/records`, undefined, token),
    );
    expect(records.participants[0]?.cycles).toEqual([{ cycle: 1, plan: PLAN, retrospect: RETRO }]);
  });

  it('replaces a saved plan while still planning', async () => {
    const api = v1App();
    const { token } = await signUp(api);
    const page = await createStudy(api, token);
    const id = page.me.progressId;
    await ok(api.call('PUT', `/progress/${id}/plan`, { cycle: 1, plan: PLAN }, token));
    const second = { ...PLAN, toDo: 'read chapter 4', whatCanYouDo: 'ask a friend' };
    const saved = await ok<ProgressView>(api.call('PUT', `/progress/${id}/plan`, { cycle: 1, plan: second }, token));
    expect(saved.plan).toEqual(second);
    expect((await tableCounts()).pomodoro_content).toBeGreaterThan(0);
  });

  it('each call stays within two D1 round trips', async () => {
    const api = v1App();
    const { token } = await signUp(api);
    const page = await createStudy(api, token);
    const id = page.me.progressId;
    const calls: [string, string, unknown][] = [
      ['GET', `/studies/${page.study.id}`, undefined],
      ['PUT', `/progress/${id}/plan`, { cycle: 1, plan: PLAN }],
      ['POST', `/progress/${id}/advance`, { from: { step: 'planning', cycle: 1 } }],
      ['GET', `/studies/${page.study.id}/records`, undefined],
      ['GET', '/me/records', undefined],
      ['GET', '/members/me', undefined],
    ];
    for (const [method, path, body] of calls) {
      api.d1.reset();
      const res = await api.call(method, path, body, token);
      expect(res.status, `${method} ${path}`).toBe(200);
      expect(api.d1.trips(), `${method} ${path}`).toBeLessThanOrEqual(2);
    }
  });
});

describe('refusals change nothing', () => {
  async function planningStudy() {
    const api = v1App();
    const { token } = await signUp(api);
    const page = await createStudy(api, token);
    return { api, token, page, id: page.me.progressId };
  }

  it('409 answer_required when leaving planning without a plan', async () => {
    const { api, token, page, id } = await planningStudy();
    const res = await api.call('POST', `/progress/${id}/advance`, { from: { step: 'planning', cycle: 1 } }, token);
    expect((await expectJsonError(res, 409, 'answer_required')).required).toBe('plan');
    const after = await ok<StudyPage>(api.call('GET', `/studies/${page.study.id}`, undefined, token));
    expect(after.me).toEqual(page.me);
  });

  it('409 stale_step when the client shows another step (a second device moved on)', async () => {
    const { api, token, page, id } = await planningStudy();
    await ok(api.call('PUT', `/progress/${id}/plan`, { cycle: 1, plan: PLAN }, token));
    const res = await api.call('POST', `/progress/${id}/advance`, { from: { step: 'studying', cycle: 1 } }, token);
    const body = await expectJsonError(res, 409, 'stale_step');
    expect(body).toMatchObject({ step: 'planning', cycle: 1 });
    const after = await ok<StudyPage>(api.call('GET', `/studies/${page.study.id}`, undefined, token));
    expect(after.me.step).toBe('planning');
  });

  it('409 wrong_step for a retrospect while planning, or a plan for another cycle', async () => {
    const { api, token, id } = await planningStudy();
    const before = await tableCounts();
    await expectJsonError(
      await api.call('PUT', `/progress/${id}/retrospect`, { cycle: 1, retrospect: RETRO }, token),
      409,
      'wrong_step',
    );
    await expectJsonError(
      await api.call('PUT', `/progress/${id}/plan`, { cycle: 2, plan: PLAN }, token),
      409,
      'wrong_step',
    );
    expect(await tableCounts()).toEqual(before);
  });

  it('400 for answers that break the limits', async () => {
    const { api, token, id } = await planningStudy();
    const before = await tableCounts();
    for (const plan of [
      { ...PLAN, toDo: '' },
      { ...PLAN, toDo: 'x'.repeat(501) },
      { toDo: 'only this' },
      { ...PLAN, mood: 'x' },
    ]) {
      await expectJsonError(
        await api.call('PUT', `/progress/${id}/plan`, { cycle: 1, plan }, token),
        400,
        'invalid_body',
      );
    }
    await expectJsonError(
      await api.call('POST', `/progress/${id}/advance`, { from: { step: 'resting', cycle: 1 } }, token),
      400,
      'invalid_body',
    );
    expect(await tableCounts()).toEqual(before);
  });

  it("403 for someone else's progress, 404 for none", async () => {
    const { api, token, page, id } = await planningStudy();
    const other = await signUp(api, 'mallory');
    const before = await tableCounts();
    await expectJsonError(
      await api.call('PUT', `/progress/${id}/plan`, { cycle: 1, plan: PLAN }, other.token),
      403,
      'not_your_progress',
    );
    await expectJsonError(
      await api.call('POST', `/progress/${id}/advance`, { from: { step: 'planning', cycle: 1 } }, other.token),
      403,
      'not_your_progress',
    );
    await expectJsonError(
      await api.call('GET', `/studies/${page.study.id}`, undefined, other.token),
      403,
      'not_a_participant',
    );
    await expectJsonError(
      await api.call('PUT', `/progress/${crypto.randomUUID()}/plan`, { cycle: 1, plan: PLAN }, token),
      404,
      'progress_not_found',
    );
    await expectJsonError(
      await api.call('GET', `/studies/${crypto.randomUUID()}`, undefined, token),
      404,
      'study_not_found',
    );
    expect(await tableCounts()).toEqual(before);
  });

  it('405 for wrong methods', async () => {
    const { api, token, page, id } = await planningStudy();
    for (const [method, path, allow] of [
      ['DELETE', `/studies/${page.study.id}`, 'GET, HEAD'],
      ['GET', '/studies', 'POST'],
      ['POST', `/progress/${id}/plan`, 'PUT'],
      ['GET', `/progress/${id}/advance`, 'POST'],
    ] as const) {
      const res = await api.call(method, path, undefined, token);
      await expectJsonError(res, 405, 'method_not_allowed');
      expect(res.headers.get('Allow')).toBe(allow);
    }
  });
});
