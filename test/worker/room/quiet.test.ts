/**
 * A room nobody is in goes quiet: left alone for simulated days it fires a
 * bounded, small number of alarms and writes almost nothing, whether it was
 * finished, abandoned mid-step or never started. The next learner to come
 * back wakes it, and a host handover that had nobody to go to happens then.
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { HOST_GRACE_MS } from '../../../shared/index.ts';
import type { Room } from '../../../worker/room/room.ts';
import { connect, roomOfTwo, T0, type TestSocket } from './socket.ts';

const DAY = 24 * 60 * 60_000;
/** More alarms than any quiet room needs: a room that reaches it is looping. */
const RUNAWAY = 50;

/**
 * Plays the platform for `days` of the room's time: each alarm fires when
 * due, with the room's clock moved to that moment. Counts the alarms.
 */
async function leaveAlone(stub: DurableObjectStub<Room>, from: number, days: number) {
  const until = from + days * DAY;
  let now = from;
  let alarms = 0;
  while (alarms < RUNAWAY) {
    const at = await runInDurableObject(stub, (_room: Room, state) => state.storage.getAlarm());
    if (at === null) break;
    // The room sets alarms on the platform clock, `due - room.now()` from its
    // Date.now(), which workerd moves only on I/O: a second late makes sure the
    // room sees its due time passed (a looping room still runs into RUNAWAY).
    const next = now + Math.max(0, at - Date.now()) + 1_000;
    if (next > until) break;
    now = next;
    await runInDurableObject(stub, (room: Room) => {
      room.now = () => now;
    });
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    alarms += 1;
  }
  const pending = await runInDurableObject(stub, (_room: Room, state) => state.storage.getAlarm());
  return { alarms, pending };
}

/** Wraps the room's storage writers (puts, deletes, alarm changes) so a test can count them. */
async function countWrites(stub: DurableObjectStub<Room>) {
  await runInDurableObject(stub, (_room: Room, state) => {
    const storage = state.storage as DurableObjectStorage & { writes?: number };
    if (storage.writes !== undefined) return;
    storage.writes = 0;
    for (const name of ['put', 'delete', 'setAlarm', 'deleteAlarm'] as const) {
      const original = storage[name].bind(storage) as (...args: unknown[]) => unknown;
      (storage as unknown as Record<string, unknown>)[name] = (...args: unknown[]) => {
        storage.writes = (storage.writes ?? 0) + 1;
        return original(...args);
      };
    }
  });
  const read = () =>
    runInDurableObject(
      stub,
      (_room: Room, state) => (state.storage as DurableObjectStorage & { writes?: number }).writes ?? 0,
    );
  const before = await read();
  let after = before;
  return {
    count: () => after - before,
    refresh: async () => {
      after = await read();
    },
  };
}

/** Everyone closes their tab; resolves once the room has seen every close. */
async function everyoneLeaves(stub: DurableObjectStub<Room>, sockets: TestSocket[]) {
  for (const ws of sockets) ws.ws.close(1000, 'tab closed');
  await Promise.all(sockets.map((ws) => ws.closed));
  // The room handles each close in its own event; ask it until it has no open socket left.
  await expect
    .poll(() => runInDurableObject(stub, (_room: Room, state) => state.getWebSockets().length), { timeout: 10_000 })
    .toBe(0);
}

async function quietRoom(stub: DurableObjectStub<Room>, from: number) {
  const writes = await countWrites(stub);
  const result = await leaveAlone(stub, from, 3);
  await writes.refresh();
  return { ...result, writes: writes.count() };
}

describe('a room nobody is in', () => {
  it('abandoned mid-step: announces time up once, then schedules nothing for days', async () => {
    const { stub, hostWs, guestWs } = await roomOfTwo();
    hostWs.send({ type: 'start' });
    await guestWs.next('event', (m) => m.event.kind === 'step');
    await everyoneLeaves(stub, [hostWs, guestWs]);

    const quiet = await quietRoom(stub, T0);
    // The step's time-up (10 minutes in) is the one thing still due; the host
    // handover has nobody to go to, so it waits for someone to come back.
    expect(quiet.alarms).toBe(1);
    expect(quiet.pending).toBeNull();
    expect(quiet.writes).toBeLessThanOrEqual(4);
  });

  it('finished: schedules nothing at all', async () => {
    const { stub, hostWs, guestWs } = await roomOfTwo();
    hostWs.send({ type: 'start' });
    for (const step of ['planning', 'studying', 'retrospect'] as const) {
      await guestWs.next('event', (m) => m.event.kind === 'step' && m.event.step === step);
      hostWs.send({ type: 'advance', from: { step, cycle: 1 }, confirm: true });
    }
    await guestWs.next('event', (m) => m.event.kind === 'step' && m.event.step === 'done');
    await everyoneLeaves(stub, [hostWs, guestWs]);

    const quiet = await quietRoom(stub, T0);
    expect(quiet).toMatchObject({ alarms: 0, pending: null, writes: 0 });
  });

  it('still waiting: the host who left has nobody to hand over to, and no alarm runs', async () => {
    const { stub, hostWs, guestWs } = await roomOfTwo();
    await everyoneLeaves(stub, [hostWs, guestWs]);
    const quiet = await quietRoom(stub, T0);
    expect(quiet).toMatchObject({ alarms: 0, pending: null, writes: 0 });
  });

  it('wakes when a learner comes back, and hands the host role over then', async () => {
    const { stub, guest, hostWs, guestWs } = await roomOfTwo();
    hostWs.send({ type: 'start' });
    await guestWs.next('event', (m) => m.event.kind === 'step');
    await everyoneLeaves(stub, [hostWs, guestWs]);
    const quiet = await quietRoom(stub, T0);
    expect(quiet.pending).toBeNull();

    // Two days later the guest opens the page again; the host is still away.
    const back = await connect(stub, guest.memberId);
    await back.next('snapshot');
    const due = await runInDurableObject(stub, (_room: Room, state) => state.storage.getAlarm());
    expect(due).not.toBeNull();
    expect(due! - Date.now()).toBeLessThanOrEqual(HOST_GRACE_MS);
    expect(await runDurableObjectAlarm(stub)).toBe(true);
    expect((await back.next('event', (m) => m.event.kind === 'host')).event).toEqual({
      kind: 'host',
      participantId: guest.participantId,
    });
    // Handed over, nothing else is due: quiet again.
    expect(await runInDurableObject(stub, (_room: Room, state) => state.storage.getAlarm())).toBeNull();
  });
});
