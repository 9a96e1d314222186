/**
 * Records: a study's answers for every participant and cycle (participants
 * only), and a learner's own history by date range with keyset pagination.
 */
import { describe, expect, it } from 'vitest';
import type { MyRecordsPage, StudyPage, StudyRecords } from '../../../shared/index.ts';
import { expectJsonError } from '../helpers.ts';
import { createStudy, ok, PLAN, signUp, v1App } from './client.ts';

const DAY = 24 * 60 * 60_000;

describe('GET /api/v1/studies/:id/records', () => {
  it("shows every participant's answers per cycle to participants only (a Release 1 group study)", async () => {
    // Written by Release 1 (its own code), read by this release: the same D1 during a rollout.
    const api = v1App({ release: '1.0.0' });
    const reader = v1App();
    const host = await signUp(api, 'host');
    const page = await createStudy(api, host.token, { mode: 'group' });
    const guest = await signUp(api, 'guest');
    const joined = await ok<StudyPage>(
      api.call('POST', '/studies/join', { code: page.study.code, nickname: 'g' }, guest.token),
      201,
    );
    const guestPlan = { ...PLAN, toDo: 'vocabulary', expectedDifficulty: 'low' };
    await ok(api.call('PUT', `/progress/${page.me.progressId}/plan`, { cycle: 1, plan: PLAN }, host.token));
    await ok(api.call('PUT', `/progress/${joined.me.progressId}/plan`, { cycle: 1, plan: guestPlan }, guest.token));

    const records = await ok<StudyRecords>(
      reader.call('GET', `/studies/${page.study.id}/records`, undefined, guest.token),
    );
    expect(records.study.id).toBe(page.study.id);
    expect(records.participants.map((p) => [p.nickname, p.isHost, p.cycles])).toEqual([
      ['host', true, [{ cycle: 1, plan: PLAN, retrospect: null }]],
      ['g', false, [{ cycle: 1, plan: guestPlan, retrospect: null }]],
    ]);

    const stranger = await signUp(api, 'stranger');
    await expectJsonError(
      await reader.call('GET', `/studies/${page.study.id}/records`, undefined, stranger.token),
      403,
      'not_a_participant',
    );
    await expectJsonError(
      await reader.call('GET', `/studies/${crypto.randomUUID()}/records`, undefined, host.token),
      404,
      'study_not_found',
    );
  });
});

describe('GET /api/v1/me/records', () => {
  async function historyOfFive() {
    const api = v1App();
    const me = await signUp(api);
    const other = await signUp(api, 'other');
    const ids: string[] = [];
    for (let day = 0; day < 5; day += 1) {
      ids.push((await createStudy(api, me.token, { name: `s${day}` })).study.id);
      await createStudy(api, other.token, { name: `o${day}` });
      api.clock.time += DAY;
    }
    return { api, me, ids: ids.reverse(), start: api.clock.time - 5 * DAY };
  }

  it('lists only my studies, newest first, a page at a time', async () => {
    const { api, me, ids } = await historyOfFive();
    const first = await ok<MyRecordsPage>(api.call('GET', '/me/records?limit=2', undefined, me.token));
    expect(first.items.map((i) => i.study.id)).toEqual(ids.slice(0, 2));
    expect(first.nextCursor).toEqual(expect.any(String));
    const second = await ok<MyRecordsPage>(
      api.call('GET', `/me/records?limit=2&cursor=${encodeURIComponent(first.nextCursor ?? '')}`, undefined, me.token),
    );
    expect(second.items.map((i) => i.study.id)).toEqual(ids.slice(2, 4));
    const third = await ok<MyRecordsPage>(
      api.call('GET', `/me/records?limit=2&cursor=${encodeURIComponent(second.nextCursor ?? '')}`, undefined, me.token),
    );
    expect(third.items.map((i) => i.study.id)).toEqual(ids.slice(4));
    expect(third.nextCursor).toBeNull();
    expect(first.items[0]).toMatchObject({ step: 'planning', cycle: 1, nickname: 'hana' });
  });

  it('filters by a date range [from, to)', async () => {
    const { api, me, ids, start } = await historyOfFive();
    const page = await ok<MyRecordsPage>(
      api.call('GET', `/me/records?from=${start + DAY}&to=${start + 3 * DAY}`, undefined, me.token),
    );
    // Days 1 and 2 of 0..4; ids are newest first.
    expect(page.items.map((i) => i.study.id)).toEqual([ids[2], ids[3]]);
  });

  it.each(['limit=0', 'limit=51', 'limit=abc', 'from=-1', 'cursor=bm90LWEtY3Vyc29y', 'colour=red'])(
    '400 invalid_query for %s',
    async (query) => {
      const api = v1App();
      const me = await signUp(api);
      await expectJsonError(await api.call('GET', `/me/records?${query}`, undefined, me.token), 400, 'invalid_query');
    },
  );
});
