/**
 * Writes owed by learners' messages are not sent to D1 on the message path:
 * they gather in the room's storage (acknowledged once stored there) and go
 * to D1 together, in order, from the one alarm, which a burst of messages
 * sets once. A learner whose last socket closes takes what is gathering to
 * D1 at once, so a room people leave is not kept awake for it. Against the
 * real D1 a gathered batch goes in one round trip; when D1 refuses one write
 * of it for good, the others still arrive and that one is set aside.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { codeFromBytes } from '../../../shared/index.ts';
import { database } from '../../../worker/db/client.ts';
import { createStudy } from '../../../worker/db/queries.ts';
import { member } from '../../../worker/db/schema.ts';
import type { Persist } from '../../../worker/room/model.ts';
import type { Room } from '../../../worker/room/room.ts';
import { connect, roomOfTwo, outbox as stored, T0 } from './socket.ts';

const PLAN = { toDo: 'read', completionCondition: 'chapter 1' };
const WINDOW = 60_000;

/** The writes the room still owes D1, oldest first, with how often each failed. */
async function outbox(stub: DurableObjectStub<Room>) {
  return (await stored(stub)) as (Persist & { attempts?: number })[];
}

/** A room of two whose writes gather for a minute (so no alarm fires by itself during the test), counting alarm writes. */
async function gatheringRoom() {
  const room = await roomOfTwo();
  await runInDurableObject(room.stub, (r: Room, state) => {
    r.gatherMs = WINDOW;
    const storage = state.storage as DurableObjectStorage & { alarmWrites?: number };
    storage.alarmWrites = 0;
    for (const name of ['setAlarm', 'deleteAlarm'] as const) {
      const original = storage[name].bind(storage) as (...args: unknown[]) => unknown;
      (storage as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
        storage.alarmWrites = (storage.alarmWrites ?? 0) + 1;
        return original(...args);
      };
    }
  });
  const alarmWrites = () =>
    runInDurableObject(
      room.stub,
      (_r: Room, state) => (state.storage as DurableObjectStorage & { alarmWrites?: number }).alarmWrites ?? 0,
    );
  const alarm = () => runInDurableObject(room.stub, (_r: Room, state) => state.storage.getAlarm());
  return { ...room, alarmWrites, alarm };
}

describe('writes owed by messages', () => {
  it('are acknowledged once stored, then go to D1 together and in order from one alarm, set once', async () => {
    const { stub, hostWs, guestWs, d1, alarmWrites, alarm } = await gatheringRoom();
    expect(d1.delivered.map((op) => op.op)).toEqual(['participant']);
    hostWs.send({ type: 'start' });
    await guestWs.next('event', (m) => m.event.kind === 'step');
    hostWs.send({ type: 'submit', id: 'h1', cycle: 1, plan: PLAN });
    guestWs.send({ type: 'submit', id: 'g1', cycle: 1, plan: PLAN });
    await hostWs.next('ack', (m) => m.id === 'h1');
    await guestWs.next('ack', (m) => m.id === 'g1');

    // Stored and acknowledged, not yet sent: nothing reached D1 on the message path.
    expect(d1.delivered.map((op) => op.op)).toEqual(['participant']);
    expect((await outbox(stub)).map((op) => op.op)).toEqual(['step', 'answer', 'answer']);
    // One alarm write for the three messages: the start set the delivery time, the submits left it there.
    expect(await alarmWrites()).toBe(1);
    const due = await alarm();
    expect(due).not.toBeNull();
    expect(due! - Date.now()).toBeLessThanOrEqual(WINDOW);

    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(d1.delivered.map((op) => op.op)).toEqual(['participant', 'step', 'answer', 'answer']);
    expect(await outbox(stub)).toEqual([]);
    // Delivered: the alarm is the step's deadline now, not a delivery.
    expect((await alarm())! - Date.now()).toBeGreaterThan(WINDOW);
  });

  it('are still retried from the alarm while D1 fails, and nothing acknowledged is lost', async () => {
    const { stub, hostWs, d1 } = await gatheringRoom();
    d1.down = true;
    hostWs.send({ type: 'start' });
    hostWs.send({ type: 'submit', id: 'h1', cycle: 1, plan: PLAN });
    await hostWs.next('ack', (m) => m.id === 'h1');
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await outbox(stub)).map((op) => [op.op, op.attempts])).toEqual([
      ['step', 1],
      ['answer', undefined],
    ]);
    d1.down = false;
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(d1.delivered.map((op) => op.op)).toEqual(['participant', 'step', 'answer']);
    expect(await outbox(stub)).toEqual([]);
  });

  it('go to D1 at once when a learner leaves, so an emptying room owes nothing', async () => {
    const { stub, hostWs, guestWs, d1 } = await gatheringRoom();
    hostWs.send({ type: 'start' });
    hostWs.send({ type: 'submit', id: 'h1', cycle: 1, plan: PLAN });
    await hostWs.next('ack', (m) => m.id === 'h1');
    expect(d1.delivered.map((op) => op.op)).toEqual(['participant']);
    guestWs.ws.close(1000, 'tab closed');
    await hostWs.next('event', (m) => m.event.kind === 'presence' && !m.event.online);
    // Delivered before the presence change was told.
    expect(d1.delivered.map((op) => op.op)).toEqual(['participant', 'step', 'answer']);
    expect(await outbox(stub)).toEqual([]);
  });
});

