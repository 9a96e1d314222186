/**
 * The room's rules decide before they change anything: every refusal leaves
 * the room exactly as it was, which is what lets the object apply a message
 * to its live state without copying the whole room first.
 */
import { describe, expect, it } from 'vitest';
import { type ClientMessage, HOST_GRACE_MS } from '../../../shared/index.ts';
import { handle, presenceOf, type RoomData, resumableFrom, snapshotOf } from '../../../worker/room/model.ts';

const T0 = Date.UTC(2026, 10, 25, 9);
const PLAN = { toDo: 'read', completionCondition: 'chapter 1' };
const RETRO = { doneAsExpected: 'yes', experiencedDifficulty: 'none' };

function room(step: RoomData['step'], overrides: Partial<RoomData> = {}): RoomData {
  return {
    studyId: 'study',
    name: 'math',
    totalCycles: 1,
    minutesPerCycle: 25,
    code: 'ABCDEF',
    step,
    cycle: 1,
    stepStartedAt: T0,
    hostId: 'host',
    participants: [
      { id: 'host', memberId: 'm-host', nickname: 'host', joinedAt: T0, submittedFor: null },
      { id: 'guest', memberId: 'm-guest', nickname: 'guest', joinedAt: T0 + 1, submittedFor: null },
    ],
    seq: 7,
    hostOfflineSince: null,
    timeUpSent: false,
    ...overrides,
  };
}

/** Each case is refused; the room it was refused in must not have changed at all. */
const refusals: [string, RoomData, string, ClientMessage][] = [
  ['a guest starts', room('waiting'), 'guest', { type: 'start' }],
  ['the host starts twice', room('planning'), 'host', { type: 'start' }],
  ['a guest advances', room('planning'), 'guest', { type: 'advance', from: { step: 'planning', cycle: 1 } }],
  ['a stale advance', room('studying'), 'host', { type: 'advance', from: { step: 'planning', cycle: 1 } }],
  ['an advance before the start', room('waiting'), 'host', { type: 'advance', from: { step: 'waiting', cycle: 1 } }],
  ['an advance when done', room('done'), 'host', { type: 'advance', from: { step: 'done', cycle: 1 } }],
  [
    'an advance past missing plans',
    room('planning'),
    'host',
    { type: 'advance', from: { step: 'planning', cycle: 1 } },
  ],
  ['a plan while studying', room('studying'), 'host', { type: 'submit', id: 's', cycle: 1, plan: PLAN }],
  ['a plan for another cycle', room('planning'), 'host', { type: 'submit', id: 's', cycle: 2, plan: PLAN }],
  ['a plan from a stranger', room('planning'), 'nobody', { type: 'submit', id: 's', cycle: 1, plan: PLAN }],
  ['a retrospect while planning', room('planning'), 'guest', { type: 'retro', id: 'r', cycle: 1, retrospect: RETRO }],
  ['a plan before the start', room('waiting'), 'guest', { type: 'submit', id: 's', cycle: 1, plan: PLAN }],
];

describe('handle', () => {
  it.each(refusals)('refuses %s and leaves the room as it was', (_name, data, participantId, message) => {
    const before = structuredClone(data);
    const outcome = handle(data, participantId, message, T0 + 60_000);
    expect(outcome.ok).toBe(false);
    expect(data).toEqual(before);
  });

  it('changes the room it is given when it accepts', () => {
    const data = room('planning');
    const outcome = handle(data, 'guest', { type: 'submit', id: 's', cycle: 1, plan: PLAN }, T0 + 60_000);
    expect(outcome).toMatchObject({ ok: true, ack: 's' });
    expect(data.participants[1]?.submittedFor).toBe('planning:1');
  });
});

describe('resumableFrom', () => {
  it('trusts the stored mark only while the room value and the code are the ones that wrote it', () => {
    const mark = { from: 4, seq: 7, version: 'v2' };
    expect(resumableFrom(mark, 7, 'v2')).toBe(4);
    // The room moved on under code that keeps no mark (a rollback): only what comes next resumes.
    expect(resumableFrom(mark, 9, 'v2')).toBe(10);
    // Other code wrote it: its snapshot may say more than presence.
    expect(resumableFrom(mark, 7, 'v3')).toBe(8);
    // A room from before the mark.
    expect(resumableFrom(undefined, 7, 'v2')).toBe(8);
  });
});

describe('presenceOf', () => {
  it('marks each participant in order and says when an absent host hands over, as the snapshot does', () => {
    const away = room('planning', { hostOfflineSince: T0 });
    const online = (id: string) => id === 'guest';
    expect(presenceOf(away, online)).toEqual({ online: '01', handoverAt: T0 + HOST_GRACE_MS });
    const snapshot = snapshotOf(away, online);
    expect(snapshot.participants.map((p) => (p.online ? '1' : '0')).join('')).toBe('01');
    expect(snapshot.handoverAt).toBe(T0 + HOST_GRACE_MS);
    // Nobody online to take the role: no handover.
    expect(presenceOf(away, () => false)).toEqual({ online: '00', handoverAt: null });
  });
});
