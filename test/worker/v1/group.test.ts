/**
 * v1 group study. Release 1 (its own code, as released) keeps working with
 * migration 0002's triggers in place, as it must while both releases serve
 * during a rollout: join with a code and a nickname, resume on a second join,
 * clear refusals, every learner moving on their own. This release answers the
 * same requests with the compat answer: group study is live in rooms now.
 */
import { describe, expect, it } from 'vitest';
import type { ProgressView, StudyPage } from '../../../shared/index.ts';
import { expectJsonError } from '../helpers.ts';
import { createStudy, ok, PLAN, RETRO, signUp, tableCounts, v1App } from './client.ts';

async function groupStudy() {
  const api = v1App({ release: '1.0.0' });
  const host = await signUp(api, 'host');
  const page = await createStudy(api, host.token, { mode: 'group' });
  return { api, host, page, code: page.study.code as string };
}

describe('this release: v1 group requests get the compat answer', () => {
  it('refuses to create or join a v1 group study, with X-Haru-Compat: reload, and stores nothing', async () => {
    const api = v1App();
    const { token } = await signUp(api);
    const before = await tableCounts();
    for (const res of [
      await api.call('POST', '/studies', { name: 'g', totalCycles: 1, minutesPerCycle: 25, mode: 'group' }, token),
      await api.call('POST', '/studies/join', { code: 'ABCDEF', nickname: 'g' }, token),
    ]) {
      const body = await expectJsonError(res, 409, 'client_outdated');
      expect(res.headers.get('X-Haru-Compat')).toBe('reload');
      expect(body.apiRange).toEqual({ min: 1, max: 1 });
    }
    expect(await tableCounts()).toEqual(before);
  });
});

describe('Release 1: POST /api/v1/studies/join', () => {
  it('joins with a code in any case and a study nickname', async () => {
    const { api, page, code } = await groupStudy();
    const guest = await signUp(api, 'guest');
    const joined = await ok<StudyPage>(
      api.call('POST', '/studies/join', { code: code.toLowerCase(), nickname: '민지' }, guest.token),
      201,
    );
    expect(joined.study.id).toBe(page.study.id);
    expect(joined.me).toMatchObject({ nickname: '민지', isHost: false, step: 'planning', cycle: 1 });
    expect(joined.participants.map((p) => p.nickname)).toEqual(['host', '민지']);
  });

  it('resumes instead of joining twice', async () => {
    const { api, code } = await groupStudy();
    const guest = await signUp(api, 'guest');
    const first = await ok<StudyPage>(api.call('POST', '/studies/join', { code, nickname: 'g' }, guest.token), 201);
    const before = await tableCounts();
    const again = await ok<StudyPage>(api.call('POST', '/studies/join', { code, nickname: 'g2' }, guest.token), 200);
    expect(again.me.progressId).toBe(first.me.progressId);
    expect(await tableCounts()).toEqual(before);
  });

  it('404 study_not_found for an unknown code, 400 for a malformed one', async () => {
    const { api } = await groupStudy();
    const guest = await signUp(api, 'guest');
    const before = await tableCounts();
    const res = await api.call('POST', '/studies/join', { code: 'ZZZZZZ', nickname: 'g' }, guest.token);
    expect((await expectJsonError(res, 404, 'study_not_found')).message).toContain('ZZZZZZ');
    for (const code of ['ABC', 'ABCDEFG', 'ABC123', '']) {
      await expectJsonError(
        await api.call('POST', '/studies/join', { code, nickname: 'g' }, guest.token),
        400,
        'invalid_body',
      );
    }
    await expectJsonError(
      await api.call('POST', '/studies/join', { code: 'ABCDEF', nickname: '' }, guest.token),
      400,
      'invalid_body',
    );
    expect(await tableCounts()).toEqual(before);
  });

  /** Takes the host of a one-cycle study through to done. */
  async function finishHost({ api, host, page }: Awaited<ReturnType<typeof groupStudy>>) {
    const id = page.me.progressId;
    await ok(api.call('PUT', `/progress/${id}/plan`, { cycle: 1, plan: PLAN }, host.token));
    for (const step of ['planning', 'studying']) {
      await ok(api.call('POST', `/progress/${id}/advance`, { from: { step, cycle: 1 } }, host.token));
    }
    await ok(api.call('PUT', `/progress/${id}/retrospect`, { cycle: 1, retrospect: RETRO }, host.token));
    await ok(api.call('POST', `/progress/${id}/advance`, { from: { step: 'retrospect', cycle: 1 } }, host.token));
  }

  it('409 study_done once every participant has finished', async () => {
    const study = await groupStudy();
    const { api, code } = study;
    await finishHost(study);
    const late = await signUp(api, 'late');
    const before = await tableCounts();
    await expectJsonError(
      await api.call('POST', '/studies/join', { code, nickname: 'late' }, late.token),
      409,
      'study_done',
    );
    expect(await tableCounts()).toEqual(before);
  });

  it('still lets learners join while someone is studying, even when the host is done', async () => {
    const study = await groupStudy();
    const { api, code } = study;
    const guest = await signUp(api, 'guest');
    await ok(api.call('POST', '/studies/join', { code, nickname: 'g' }, guest.token), 201);
    await finishHost(study);
    const late = await signUp(api, 'late');
    const joined = await ok<StudyPage>(api.call('POST', '/studies/join', { code, nickname: 'late' }, late.token), 201);
    expect(joined.participants.map((p) => p.step)).toEqual(['done', 'planning', 'planning']);
  });

  it('lets each learner move on their own', async () => {
    const { api, host, page, code } = await groupStudy();
    const guest = await signUp(api, 'guest');
    const joined = await ok<StudyPage>(api.call('POST', '/studies/join', { code, nickname: 'g' }, guest.token), 201);
    await ok(api.call('PUT', `/progress/${page.me.progressId}/plan`, { cycle: 1, plan: PLAN }, host.token));
    const hostMoved = await ok<ProgressView>(
      api.call('POST', `/progress/${page.me.progressId}/advance`, { from: { step: 'planning', cycle: 1 } }, host.token),
    );
    expect(hostMoved.step).toBe('studying');
    const guestView = await ok<StudyPage>(api.call('GET', `/studies/${page.study.id}`, undefined, guest.token));
    expect(guestView.me).toMatchObject({ progressId: joined.me.progressId, step: 'planning' });
    expect(guestView.participants.find((p) => p.isHost)?.step).toBe('studying');
    // The guest cannot move the host.
    await expectJsonError(
      await api.call(
        'POST',
        `/progress/${page.me.progressId}/advance`,
        { from: { step: 'studying', cycle: 1 } },
        guest.token,
      ),
      403,
      'not_your_progress',
    );
  });

  it('stays within two D1 round trips', async () => {
    const { api, code } = await groupStudy();
    const guest = await signUp(api, 'guest');
    api.d1.reset();
    await ok(api.call('POST', '/studies/join', { code, nickname: 'g' }, guest.token), 201);
    expect(api.d1.trips()).toBeLessThanOrEqual(2);
    api.d1.reset();
    await ok(api.call('POST', '/studies/join', { code, nickname: 'g' }, guest.token), 200);
    expect(api.d1.trips()).toBeLessThanOrEqual(2);
  });
});
