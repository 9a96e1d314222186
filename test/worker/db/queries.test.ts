/**
 * Release 2's queries on their own (the setup applied every migration): the
 * lobby rule of joining, a repeated advance moving once, answers merging,
 * and a member's records a page at a time.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { codeFromBytes } from '../../../shared/index.ts';
import { database } from '../../../worker/db/client.ts';
import { advanceStudy, createStudy, joinStudy, readStudy, recordsOf, saveAnswer } from '../../../worker/db/queries.ts';
import { PLAN, RETRO } from '../v1/client.ts';

const NOW = Date.UTC(2026, 10, 25, 9, 0, 0);
const db = database(env.DB);

/** A member straight in D1 (identity is Release 1's API, unchanged by Release 2). */
async function member(nickname: string): Promise<string> {
  const id = crypto.randomUUID();
  await env.DB.prepare('INSERT INTO member (id, nickname, created_at) VALUES (?, ?, ?)').bind(id, nickname, NOW).run();
  return id;
}

async function groupStudy(totalCycles = 1) {
  const hostMemberId = await member('host');
  const code = codeFromBytes(crypto.getRandomValues(new Uint8Array(6)));
  const created = await createStudy(
    db,
    { name: 'g', totalCycles, minutesPerCycle: 25, hostMemberId, hostNickname: 'host', code },
    NOW,
  );
  return { ...created, code, hostMemberId };
}

describe('joinStudy', () => {
  it('joins in the lobby, resumes its own participants at any step, refuses others once started', async () => {
    const { study, code } = await groupStudy();
    const guest = await member('guest');
    const joined = await joinStudy(db, code, guest, 'g');
    expect(joined).toMatchObject({ kind: 'joined', participant: { nickname: 'g', isHost: false, studyId: study.id } });
    await advanceStudy(db, study, NOW + 1);
    const again = await joinStudy(db, code, guest, 'other name');
    expect(again).toMatchObject({ kind: 'resumed', participant: { nickname: 'g' } });
    expect(again.kind === 'resumed' && joined.kind === 'joined' && again.participant.id === joined.participant.id).toBe(
      true,
    );
    expect(await joinStudy(db, code, await member('late'), 'late')).toMatchObject({
      kind: 'started',
      study: { step: 'planning' },
    });
    expect(await joinStudy(db, 'ZZZZZZ', guest, 'g')).toEqual({ kind: 'not_found' });
  });
});

describe('advanceStudy', () => {
  it('goes waiting -> planning -> studying -> retrospect -> planning of the next cycle -> done, with deadlines', async () => {
    const { study } = await groupStudy(2);
    const path: unknown[] = [];
    let current = study;
    for (let minute = 1; ; minute += 1) {
      const moved = await advanceStudy(db, current, NOW + minute * 60_000);
      if (!moved) break;
      path.push([
        moved.step,
        moved.currentCycle,
        moved.stepDeadline === null ? null : (moved.stepDeadline - NOW) / 60_000,
      ]);
      current = moved;
    }
    expect(path).toEqual([
      ['planning', 1, 1 + 10],
      ['studying', 1, 2 + 25],
      ['retrospect', 1, 3 + 10],
      ['planning', 2, 4 + 10],
      ['studying', 2, 5 + 25],
      ['retrospect', 2, 6 + 10],
      ['done', 2, null],
    ]);
  });

  it('moves once when two advances start from the same step', async () => {
    const { study } = await groupStudy();
    const [first, second] = await Promise.all([advanceStudy(db, study, NOW + 1), advanceStudy(db, study, NOW + 2)]);
    expect([first, second].filter(Boolean)).toHaveLength(1);
    expect((await readStudy(db, study.id))?.study).toMatchObject({ step: 'planning', currentCycle: 1 });
  });
});

describe('saveAnswer and readStudy', () => {
  it('keeps the plan when the retrospect comes, and reads the study whole in join order', async () => {
    const { study, host, code } = await groupStudy();
    const guest = await joinStudy(db, code, await member('guest'), 'g');
    if (guest.kind !== 'joined') throw new Error(guest.kind);
    const plan = await saveAnswer(db, host.id, 1, { plan: PLAN });
    const both = await saveAnswer(db, host.id, 1, { retrospect: RETRO });
    expect(both).toEqual({ id: plan.id, participantId: host.id, cycle: 1, plan: PLAN, retrospect: RETRO });
    await saveAnswer(db, guest.participant.id, 1, { plan: PLAN });
    const detail = await readStudy(db, study.id);
    expect(detail?.code).toBe(code);
    expect(detail?.participants.map((p) => p.id)).toEqual([host.id, guest.participant.id]);
    expect(detail?.answers.map((a) => a.participantId)).toEqual([host.id, guest.participant.id]);
    expect(await readStudy(db, crypto.randomUUID())).toBeNull();
  });
});

describe('recordsOf', () => {
  it("lists a member's studies newest first, by date range, a page at a time", async () => {
    const me = await member('me');
    const ids: string[] = [];
    for (let day = 0; day < 3; day += 1) {
      const { study } = await createStudy(
        db,
        { name: `s${day}`, totalCycles: 1, minutesPerCycle: 20, hostMemberId: me, hostNickname: 'me', code: null },
        NOW + day * 86_400_000,
      );
      ids.unshift(study.id);
    }
    const first = await recordsOf(db, me, { limit: 2 });
    expect(first.map((r) => r.study.id)).toEqual(ids.slice(0, 2));
    const last = first.at(-1)?.study;
    const rest = await recordsOf(db, me, { limit: 2, after: last && { createdAt: last.createdAt, studyId: last.id } });
    expect(rest.map((r) => r.study.id)).toEqual(ids.slice(2));
    expect(
      (await recordsOf(db, me, { from: NOW + 86_400_000, to: NOW + 2 * 86_400_000, limit: 5 })).map(
        (r) => r.study.name,
      ),
    ).toEqual(['s1']);
  });
});
