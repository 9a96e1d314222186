/**
 * `applyEvent`, the one reducer every client keeps the room with between
 * snapshots (shared/room.ts), and `parseServerMessage`, the edge it stands behind.
 */
import { describe, expect, it } from 'vitest';
import {
  applyEvent,
  applyResume,
  applyShared,
  eventSpan,
  parseServerMessage,
  type RoomParticipant,
  type RoomState,
  stillAsked,
} from '../../../shared/room.ts';

const mina: RoomParticipant = { id: 'p1', nickname: 'mina', isHost: true, online: true, submitted: false };
const kai: RoomParticipant = { id: 'p2', nickname: 'kai', isHost: false, online: false, submitted: false };
const ROOM: RoomState = {
  studyId: 's1',
  name: 'Room',
  totalCycles: 2,
  minutesPerCycle: 25,
  code: 'ABCDEF',
  step: 'planning',
  cycle: 1,
  deadline: 1_000,
  participants: [mina, kai],
};

describe('applyEvent', () => {
  it('adds a participant who joined, and updates one who joins again', () => {
    const ria = { ...kai, id: 'p3', nickname: 'ria' };
    expect(applyEvent(ROOM, { kind: 'joined', participant: ria }).participants).toEqual([mina, kai, ria]);
    expect(applyEvent(ROOM, { kind: 'joined', participant: { ...kai, online: true } }).participants).toEqual([
      mina,
      { ...kai, online: true },
    ]);
  });

  it('applies a presence batch, and keeps when the host role passes on', () => {
    const away = applyEvent(ROOM, { kind: 'presences', online: ['p2'], offline: ['p1'], handoverAt: 21_000 });
    expect(away.participants.map((p) => p.online)).toEqual([false, true]);
    expect(away.handoverAt).toBe(21_000);
    expect(eventSpan({ kind: 'presences', online: ['p2'], offline: ['p1'], handoverAt: 21_000 })).toBe(2);
    expect(eventSpan({ kind: 'presence', participantId: 'p1', online: true })).toBe(1);
    // The host's own presence event carries it too; a guest's leaves it alone; a new host clears it.
    const single = applyEvent(ROOM, { kind: 'presence', participantId: 'p1', online: false, handoverAt: 9_000 });
    expect(single.handoverAt).toBe(9_000);
    expect(applyEvent(single, { kind: 'presence', participantId: 'p2', online: true }).handoverAt).toBe(9_000);
    expect(applyEvent(single, { kind: 'host', participantId: 'p2' }).handoverAt).toBeNull();
    expect(applyEvent(single, { kind: 'presence', participantId: 'p1', online: true }).handoverAt).toBeNull();
  });

  it('keeps shared plans: set by a submission or a share, gone with the cycle', () => {
    const plan = { toDo: 'read', completionCondition: 'chapter 1' };
    const submitted = applyEvent(ROOM, { kind: 'submitted', participantId: 'p2', cycle: 1, step: 'planning', plan });
    expect(submitted.participants[1]).toMatchObject({ submitted: true, plan });
    // Re-sent while studying: the plan shows, the step on screen is not marked.
    const studying = { ...ROOM, step: 'studying' as const };
    expect(
      applyEvent(studying, { kind: 'submitted', participantId: 'p2', cycle: 1, step: 'planning', plan })
        .participants[1],
    ).toMatchObject({ submitted: false, plan });
    const shared = applyShared(ROOM, { participantId: 'p2', sharing: true, plan });
    expect(shared.participants[1]).toMatchObject({ sharing: true, plan });
    expect(applyShared(shared, { participantId: 'p2', sharing: false, plan: null }).participants[1]).toMatchObject({
      sharing: false,
      plan: null,
    });
    const sameCycle = applyEvent(shared, { kind: 'step', step: 'studying', cycle: 1, deadline: 2_000 });
    expect(sameCycle.participants[1]?.plan).toEqual(plan);
    const next = applyEvent(shared, { kind: 'step', step: 'planning', cycle: 2, deadline: 3_000 });
    expect(next.participants[1]).toMatchObject({ sharing: true, plan: null });
  });

  it('marks presence and submissions of the step on screen only', () => {
    expect(applyEvent(ROOM, { kind: 'presence', participantId: 'p2', online: true }).participants[1]).toEqual({
      ...kai,
      online: true,
    });
    expect(
      applyEvent(ROOM, { kind: 'submitted', participantId: 'p2', cycle: 1, step: 'planning' }).participants[1]!
        .submitted,
    ).toBe(true);
    expect(applyEvent(ROOM, { kind: 'submitted', participantId: 'p2', cycle: 1, step: 'retrospect' })).toBe(ROOM);
    expect(applyEvent(ROOM, { kind: 'submitted', participantId: 'p2', cycle: 2, step: 'planning' })).toBe(ROOM);
  });

  it('moves the step, takes the deadline, and clears every submission', () => {
    const submitted = { ...ROOM, participants: [{ ...mina, submitted: true }, kai] };
    const next = applyEvent(submitted, { kind: 'step', step: 'studying', cycle: 1, deadline: 5_000 });
    expect(next).toMatchObject({ step: 'studying', cycle: 1, deadline: 5_000 });
    expect(next.participants.every((p) => !p.submitted)).toBe(true);
  });

  it('hands the host role over, and leaves the state alone on time up', () => {
    expect(applyEvent(ROOM, { kind: 'host', participantId: 'p2' }).participants.map((p) => p.isHost)).toEqual([
      false,
      true,
    ]);
    expect(applyEvent(ROOM, { kind: 'time_up', step: 'planning', cycle: 1 })).toBe(ROOM);
  });

  it('never mutates the state it was given', () => {
    const before = structuredClone(ROOM);
    applyEvent(ROOM, { kind: 'presence', participantId: 'p1', online: false });
    applyEvent(ROOM, { kind: 'step', step: 'done', cycle: 2, deadline: null });
    expect(ROOM).toEqual(before);
  });
});

