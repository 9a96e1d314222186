/**
 * Migration 0002 (expand) in the shape pgroll and Reshape test a migration:
 * writes through Release 1's real routes before it are read through Release
 * 2's queries after it; writes through Release 2 are read back through
 * Release 1 (a rollback loses nothing); interleaved writes leave both shapes
 * equal; and the sync triggers never loop, even with recursive triggers on.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { database } from '../../../worker/db/client.ts';
import {
  advanceStudy,
  createStudy,
  handOverHost,
  joinStudy,
  type NewStudy,
  readStudy,
  recordsOf,
  type StudyRow,
  saveAnswer,
} from '../../../worker/db/queries.ts';
import { PLAN, RETRO, v1App } from '../v1/client.ts';
import { answersOf, release1Learner } from './release1.ts';
import { countRows, EXPAND_V2, expectMovingTogether, expectShapesInStep, migrateTo, V1 } from './shapes.ts';

const MINUTE = 60_000;

/** Release 2 over the test D1, with the v1 app's clock so both releases agree on the time. */
function release2(api = v1App()) {
  const db = database(env.DB);
  const study = async (id: string): Promise<StudyRow> => {
    const detail = await readStudy(db, id);
    if (!detail) throw new Error(`no study ${id}`);
    return detail.study;
  };
  return {
    db,
    study,
    create: (input: Omit<NewStudy, 'name' | 'totalCycles' | 'minutesPerCycle'> & Partial<NewStudy>) =>
      createStudy(db, { name: 'live', totalCycles: 1, minutesPerCycle: 30, ...input }, api.clock.now()),
    /** Moves the study on from where D1 says it is, as the host's room does. */
    advance: async (id: string) => {
      const moved = await advanceStudy(db, await study(id), api.clock.now());
      if (!moved) throw new Error(`study ${id} did not move`);
      return moved;
    },
  };
}

describe('Release 1 writes, then 0002, then Release 2 reads', () => {
  it('keeps every study, participant, code and answer with its id; each study takes its host step, cycle and deadline', async () => {
    await migrateTo(V1, { fresh: true });
    const api = v1App({ release: '1.0.0' });
    const host = await release1Learner(api, 'host');
    const guest = await release1Learner(api, 'guest');
    // A solo study into its second cycle.
    const solo = await host.create({ name: 'solo', totalCycles: 2, minutesPerCycle: 40 });
    const soloProgress = solo.me.progressId;
    await host.plan(soloProgress);
    api.clock.advanceMinutes(3);
    await host.advance(soloProgress, 'planning');
    api.clock.advanceMinutes(41);
    await host.advance(soloProgress, 'studying');
    await host.retro(soloProgress);
    api.clock.advanceMinutes(2);
    await host.advance(soloProgress, 'retrospect');
    // A group study: the host studies while the guest is still planning.
    const group = await host.create({ name: 'group', mode: 'group' });
    const joined = await guest.join(group.study.code as string);
    await guest.plan(joined.me.progressId);
    await host.plan(group.me.progressId);
    api.clock.advanceMinutes(1);
    await host.advance(group.me.progressId, 'planning');
    const before = await Promise.all(
      [solo, group].map(async ({ study }) => ({
        page: await host.page(study.id),
        records: await host.records(study.id),
      })),
    );
    const myRecords = await host.myRecords();

    await migrateTo(EXPAND_V2);

    await expectShapesInStep();
    const { db } = release2(api);
    for (const { page, records } of before) {
      const detail = await readStudy(db, page.study.id);
      expect(detail?.study).toEqual({
        id: page.study.id,
        name: page.study.name,
        totalCycle: page.study.totalCycles,
        timePerCycle: page.study.minutesPerCycle,
        step: page.me.step,
        currentCycle: page.me.cycle,
        stepDeadline: page.me.deadline,
        createdAt: page.study.createdAt,
        updatedAt: page.study.createdAt,
      });
      expect(detail?.code).toBe(page.study.code);
      expect(detail?.participants.map((p) => [p.id, p.nickname, p.isHost])).toEqual(
        page.participants.map((p) => [p.progressId, p.nickname, p.isHost]),
      );
      const answers = detail?.answers.map(({ participantId, cycle, plan, retrospect }) => ({
        participantId,
        cycle,
        plan,
        retrospect,
      }));
      expect(answers?.sort((a, b) => a.participantId.localeCompare(b.participantId) || a.cycle - b.cycle)).toEqual(
        answersOf(records),
      );
    }
    expect(before.map(({ page }) => [page.me.step, page.me.cycle])).toEqual([
      ['planning', 2],
      ['studying', 1],
    ]);
    const mine = await recordsOf(db, host.member.id, { limit: 10 });
    expect(mine.map((r) => [r.study.id, r.participantId, r.code])).toEqual(
      myRecords.items.map((i) => [i.study.id, i.progressId, i.study.code]),
    );
  });
});

