/**
 * The room Durable Object over real WebSockets, in order: snapshot on
 * connect, lobby and start, submissions acknowledged once durable, host-only
 * moves with the "who has not submitted" check, alarms for time-up and host
 * handover, hibernation, resync, D1 failures that lose nothing, and every
 * bad-input path leaving the room as it was.
 */
import { evictDurableObject, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { CLOSE, HOST_GRACE_MS, LIMITS, MAX_CLIENT_MESSAGE_BYTES, RATE_LIMIT } from '../../../shared/index.ts';
import type { Room } from '../../../worker/room/room.ts';
import { connect, FILL_ROOM_TIMEOUT_MS, openRoom, outbox, roomOfTwo, setClock, T0 } from './socket.ts';

const PLAN = { toDo: 'read', completionCondition: 'chapter 1' };
const RETRO = { doneAsExpected: 'yes', experiencedDifficulty: 'none' };

describe('connecting', () => {
  it('sends a full snapshot to a participant, with who is online', async () => {
    const { stub, host } = await openRoom();
    const ws = await connect(stub, host.memberId);
    const snapshot = await ws.next('snapshot');
    expect(snapshot.you).toBe(host.id);
    expect(snapshot.state).toMatchObject({ step: 'waiting', cycle: 1, deadline: null, code: 'ABCDEF' });
    expect(snapshot.state.participants).toEqual([
      { id: host.id, nickname: 'host', isHost: true, online: true, submitted: false },
    ]);
  });

  it('closes a socket of someone who is not in the room with 4401', async () => {
    const { stub } = await openRoom();
    const ws = await connect(stub, crypto.randomUUID());
    expect((await ws.closed).code).toBe(CLOSE.unauthorized);
  });

  it('tells the others who joined and who came online', async () => {
    const { stub, host } = await openRoom();
    const hostWs = await connect(stub, host.memberId);
    await hostWs.drain();
    const guest = { memberId: crypto.randomUUID(), participantId: crypto.randomUUID(), nickname: 'g' };
    expect((await stub.join(guest)).ok).toBe(true);
    const joined = await hostWs.next('event');
    expect(joined.event).toMatchObject({ kind: 'joined', participant: { id: guest.participantId, online: false } });
    await connect(stub, guest.memberId);
    const presence = await hostWs.next('event');
    expect(presence).toMatchObject({
      seq: joined.seq + 1,
      event: { kind: 'presence', participantId: guest.participantId, online: true },
    });
  });
});

describe('the lobby and moving on', () => {
  it('only the host starts; joining a started study is refused unless you are in it', async () => {
    const { stub, guest, hostWs, guestWs } = await roomOfTwo();
    guestWs.send({ type: 'start' });
    expect(await guestWs.next('error')).toMatchObject({ code: 'not_host' });
    hostWs.send({ type: 'start' });
    const step = await guestWs.next('event');
    expect(step.event).toEqual({ kind: 'step', step: 'planning', cycle: 1, deadline: T0 + 10 * 60_000 });
    expect(
      await stub.join({ memberId: crypto.randomUUID(), participantId: crypto.randomUUID(), nickname: 'late' }),
    ).toEqual({
      ok: false,
      code: 'study_started',
    });
    const again = await stub.join(guest);
    expect(again.ok && again.participantId).toBe(guest.participantId);
  });

  it(
    `takes ${LIMITS.roomParticipants.max} learners and refuses the next with room_full, changing nothing`,
    async () => {
      const { stub, host } = await openRoom();
      // The room's D1 writes are not what this is about (and this study has no D1 row).
      await runInDurableObject(stub, (room: Room) => {
        room.persist = async () => {};
      });
      const first = { memberId: crypto.randomUUID(), participantId: crypto.randomUUID(), nickname: 'first' };
      expect((await stub.join(first)).ok).toBe(true);
      for (let i = 2; i < LIMITS.roomParticipants.max; i++) {
        const joined = await stub.join({
          memberId: crypto.randomUUID(),
          participantId: crypto.randomUUID(),
          nickname: `l${i}`,
        });
        expect(joined.ok).toBe(true);
      }
      const stored = () =>
        runInDurableObject(stub, (_: Room, state) =>
          state.storage.get<{ participants: unknown[]; seq: number }>('room'),
        );
      const full = await stored();
      expect(full?.participants).toHaveLength(LIMITS.roomParticipants.max);

      expect(
        await stub.join({ memberId: crypto.randomUUID(), participantId: crypto.randomUUID(), nickname: 'late' }),
      ).toEqual({ ok: false, code: 'room_full' });
      expect(await stored()).toEqual(full);
      // Those already in still come back.
      const again = await stub.join(first);
      expect(again.ok && again.resumed).toBe(true);
      expect((await stub.view(host.memberId))?.state.participants).toHaveLength(LIMITS.roomParticipants.max);
    },
    FILL_ROOM_TIMEOUT_MS,
  );

  it('shows the host who has not submitted, and moves on when the host confirms', async () => {
    const { guest, host, hostWs, guestWs } = await roomOfTwo();
    hostWs.send({ type: 'start' });
    await guestWs.next('event');
    hostWs.send({ type: 'submit', id: 'p1', cycle: 1, plan: PLAN });
    await hostWs.next('ack', (m) => m.id === 'p1');
    const submitted = await guestWs.next('event', (m) => m.event.kind === 'submitted');
    expect(submitted.event).toMatchObject({ participantId: host.id, cycle: 1, step: 'planning' });

    hostWs.send({ type: 'advance', from: { step: 'planning', cycle: 1 } });
    expect(await hostWs.next('error')).toMatchObject({ code: 'not_all_submitted', missing: [guest.participantId] });
    hostWs.send({ type: 'advance', from: { step: 'planning', cycle: 1 }, confirm: true });
    expect((await guestWs.next('event', (m) => m.event.kind === 'step')).event).toMatchObject({
      step: 'studying',
      cycle: 1,
    });
    // A second click with the old step is stale, not a skipped step.
    hostWs.send({ type: 'advance', from: { step: 'planning', cycle: 1 }, confirm: true });
    expect(await hostWs.next('error')).toMatchObject({ code: 'stale_step' });
  });

  it('goes through a whole cycle to done', async () => {
    const { hostWs, guestWs } = await roomOfTwo();
    hostWs.send({ type: 'start' });
    for (const [message, step] of [
      [{ type: 'submit', id: 'a', cycle: 1, plan: PLAN }, 'planning'],
      [null, 'studying'],
      [{ type: 'retro', id: 'b', cycle: 1, retrospect: RETRO }, 'retrospect'],
    ] as const) {
      await guestWs.next('event', (m) => m.event.kind === 'step' && m.event.step === step);
      if (message) {
        hostWs.send(message);
        guestWs.send({ ...message, id: `${message.id}-g` });
        await guestWs.next('ack');
      }
      hostWs.send({ type: 'advance', from: { step, cycle: 1 } });
    }
    const done = await guestWs.next('event', (m) => m.event.kind === 'step' && m.event.step === 'done');
    expect(done.event).toMatchObject({ deadline: null });
  });
});

describe('durability', () => {
  it('acknowledges a submission only once it is in storage, and owes it to D1', async () => {
    const { stub, hostWs, d1 } = await roomOfTwo();
    d1.delivered.length = 0;
    d1.down = true;
    hostWs.send({ type: 'start' });
    hostWs.send({ type: 'submit', id: 'p1', cycle: 1, plan: PLAN });
    await hostWs.next('ack', (m) => m.id === 'p1');
    expect(d1.delivered).toEqual([]);
    const owed = await outbox(stub);
    expect(owed).toEqual(
      expect.arrayContaining([expect.objectContaining({ op: 'answer', cycle: 1, answer: { plan: PLAN } })]),
    );
  });

  it('keeps retrying while D1 fails, then delivers everything in order', async () => {
    const { stub, hostWs, studyId, d1 } = await roomOfTwo();
    expect(d1.delivered.map((op) => op.op)).toEqual(['participant']);
    d1.down = true;
    hostWs.send({ type: 'start' });
    hostWs.send({ type: 'submit', id: 'p1', cycle: 1, plan: PLAN });
    await hostWs.next('ack');
    // D1 still down at the first retry: nothing is lost.
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await outbox(stub)).length).toBe(2);
    d1.down = false;
    await runDurableObjectAlarm(stub);
    expect(d1.delivered.map((op) => op.op)).toEqual(['participant', 'step', 'answer']);
    expect(d1.delivered[1]).toMatchObject({ studyId, step: 'planning', cycle: 1 });
    expect(d1.delivered[2]).toMatchObject({ op: 'answer', answer: { plan: PLAN } });
    expect(await outbox(stub)).toEqual([]);
  });
});