describe('applyResume', () => {
  it('sets who is online, one mark per participant in order, and the handover time, and nothing else', () => {
    const before = structuredClone(ROOM);
    const resumed = applyResume(ROOM, { online: '01', handoverAt: 9_000 });
    expect(resumed).toEqual({
      ...ROOM,
      handoverAt: 9_000,
      participants: [
        { ...mina, online: false },
        { ...kai, online: true },
      ],
    });
    expect(ROOM).toEqual(before);
  });

  it('gives null for marks that do not fit the participants held', () => {
    expect(applyResume(ROOM, { online: '1', handoverAt: null })).toBeNull();
    expect(applyResume(ROOM, { online: '101', handoverAt: null })).toBeNull();
  });
});

describe('stillAsked', () => {
  it('takes a submission only for the step and cycle that ask for it', () => {
    const plan = { type: 'submit', id: 'a', cycle: 1, plan: { toDo: 't', completionCondition: 'c' } } as const;
    expect(stillAsked(ROOM, plan)).toBe(true);
    expect(stillAsked({ step: 'planning', cycle: 2 }, plan)).toBe(false);
    expect(stillAsked({ step: 'studying', cycle: 1 }, plan)).toBe(false);
    const retro = {
      type: 'retro',
      id: 'b',
      cycle: 1,
      retrospect: { doneAsExpected: 'y', experiencedDifficulty: 'n' },
    } as const;
    expect(stillAsked({ step: 'retrospect', cycle: 1 }, retro)).toBe(true);
    expect(stillAsked({ step: 'done', cycle: 1 }, retro)).toBe(false);
  });
});

describe('parseServerMessage', () => {
  it('reads every message the room sends, unchanged', () => {
    for (const message of [
      { type: 'snapshot', seq: 3, you: 'p1', state: ROOM, serverNow: 12 },
      { type: 'event', seq: 4, event: { kind: 'time_up', step: 'planning', cycle: 1 } },
      { type: 'ack', id: 'a1' },
      { type: 'resume', seq: 5, you: 'p1', serverNow: 12, online: '10', handoverAt: null },
      { type: 'error', code: 'not_all_submitted', message: 'wait', missing: ['p2'] },
      // A code a newer room adds still reads as an error.
      { type: 'error', code: 'something_new', message: 'later' },
    ]) {
      expect(parseServerMessage(JSON.stringify(message))).toEqual(message);
    }
  });

  it('refuses what is not one', () => {
    expect(parseServerMessage('pong')).toBeNull();
    expect(parseServerMessage(JSON.stringify({ type: 'confetti' }))).toBeNull();
    expect(
      parseServerMessage(
        JSON.stringify({ type: 'resume', seq: 5, you: 'p1', serverNow: 0, online: '1x', handoverAt: null }),
      ),
    ).toBeNull();
    expect(
      parseServerMessage(JSON.stringify({ type: 'event', seq: -1, event: { kind: 'host', participantId: 'p1' } })),
    ).toBeNull();
    expect(
      parseServerMessage(
        JSON.stringify({ type: 'snapshot', seq: 1, you: 'p1', state: { name: 'broken' }, serverNow: 0 }),
      ),
    ).toBeNull();
  });
});