describe('Release 2 writes, Release 1 reads (a rollback loses nothing)', () => {
  it('shows a live group study to Release 1 with the same ids, and Release 1 carries on from where it stands', async () => {
    await migrateTo(EXPAND_V2, { fresh: true });
    const api = v1App({ release: '1.0.0' });
    const r2 = release2(api);
    const host = await release1Learner(api, 'host');
    const guest = await release1Learner(api, 'guest');
    const created = await r2.create({ hostMemberId: host.member.id, hostNickname: 'host', code: 'LIVEAB' });
    const joined = await joinStudy(r2.db, 'LIVEAB', guest.member.id, 'g');
    if (joined.kind !== 'joined') throw new Error(`join: ${joined.kind}`);
    const [hostId, guestId] = [created.host.id, joined.participant.id];

    // The lobby is planning of cycle 1 to Release 1.
    let page = await guest.page(created.study.id);
    expect(page.study).toMatchObject({
      id: created.study.id,
      code: 'LIVEAB',
      mode: 'group',
      totalCycles: 1,
      minutesPerCycle: 30,
    });
    expect(page.me).toMatchObject({ progressId: guestId, step: 'planning', cycle: 1 });
    expect(page.participants.map((p) => [p.progressId, p.isHost])).toEqual([
      [hostId, true],
      [guestId, false],
    ]);

    api.clock.advanceMinutes(2);
    await r2.advance(created.study.id);
    await saveAnswer(r2.db, hostId, 1, { plan: PLAN });
    await saveAnswer(r2.db, guestId, 1, { plan: { ...PLAN, toDo: 'vocabulary' } });
    api.clock.advanceMinutes(5);
    const studying = await r2.advance(created.study.id);
    await expectMovingTogether(created.study.id);
    await expectShapesInStep();

    page = await guest.page(created.study.id);
    expect(page.me).toMatchObject({
      step: 'studying',
      cycle: 1,
      stepStartedAt: api.clock.now(),
      deadline: studying.stepDeadline,
    });
    expect(page.participants.map((p) => [p.step, p.cycle])).toEqual([
      ['studying', 1],
      ['studying', 1],
    ]);
    expect(answersOf(await guest.records(created.study.id))).toEqual(
      [
        { participantId: hostId, cycle: 1, plan: PLAN, retrospect: null },
        { participantId: guestId, cycle: 1, plan: { ...PLAN, toDo: 'vocabulary' }, retrospect: null },
      ].sort((a, b) => a.participantId.localeCompare(b.participantId)),
    );
    expect((await guest.myRecords()).items.map((i) => [i.study.id, i.progressId, i.step])).toEqual([
      [created.study.id, guestId, 'studying'],
    ]);

    // Rolled back: Release 1 moves each learner on their own, the host's moves move the study.
    api.clock.advanceMinutes(30);
    await guest.advance(guestId, 'studying');
    await guest.retro(guestId);
    expect((await r2.study(created.study.id)).step).toBe('studying');
    await host.advance(hostId, 'studying');
    const detail = await readStudy(r2.db, created.study.id);
    expect(detail?.study).toMatchObject({
      step: 'retrospect',
      currentCycle: 1,
      stepDeadline: api.clock.now() + 10 * MINUTE,
    });
    expect(detail?.answers.find((a) => a.participantId === guestId)).toMatchObject({
      cycle: 1,
      plan: { toDo: 'vocabulary' },
      retrospect: RETRO,
    });
    await expectShapesInStep();
  });

  it('shows a solo study of Release 2 to Release 1 as a solo study, planning with the same deadline', async () => {
    await migrateTo(EXPAND_V2, { fresh: true });
    const api = v1App({ release: '1.0.0' });
    const r2 = release2(api);
    const me = await release1Learner(api, 'solo');
    const { study, host, code } = await r2.create({
      hostMemberId: me.member.id,
      hostNickname: 'me',
      code: null,
      minutesPerCycle: 50,
    });
    expect([study.step, study.currentCycle, study.stepDeadline, code]).toEqual([
      'planning',
      1,
      api.clock.now() + 10 * MINUTE,
      null,
    ]);
    const page = await me.page(study.id);
    expect(page.study).toMatchObject({ id: study.id, mode: 'solo', code: null, minutesPerCycle: 50 });
    expect(page.me).toMatchObject({
      progressId: host.id,
      step: 'planning',
      cycle: 1,
      deadline: study.stepDeadline,
      nickname: 'me',
    });
    await expectShapesInStep();
  });
});