describe('alarms', () => {
  it('tells everyone when time is up, once, without moving anyone', async () => {
    const { stub, hostWs, guestWs } = await roomOfTwo();
    hostWs.send({ type: 'start' });
    await guestWs.next('event');
    await setClock(stub, T0 + 10 * 60_000 + 1);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await guestWs.next('event', (m) => m.event.kind === 'time_up')).event).toEqual({
      kind: 'time_up',
      step: 'planning',
      cycle: 1,
    });
    await runDurableObjectAlarm(stub);
    expect((await guestWs.drain()).filter((m) => m.type === 'event' && m.event.kind === 'time_up')).toEqual([]);
    guestWs.send({ type: 'sync' });
    expect((await guestWs.next('snapshot')).state.step).toBe('planning');
  });

  it('hands the host role on when the host stays offline', async () => {
    const { stub, guest, hostWs, guestWs } = await roomOfTwo();
    hostWs.ws.close(1000, 'bye');
    expect((await guestWs.next('event', (m) => m.event.kind === 'presence')).event).toMatchObject({ online: false });
    await setClock(stub, T0 + HOST_GRACE_MS - 1);
    await runDurableObjectAlarm(stub);
    expect((await guestWs.drain()).some((m) => m.type === 'event' && m.event.kind === 'host')).toBe(false);
    await setClock(stub, T0 + HOST_GRACE_MS + 1);
    await runDurableObjectAlarm(stub);
    expect((await guestWs.next('event', (m) => m.event.kind === 'host')).event).toEqual({
      kind: 'host',
      participantId: guest.participantId,
    });
    guestWs.send({ type: 'start' });
    expect((await guestWs.next('event', (m) => m.event.kind === 'step')).event).toMatchObject({ step: 'planning' });
  });
});