/** A room whose study and host are in D1, with a guest D1 has never seen (so D1 refuses the guest's writes for good), writes gathering for a minute. */
async function roomInD1() {
  const db = database(env.DB);
  const host = { memberId: crypto.randomUUID(), nickname: 'host' };
  await db.insert(member).values({ id: host.memberId, nickname: host.nickname, createdAt: T0 });
  const code = codeFromBytes(crypto.getRandomValues(new Uint8Array(6)));
  const input = {
    name: 'batch',
    totalCycles: 1,
    minutesPerCycle: 25,
    hostMemberId: host.memberId,
    hostNickname: 'host',
    code,
  };
  const created = await createStudy(db, input, T0);
  const stub = env.ROOM.get(env.ROOM.idFromName(created.study.id));
  await stub.open({
    studyId: created.study.id,
    name: 'batch',
    totalCycles: 1,
    minutesPerCycle: 25,
    code,
    host: { ...host, id: created.host.id },
  });
  await runInDurableObject(stub, (r: Room) => {
    r.gatherMs = WINDOW;
    r.now = () => T0;
  });
  const guest = { memberId: crypto.randomUUID(), participantId: crypto.randomUUID(), nickname: 'guest' };
  expect((await stub.join(guest)).ok).toBe(true);
  const hostWs = await connect(stub, host.memberId);
  const guestWs = await connect(stub, guest.memberId);
  await hostWs.next('snapshot');
  await guestWs.next('snapshot');
  // The guest's join went to D1 at once (not a message): refused, set aside.
  await expect.poll(() => outbox(stub), { timeout: 10_000 }).toEqual([]);
  return { stub, studyId: created.study.id, hostId: created.host.id, guestId: guest.participantId, hostWs, guestWs };
}

async function planInD1(participantId: string): Promise<unknown> {
  const row = await env.DB.prepare('SELECT plan FROM content WHERE participant_id = ? AND cycle = 1')
    .bind(participantId)
    .first<{ plan: string | null }>();
  return row?.plan ? JSON.parse(row.plan) : null;
}

async function setAsideInD1(studyId: string) {
  const rows = await env.DB.prepare(
    'SELECT write_json FROM room_write_set_aside WHERE study_id = ? ORDER BY set_aside_at',
  )
    .bind(studyId)
    .all<{ write_json: string }>();
  return rows.results.map((r) => JSON.parse(r.write_json) as Persist);
}

describe('a gathered batch against the real D1', () => {
  it('arrives whole, in one go', async () => {
    const { stub, studyId, hostId, hostWs } = await roomInD1();
    hostWs.send({ type: 'start' });
    hostWs.send({ type: 'submit', id: 'h1', cycle: 1, plan: PLAN });
    await hostWs.next('ack', (m) => m.id === 'h1');
    expect(await planInD1(hostId)).toBeNull();
    expect((await outbox(stub)).map((op) => op.op)).toEqual(['step', 'answer']);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await planInD1(hostId)).toEqual(PLAN);
    const row = await env.DB.prepare('SELECT step, current_cycle FROM study WHERE id = ?').bind(studyId).first();
    expect(row).toEqual({ step: 'planning', current_cycle: 1 });
    expect(await outbox(stub)).toEqual([]);
  });

  it('with one write D1 refuses for good: the others arrive, in order, and that one is set aside', async () => {
    const { stub, studyId, hostId, guestId, hostWs, guestWs } = await roomInD1();
    hostWs.send({ type: 'start' });
    await guestWs.next('event', (m) => m.event.kind === 'step');
    guestWs.send({ type: 'submit', id: 'g1', cycle: 1, plan: PLAN });
    await guestWs.next('ack', (m) => m.id === 'g1');
    hostWs.send({ type: 'submit', id: 'h1', cycle: 1, plan: PLAN });
    await hostWs.next('ack', (m) => m.id === 'h1');
    expect((await outbox(stub)).map((op) => op.op)).toEqual(['step', 'answer', 'answer']);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await planInD1(hostId)).toEqual(PLAN);
    expect(await outbox(stub)).toEqual([]);
    // The guest's join (refused when it joined) and now their answer: kept in the room, and reported.
    const kept = await runInDurableObject(stub, async (_r: Room, state) => [
      ...(await state.storage.list<{ write: Persist }>({ prefix: 'setaside:' })).values(),
    ]);
    expect(kept.map((k) => k.write.op).sort()).toEqual(['answer', 'participant']);
    expect((await setAsideInD1(studyId)).map((w) => w.op)).toEqual(expect.arrayContaining(['participant', 'answer']));
    expect(kept.find((k) => k.write.op === 'answer')?.write).toMatchObject({ participantId: guestId });
  });
});
