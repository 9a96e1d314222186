/**
 * The room's outbox against the real D1. An acknowledged answer reaches D1
 * even when the object dies between the ack and the flush: the alarm that
 * delivers it was stored with it, and a reconnect delivers it sooner. A write
 * D1 refuses for good (here a foreign key: the room's study has no D1 row) is
 * set aside, kept in the room's storage and reported to
 * `room_write_set_aside`, and the writes behind it go on. The operator view
 * counts it.
 */
import { env, runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { codeFromBytes } from '../../../shared/index.ts';
import { database } from '../../../worker/db/client.ts';
import { createStudy } from '../../../worker/db/queries.ts';
import { member } from '../../../worker/db/schema.ts';
import type { OpsSummary } from '../../../worker/ops/summary.ts';
import type { Room } from '../../../worker/room/room.ts';
import { clockAt, versionApp } from '../ops/app.ts';
import { connect, openRoom, outbox, setClock, T0 } from './socket.ts';

const PLAN = { toDo: 'read', completionCondition: 'chapter 1' };

/** A room whose study, host and member are in D1, as `POST /api/v2/studies` leaves them at `at`. */
async function roomInD1(at = T0) {
  const db = database(env.DB);
  const host = { memberId: crypto.randomUUID(), nickname: 'host' };
  await db.insert(member).values({ id: host.memberId, nickname: host.nickname, createdAt: at });
  const code = codeFromBytes(crypto.getRandomValues(new Uint8Array(6)));
  const created = await createStudy(
    db,
    {
      name: 'crash',
      totalCycles: 1,
      minutesPerCycle: 25,
      hostMemberId: host.memberId,
      hostNickname: host.nickname,
      code,
    },
    at,
  );
  const stub = env.ROOM.get(env.ROOM.idFromName(created.study.id));
  await stub.open({
    studyId: created.study.id,
    name: 'crash',
    totalCycles: 1,
    minutesPerCycle: 25,
    code,
    host: { ...host, id: created.host.id },
  });
  return { stub, studyId: created.study.id, host: { ...host, id: created.host.id } };
}

/** The plan D1 holds for `participantId` in cycle 1, if any. */
async function planInD1(participantId: string): Promise<unknown> {
  const row = await env.DB.prepare('SELECT plan FROM content WHERE participant_id = ? AND cycle = 1')
    .bind(participantId)
    .first<{ plan: string | null }>();
  return row?.plan ? JSON.parse(row.plan) : null;
}

/**
 * Starts the study and submits a plan that the room acknowledges, while D1
 * never answers this life of the object: the flush after the ack hangs, so
 * the crash that follows lands between the ack and the flush.
 */
async function ackThenCrash() {
  const room = await roomInD1();
  await runInDurableObject(room.stub, (r: Room) => {
    r.persist = () => new Promise(() => {});
  });
  const ws = await connect(room.stub, room.host.memberId);
  await ws.next('snapshot');
  ws.send({ type: 'start' });
  ws.send({ type: 'submit', id: 'p1', cycle: 1, plan: PLAN });
  await ws.next('ack', (m) => m.id === 'p1');
  // The platform resets the object (as a deploy, an eviction or a machine restart would): memory and in-flight work are gone, storage stays.
  await expect(
    runInDurableObject(room.stub, (_room: Room, state) => state.abort('crash after the ack')),
  ).rejects.toThrow();
  // A stub to an object that was reset stays broken: callers take a new one, as the worker does per request.
  return { ...room, stub: env.ROOM.get(room.stub.id) };
}

describe('a crash between the ack and the flush', () => {
  it('still delivers the acknowledged answer, from the alarm alone', async () => {
    const { stub, host } = await ackThenCrash();
    expect(await planInD1(host.id)).toBeNull();
    // The wake-up was stored with the answer: due within the first retry delay, not at the step's deadline.
    const due = await runInDurableObject(stub, (_room: Room, state) => state.storage.getAlarm());
    expect(due).not.toBeNull();
    expect(due! - Date.now()).toBeLessThanOrEqual(1_000);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect(await planInD1(host.id)).toEqual(PLAN);
    expect(await outbox(stub)).toEqual([]);
  });

  it('delivers it as soon as a learner connects again, without waiting for the alarm', async () => {
    const { stub, host } = await ackThenCrash();
    const back = await connect(stub, host.memberId);
    await back.next('snapshot');
    await expect.poll(() => planInD1(host.id), { timeout: 10_000 }).toEqual(PLAN);
    await expect.poll(() => outbox(stub), { timeout: 10_000 }).toEqual([]);
  });
});

function setAside(stub: DurableObjectStub<Room>) {
  return runInDurableObject(stub, async (_room: Room, state) => [
    ...(await state.storage.list({ prefix: 'setaside:' })).values(),
  ]);
}

describe('a write D1 refuses for good', () => {
  it('is set aside, kept and reported, and the writes behind it reach D1', async () => {
    // Opened through its RPC only: D1 has no study row, so the participant insert breaks a foreign key.
    const { stub, studyId, host } = await openRoom();
    await setClock(stub, T0);
    const guest = { memberId: crypto.randomUUID(), participantId: crypto.randomUUID(), nickname: 'guest' };
    expect((await stub.join(guest)).ok).toBe(true);
    await expect.poll(() => setAside(stub), { timeout: 10_000 }).toHaveLength(1);
    expect((await setAside(stub))[0]).toMatchObject({
      write: { op: 'participant', participant: { id: guest.participantId } },
      error: expect.stringMatching(/constraint/i),
      at: T0,
    });

    // A later write (the step) is not held back behind it.
    const hostWs = await connect(stub, host.memberId);
    await hostWs.next('snapshot');
    hostWs.send({ type: 'start' });
    await hostWs.next('event', (m) => m.event.kind === 'step');
    await expect.poll(() => outbox(stub), { timeout: 10_000 }).toEqual([]);

    const reported = await env.DB.prepare(
      'SELECT study_id, write_json, error, set_aside_at FROM room_write_set_aside WHERE study_id = ?',
    )
      .bind(studyId)
      .all();
    expect(reported.results).toHaveLength(1);
    expect(reported.results[0]).toMatchObject({
      study_id: studyId,
      set_aside_at: T0,
      error: expect.stringMatching(/constraint/i),
    });
    expect(JSON.parse(String(reported.results[0]?.write_json))).toMatchObject({
      op: 'participant',
      participant: { id: guest.participantId },
    });
    // Set aside, never dropped: still in the room after the report went out.
    expect(await setAside(stub)).toHaveLength(1);

    const ops = versionApp(clockAt(40), { version: 'ops-set-aside', build: 'build-ops-set-aside' });
    const res = await ops.ops('/ops/api/summary');
    const summary = (await res.json()) as OpsSummary;
    expect(summary.setAsideWrites.total).toBeGreaterThanOrEqual(1);
    expect(summary.setAsideWrites.rooms).toContainEqual({ studyId, count: 1, oldest: T0 });
    const page = await (await ops.ops('/ops')).text();
    expect(page).toMatch(/Set-aside room writes/);
    expect(page).toContain(studyId);
  });
});

describe('the operator view', () => {
  it('lists a room whose writes have waited for D1 longer than a minute, and stops once they arrive', async () => {
    const clock = clockAt(41);
    const ops = versionApp(clock, { version: 'ops-stuck', build: 'build-ops-stuck' });
    const queuedAt = clock.time - 2 * 60_000;
    const { stub, host, studyId } = await roomInD1(queuedAt);
    await setClock(stub, queuedAt);
    const d1 = { down: true };
    await runInDurableObject(stub, (room: Room) => {
      const real = room.persist;
      room.persist = (op) => (d1.down ? Promise.reject(new Error('D1_ERROR: Network connection lost.')) : real(op));
    });
    const ws = await connect(stub, host.memberId);
    await ws.next('snapshot');
    ws.send({ type: 'start' });
    ws.send({ type: 'submit', id: 'p1', cycle: 1, plan: PLAN });
    await ws.next('ack', (m) => m.id === 'p1');

    const summary = async () => ((await (await ops.ops('/ops/api/summary')).json()) as OpsSummary).stuckOutboxes;
    const stuck = await summary();
    expect(stuck.rooms).toContainEqual({ studyId, owed: 2, oldestAgeMs: 2 * 60_000 });
    expect(stuck.asked).toBeGreaterThanOrEqual(1);
    const page = await (await ops.ops('/ops')).text();
    expect(page).toMatch(/Room writes waiting for D1/);
    expect(page).toContain(studyId);

    d1.down = false;
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await summary()).rooms.map((r) => r.studyId)).not.toContain(studyId);
  });
});