describe('a host who leaves', () => {
  it('hands the role on at once to the longest-present online participant', async () => {
    const { guest, hostWs, guestWs } = await roomOfTwo();
    hostWs.send({ type: 'leave' });
    expect((await guestWs.next('event', (m) => m.event.kind === 'host')).event).toEqual({
      kind: 'host',
      participantId: guest.participantId,
    });
    guestWs.send({ type: 'sync' });
    const snapshot = await guestWs.next('snapshot');
    expect(snapshot.state.participants.find((p) => p.id === guest.participantId)).toMatchObject({ isHost: true });
  });
});

describe('hibernation and reconnects', () => {
  it('wakes from hibernation with its state and its sockets', async () => {
    const { stub, hostWs, guestWs } = await roomOfTwo();
    hostWs.send({ type: 'start' });
    await guestWs.next('event');
    await evictDurableObject(stub);
    hostWs.send({ type: 'submit', id: 'after-sleep', cycle: 1, plan: PLAN });
    await hostWs.next('ack', (m) => m.id === 'after-sleep');
    expect((await guestWs.next('event')).event).toMatchObject({ kind: 'submitted', step: 'planning' });
  });

  it('a reconnecting client resumes from a snapshot with nothing lost', async () => {
    const { stub, guest, hostWs, guestWs } = await roomOfTwo();
    hostWs.send({ type: 'start' });
    guestWs.send({ type: 'submit', id: 'g1', cycle: 1, plan: PLAN });
    await guestWs.next('ack');
    guestWs.ws.close(1000, 'network change');
    const back = await connect(stub, guest.memberId);
    const snapshot = await back.next('snapshot');
    expect(snapshot.state.step).toBe('planning');
    expect(snapshot.state.participants.find((p) => p.id === guest.participantId)).toMatchObject({
      submitted: true,
      online: true,
    });
  });
});

describe('bad input changes nothing', () => {
  it.each([
    ['not JSON', '{nope', 'invalid_message'],
    ['an unknown type', JSON.stringify({ type: 'dance' }), 'invalid_message'],
    ['an extra field', JSON.stringify({ type: 'start', now: 1 }), 'invalid_message'],
    [
      'a plan without its required answers',
      JSON.stringify({ type: 'submit', id: 'x', cycle: 1, plan: { toDo: 'a' } }),
      'invalid_message',
    ],
    [
      'a message over the size limit',
      JSON.stringify({ type: 'sync', pad: 'x'.repeat(MAX_CLIENT_MESSAGE_BYTES) }),
      'too_large',
    ],
  ])('%s gets an error event', async (_, raw, code) => {
    const { hostWs } = await roomOfTwo();
    hostWs.send({ type: 'sync' });
    const before = await hostWs.next('snapshot');
    hostWs.send(raw);
    expect(await hostWs.next('error')).toMatchObject({ code });
    hostWs.send({ type: 'sync' });
    expect((await hostWs.next('snapshot')).state).toEqual(before.state);
  });

  it('refuses a plan while waiting and a retrospect while planning', async () => {
    const { hostWs } = await roomOfTwo();
    hostWs.send({ type: 'submit', id: 'early', cycle: 1, plan: PLAN });
    expect(await hostWs.next('error')).toMatchObject({ code: 'wrong_step' });
    hostWs.send({ type: 'start' });
    hostWs.send({ type: 'retro', id: 'early2', cycle: 1, retrospect: RETRO });
    expect(await hostWs.next('error')).toMatchObject({ code: 'wrong_step' });
  });

  it('closes a socket that floods the room with 4429', async () => {
    const { hostWs } = await roomOfTwo();
    for (let i = 0; i <= RATE_LIMIT.messages; i += 1) hostWs.send({ type: 'sync' });
    expect((await hostWs.closed).code).toBe(CLOSE.rateLimited);
  });
});
