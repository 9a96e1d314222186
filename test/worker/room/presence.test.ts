/**
 * Presence in windows (API level 3): sockets opening and closing within one
 * window go out as one `presences` event to level-3 pages and as single
 * `presence` events, numbered alike, to level-2 pages; a snapshot taken
 * mid-window plus that event is the room as it is; the host's absence says
 * when the role passes on; and a storm of connects stores the room once per
 * window, not once per socket.
 */
import { runDurableObjectAlarm, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { applyEvent, HOST_GRACE_MS, type ServerMessage } from '../../../shared/index.ts';
import type { Room } from '../../../worker/room/room.ts';
import { closedInRoom, connect, openRoom, setClock, T0, type TestSocket } from './socket.ts';

type Event = Extract<ServerMessage, { type: 'event' }>;

/** A room whose presence gathers until the test fires the alarm (the window is longer than any test). */
async function gatheringRoom(guests: number) {
  const opened = await openRoom({ gatherPresence: true });
  await setClock(opened.stub, T0);
  await runInDurableObject(opened.stub, (room: Room) => {
    room.presenceMs = 60_000;
    room.persist = async () => {};
  });
  const members = [];
  for (let i = 0; i < guests; i++) {
    const member = { memberId: crypto.randomUUID(), participantId: crypto.randomUUID(), nickname: `g${i}` };
    expect((await opened.stub.join(member)).ok).toBe(true);
    members.push(member);
  }
  return { ...opened, guests: members };
}

/** Sends the gathered presence now, as the window's alarm would. */
async function endWindow(stub: DurableObjectStub<Room>) {
  expect(await runDurableObjectAlarm(stub)).toBe(true);
}

const events = async (ws: TestSocket) =>
  (await ws.drain()).filter((m): m is Event => m.type === 'event' && m.event.kind !== 'joined');

describe('presence in windows', () => {
  it('sends a window as one event to level 3 and as numbered single events to level 2', async () => {
    const { stub, host, guests } = await gatheringRoom(4);
    const [a, b, c, d] = guests as [(typeof guests)[0], (typeof guests)[0], (typeof guests)[0], (typeof guests)[0]];
    const hostWs = await connect(stub, host.memberId, 3);
    const aWs = await connect(stub, a.memberId, 2);
    await endWindow(stub);
    const first = await events(hostWs);
    expect(first.map((m) => m.event)).toEqual([
      { kind: 'presences', online: [host.id, a.participantId], offline: [], handoverAt: null },
    ]);
    const base = first[0]!.seq;
    expect((await events(aWs)).map((m) => m.seq)).toEqual([base - 1, base]);

    // In the next window b comes, c comes and goes, and d connects mid-window.
    await connect(stub, b.memberId, 2);
    const cWs = await connect(stub, c.memberId, 2);
    cWs.ws.close(1000, 'tab closed');
    await closedInRoom(stub, c.participantId);
    const dWs = await connect(stub, d.memberId, 3);
    const dSnapshot = await dWs.next('snapshot');
    expect(dSnapshot.seq).toBe(base);
    expect(await events(hostWs)).toEqual([]);
    await endWindow(stub);

    const batch = await events(hostWs);
    expect(batch).toEqual([
      {
        type: 'event',
        seq: base + 3,
        event: {
          kind: 'presences',
          online: [b.participantId, d.participantId],
          offline: [c.participantId],
          handoverAt: null,
        },
      },
    ]);
    expect((await events(aWs)).map((m) => [m.seq, m.event])).toEqual([
      [base + 1, { kind: 'presence', participantId: b.participantId, online: true }],
      [base + 2, { kind: 'presence', participantId: c.participantId, online: false }],
      [base + 3, { kind: 'presence', participantId: d.participantId, online: true }],
    ]);
    // The snapshot d got before the window ended, plus the window's event, is the room as it is now.
    const dBatch = await dWs.next('event');
    dWs.send({ type: 'sync' });
    const now = await dWs.next('snapshot');
    expect(now.seq).toBe(base + 3);
    expect(applyEvent(dSnapshot.state, dBatch.event)).toEqual(now.state);

    // What follows is numbered after the whole window on both levels.
    hostWs.send({ type: 'start' });
    expect((await hostWs.next('event', (m) => m.event.kind === 'step')).seq).toBe(base + 4);
    expect((await aWs.next('event', (m) => m.event.kind === 'step')).seq).toBe(base + 4);
  });

  it('tells guests when the host role passes on while the host is away, and that it will not once back', async () => {
    const { stub, host, guests } = await gatheringRoom(2);
    const [a, b] = guests as [(typeof guests)[0], (typeof guests)[0]];
    const hostWs = await connect(stub, host.memberId, 3);
    const aWs = await connect(stub, a.memberId, 3);
    const bWs = await connect(stub, b.memberId, 2);
    await endWindow(stub);
    await Promise.all([aWs.drain(), bWs.drain()]);

    hostWs.ws.close(1000, 'tab closed');
    await closedInRoom(stub, host.id);
    await endWindow(stub);
    const handoverAt = T0 + HOST_GRACE_MS;
    expect((await aWs.next('event')).event).toEqual({
      kind: 'presences',
      online: [],
      offline: [host.id],
      handoverAt,
    });
    expect((await bWs.next('event')).event).toEqual({
      kind: 'presence',
      participantId: host.id,
      online: false,
      handoverAt,
    });
    aWs.send({ type: 'sync' });
    expect((await aWs.next('snapshot')).state.handoverAt).toBe(handoverAt);

    await connect(stub, host.memberId, 3);
    await endWindow(stub);
    expect((await aWs.next('event')).event).toEqual({
      kind: 'presences',
      online: [host.id],
      offline: [],
      handoverAt: null,
    });
  });

  it('stores the room once for a window of connects, not once per socket', async () => {
    const { stub, guests } = await gatheringRoom(5);
    await runInDurableObject(stub, (_room: Room, state) => {
      const storage = state.storage as DurableObjectStorage & { puts?: number };
      const put = storage.put.bind(storage) as (...args: unknown[]) => Promise<void>;
      storage.puts = 0;
      (storage as unknown as { put: unknown }).put = (...args: unknown[]) => {
        storage.puts = (storage.puts ?? 0) + 1;
        return put(...args);
      };
    });
    const sockets = [];
    for (const guest of guests) sockets.push(await connect(stub, guest.memberId, 3));
    const puts = () =>
      runInDurableObject(
        stub,
        (_room: Room, state) => (state.storage as DurableObjectStorage & { puts?: number }).puts,
      );
    expect(await puts()).toBe(0);
    await endWindow(stub);
    expect(await puts()).toBe(1);
    // Every socket heard all five, in one event.
    for (const ws of sockets) {
      const heard = await events(ws);
      expect(heard).toHaveLength(1);
      expect(heard[0]?.event).toMatchObject({ kind: 'presences', online: guests.map((g) => g.participantId) });
    }
  });

  it('makes the longest window longer the more sockets its event goes to, up to a cap', async () => {
    const opened = await openRoom({ gatherPresence: true });
    await setClock(opened.stub, T0);
    // No quiet spell ends a window here (60 s), and no D1 delivery is due before it: the alarm is the window's end.
    await runInDurableObject(opened.stub, (room: Room) => {
      room.presenceMs = 60_000;
      room.presenceMsPerSocket = 40_000;
      room.presenceMaxMs = 180_000;
      room.gatherMs = 600_000;
      room.persist = async () => {};
    });
    const guests = [];
    for (let i = 0; i < 4; i++) {
      const member = { memberId: crypto.randomUUID(), participantId: crypto.randomUUID(), nickname: `g${i}` };
      expect((await opened.stub.join(member)).ok).toBe(true);
      guests.push(member);
    }
    /** Connects `memberId`, which opens a window; how long that window may last, read from the alarm it set. */
    const windowAfterConnect = async (memberId: string) => {
      const before = Date.now();
      await connect(opened.stub, memberId, 3);
      const after = Date.now();
      const alarm = await runInDurableObject(opened.stub, (_room: Room, state) => state.storage.getAlarm());
      await endWindow(opened.stub);
      if (alarm === null) throw new Error('no alarm for the window');
      return [alarm - after, alarm - before] as const;
    };
    const windows = [];
    for (const memberId of [opened.host.memberId, ...guests.map((g) => g.memberId)])
      windows.push(await windowAfterConnect(memberId));
    // 1 socket: the 60 s floor; 2-4: 40 s each; 5: the 180 s cap.
    const expected = [60_000, 80_000, 120_000, 160_000, 180_000];
    for (const [i, [shortest, longest]] of windows.entries()) {
      expect(shortest).toBeLessThanOrEqual(expected[i]!);
      expect(longest).toBeGreaterThanOrEqual(expected[i]!);
    }
  });

  it('sends a window once no change has come for a while, before its longest', async () => {
    const { stub, host, guests } = await gatheringRoom(1);
    const hostWs = await connect(stub, host.memberId, 3);
    await endWindow(stub);
    await hostWs.drain();
    // Quiet after 20 ms; the window could last a minute.
    await runInDurableObject(stub, (room: Room) => {
      room.presenceMs = 20;
      room.presenceMsPerSocket = 60_000;
      room.presenceMaxMs = 60_000;
    });
    await connect(stub, guests[0]!.memberId, 3);
    expect((await hostWs.next('event')).event).toEqual({
      kind: 'presences',
      online: [guests[0]!.participantId],
      offline: [],
      handoverAt: null,
    });
  });
});