describe('interleaved writes from both releases', () => {
  it('leave the two shapes equal after every single write', async () => {
    await migrateTo(EXPAND_V2, { fresh: true });
    const api = v1App({ release: '1.0.0' });
    const r2 = release2(api);
    const a = await release1Learner(api, 'a');
    const b = await release1Learner(api, 'b');
    const c = await release1Learner(api, 'c');
    const ids: Record<string, string> = {};
    const writes: [string, () => Promise<unknown>][] = [
      [
        'R1: a creates group 1',
        async () => {
          const page = await a.create({ name: 'g1', mode: 'group' });
          Object.assign(ids, { g1: page.study.id, g1Code: page.study.code, a1: page.me.progressId });
        },
      ],
      ['R1: b joins group 1', async () => (ids.b1 = (await b.join(ids.g1Code as string)).me.progressId)],
      ['R2: b plans', () => saveAnswer(r2.db, ids.b1 as string, 1, { plan: PLAN })],
      ['R1: a plans', () => a.plan(ids.a1 as string)],
      [
        'R2: group 1 moves to studying, everyone with it',
        async () => {
          api.clock.advanceMinutes(4);
          await r2.advance(ids.g1 as string);
          await expectMovingTogether(ids.g1 as string);
        },
      ],
      [
        'R1: b moves to retrospect alone',
        async () => {
          api.clock.advanceMinutes(25);
          await b.advance(ids.b1 as string, 'studying');
        },
      ],
      ['R1: b writes a retrospect', () => b.retro(ids.b1 as string)],
      [
        'R1: host a moves to retrospect, the study follows',
        async () => {
          api.clock.advanceMinutes(1);
          await a.advance(ids.a1 as string, 'studying');
        },
      ],
      [
        'R2: a writes a retrospect onto the row Release 1 made',
        () => saveAnswer(r2.db, ids.a1 as string, 1, { retrospect: RETRO }),
      ],
      [
        'R2: group 1 is done',
        async () => {
          api.clock.advanceMinutes(2);
          await r2.advance(ids.g1 as string);
        },
      ],
      [
        'R2: a creates group 2',
        async () => {
          const { study, host } = await r2.create({
            hostMemberId: a.member.id,
            hostNickname: 'a',
            code: 'GROUPB',
            totalCycles: 2,
          });
          Object.assign(ids, { g2: study.id, a2: host.id });
        },
      ],
      [
        'R1: c joins group 2 in the lobby',
        async () => {
          api.clock.advanceMinutes(1);
          ids.c2 = (await c.join('GROUPB')).me.progressId;
        },
      ],
      ['R2: b joins group 2', () => joinStudy(r2.db, 'GROUPB', b.member.id, 'b')],
      ['R2: the host role moves to c', () => handOverHost(r2.db, ids.g2 as string, ids.c2 as string)],
      [
        'R2: group 2 starts',
        async () => {
          api.clock.advanceMinutes(1);
          await r2.advance(ids.g2 as string);
        },
      ],
      [
        'R1: host c plans and moves group 2 on',
        async () => {
          await c.plan(ids.c2 as string);
          api.clock.advanceMinutes(3);
          await c.advance(ids.c2 as string, 'planning');
        },
      ],
      ['R2: b starts a solo study', () => r2.create({ hostMemberId: b.member.id, hostNickname: 'b', code: null })],
      ['R1: c starts a solo study', () => c.create({ name: 'solo c' })],
    ];
    for (const [what, write] of writes) {
      await write();
      await expect(expectShapesInStep(), `after "${what}"`).resolves.toBeUndefined();
    }

    const g1 = await readStudy(r2.db, ids.g1 as string);
    expect(g1?.study).toMatchObject({ step: 'done', currentCycle: 1, stepDeadline: null });
    expect(g1?.answers.map((x) => [x.participantId, Boolean(x.plan), Boolean(x.retrospect)])).toEqual([
      [ids.a1, true, true],
      [ids.b1, true, true],
    ]);
    const g2 = await readStudy(r2.db, ids.g2 as string);
    expect(g2?.study).toMatchObject({ step: 'studying', currentCycle: 1, stepDeadline: api.clock.now() + 30 * MINUTE });
    expect(g2?.participants.map((p) => [p.nickname, p.isHost])).toEqual([
      ['c', true],
      ['a', false],
      ['b', false],
    ]);
    expect(await countRows()).toEqual({
      'v1.studies': 4,
      'v1.codes': 2,
      'v1.progresses': 7,
      'v1.contents': 3,
      'v2.studies': 4,
      'v2.codes': 2,
      'v2.participants': 7,
      'v2.contents': 3,
    });
  });
});

describe.each(['OFF', 'ON'])('with recursive_triggers %s, the sync triggers do not loop', (mode) => {
  it('a write on either side completes and adds only its own rows, once per shape', async () => {
    await migrateTo(EXPAND_V2, { fresh: true });
    await env.DB.prepare(`PRAGMA recursive_triggers = ${mode}`).run();
    const api = v1App({ release: '1.0.0' });
    const r2 = release2(api);
    const h = await release1Learner(api, 'h');
    const x = await release1Learner(api, 'x');
    const y = await release1Learner(api, 'y');
    const { study, host } = await r2.create({ hostMemberId: h.member.id, hostNickname: 'h', code: 'LOOPAB' });
    await joinStudy(r2.db, 'LOOPAB', x.member.id, 'x');
    const yPage = await y.join('LOOPAB');
    const counts = await countRows();
    expect(counts).toMatchObject({ 'v1.progresses': 3, 'v2.participants': 3, 'v1.studies': 1, 'v2.studies': 1 });

    api.clock.advanceMinutes(1);
    await r2.advance(study.id);
    await expectMovingTogether(study.id);
    api.clock.advanceMinutes(1);
    await h.plan(host.id);
    await h.advance(host.id, 'planning');
    await saveAnswer(r2.db, yPage.me.progressId, 1, { plan: PLAN });
    await handOverHost(r2.db, study.id, yPage.me.progressId);
    await y.advance(yPage.me.progressId, 'planning');
    expect(await countRows()).toEqual({ ...counts, 'v1.contents': 2, 'v2.contents': 2 });
    expect(await r2.study(study.id)).toMatchObject({
      step: 'studying',
      currentCycle: 1,
      stepDeadline: api.clock.now() + 30 * MINUTE,
    });
    await expectShapesInStep();
    const setting = await env.DB.prepare('PRAGMA recursive_triggers').first<{ recursive_triggers: number }>();
    expect(setting?.recursive_triggers).toBe(mode === 'ON' ? 1 : 0);
  });
});

describe("Release 2's lookups", () => {
  it.each([
    ['participants of a study', 'SELECT * FROM participant WHERE study_id = ?', 'participant'],
    ["a member's participants", 'SELECT * FROM participant WHERE member_id = ?', 'participant_member'],
    ['studies by date', 'SELECT * FROM study WHERE created_at >= ? AND created_at < ?', 'study_created'],
    ["a participant's answers", 'SELECT * FROM content WHERE participant_id = ?', 'content'],
    ['a study by its code', 'SELECT * FROM participant_code_v2 WHERE code = ?', 'participant_code_v2'],
  ])('find %s through an index', async (_, query, index) => {
    const params = query
      .split('?')
      .slice(1)
      .map(() => 'x');
    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${query}`)
      .bind(...params)
      .all<{ detail: string }>();
    const details = plan.results.map((row) => row.detail).join('\n');
    expect(details).toMatch(new RegExp(`SEARCH \\w+ USING (COVERING )?INDEX (sqlite_autoindex_)?${index}`));
  });

  it("list a member's records without scanning a table", async () => {
    const { db } = release2();
    const { sql, params } = recordsOf(db, 'member', { from: 0, to: 1, limit: 5 }).toSQL();
    const plan = await env.DB.prepare(`EXPLAIN QUERY PLAN ${sql}`)
      .bind(...params)
      .all<{ detail: string }>();
    const details = plan.results.map((row) => row.detail);
    expect(details.some((d) => d.includes('participant_member'))).toBe(true);
    expect(details.filter((d) => /^SCAN /.test(d))).toEqual([]);
  });
});
