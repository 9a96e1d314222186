/**
 * Room test helpers: open a room through its RPC, connect real WebSockets to
 * it, and read what arrives in order.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { expect } from 'vitest';
import { type ClientMessage, LIMITS, parseServerMessage, type ServerMessage } from '../../../shared/index.ts';
import type { Persist } from '../../../worker/room/model.ts';
import type { Room } from '../../../worker/room/room.ts';

/** The room tests' starting time (the room's clock is set by hand). */
export const T0 = Date.UTC(2026, 10, 25, 9);

/**
 * Timeout of a test that fills a room to `LIMITS.roomParticipants.max`: every
 * join stores the whole room, so 1,000 joins take 1-3 s on an idle 2-core
 * machine and up to 8 s with both cores busy (vitest's default is 5 s).
 */
export const FILL_ROOM_TIMEOUT_MS = 30_000;

/** A connected test socket with an ordered inbox. */
export class TestSocket {
  readonly inbox: ServerMessage[] = [];
  readonly closed: Promise<{ code: number; reason: string }>;
  /** Woken on every message and on close. */
  private waiters: (() => void)[] = [];
  /** Resolved by the runtime's `pong`s, in order (see `drain`). */
  private pongs: (() => void)[] = [];
  private isClosed = false;

  readonly ws: WebSocket;

  constructor(ws: WebSocket) {
    this.ws = ws;
    ws.accept();
    ws.addEventListener('message', (event) => {
      if (event.data === 'pong') this.pongs.shift()?.();
      else {
        // Read as the page reads it: a frame the protocol's schema refuses fails the test here.
        const message = parseServerMessage(String(event.data));
        if (!message) throw new Error(`the room sent a frame the protocol does not know: ${String(event.data)}`);
        this.inbox.push(message);
      }
      for (const wake of this.waiters.splice(0)) wake();
    });
    this.closed = new Promise((resolve) =>
      ws.addEventListener('close', (event) => {
        this.isClosed = true;
        for (const wake of [...this.waiters.splice(0), ...this.pongs.splice(0)]) wake();
        resolve({ code: event.code, reason: event.reason });
      }),
    );
  }

  send(message: ClientMessage | string): void {
    this.ws.send(typeof message === 'string' ? message : JSON.stringify(message));
  }

  /**
   * The next message matching `match` (removed from the inbox), as soon as it
   * arrives; throws once the socket has closed without it. No deadline of its
   * own: the test's timeout bounds the wait, so a busy machine is slower, not
   * failing.
   */
  async next<T extends ServerMessage['type']>(
    type: T,
    match: (m: Extract<ServerMessage, { type: T }>) => boolean = () => true,
  ) {
    for (;;) {
      const index = this.inbox.findIndex((m) => m.type === type && match(m as Extract<ServerMessage, { type: T }>));
      if (index >= 0) return this.inbox.splice(index, 1)[0] as Extract<ServerMessage, { type: T }>;
      if (this.isClosed)
        throw new Error(`no ${type} message before the socket closed; inbox: ${JSON.stringify(this.inbox)}`);
      await new Promise<void>((resolve) => this.waiters.push(resolve));
    }
  }

  /**
   * Returns and clears everything the room has sent so far. The barrier is a
   * keep-alive `ping`: the runtime answers it in the socket's order without
   * waking the room or counting it against any limit, so whatever the room
   * sent before has arrived when the `pong` does; no sleep that a busy
   * machine could outlast.
   */
  async drain(): Promise<ServerMessage[]> {
    if (!this.isClosed) {
      const pong = new Promise<void>((resolve) => this.pongs.push(resolve));
      this.ws.send('ping');
      await pong;
    }
    return this.inbox.splice(0);
  }
}

/** A fresh room for a new group study, hosted by member `host-<n>`. */
export async function openRoom(
  options: { totalCycles?: number; minutesPerCycle?: number; gatherPresence?: boolean } = {},
) {
  const studyId = crypto.randomUUID();
  const stub = env.ROOM.get(env.ROOM.idFromName(studyId));
  const host = { id: crypto.randomUUID(), memberId: crypto.randomUUID(), nickname: 'host' };
  const state = await stub.open({
    studyId,
    name: 'math',
    totalCycles: options.totalCycles ?? 1,
    minutesPerCycle: options.minutesPerCycle ?? 25,
    code: 'ABCDEF',
    host,
  });
  // One presence event per change, sent at once, as most tests read them; test/worker/room/presence.test.ts gathers them.
  if (!options.gatherPresence)
    await runInDurableObject(stub, (room: Room) => {
      room.presenceMs = 0;
    });
  return { stub, studyId, host, state };
}

/**
 * Connects `memberId` to the room as the worker would after checking the
 * token; `since` goes in the URL as a returning page puts it.
 */
export async function connect(
  stub: DurableObjectStub<Room>,
  memberId: string,
  level = 2,
  since?: number | string,
): Promise<TestSocket> {
  const query = since === undefined ? '' : `?since=${encodeURIComponent(since)}`;
  const res = await stub.fetch(`https://room/socket${query}`, {
    headers: { Upgrade: 'websocket', 'X-Haru-Member': memberId, 'X-Haru-Protocol': `haru.${level}` },
  });
  if (!res.webSocket) throw new Error(`no socket: ${res.status}`);
  return new TestSocket(res.webSocket);
}

/**
 * Fills an open room with made-up learners, straight through the object, up
 * to `LIMITS.roomParticipants.max`; their D1 writes are dropped (members D1
 * has never seen are not the point). See FILL_ROOM_TIMEOUT_MS.
 */
export async function fillRoom(stub: DurableObjectStub<Room>): Promise<void> {
  await runInDurableObject(stub, (room: Room) => {
    room.persist = async () => {};
  });
  for (let i = 1; ; i++) {
    const joined = await stub.join({
      memberId: crypto.randomUUID(),
      participantId: crypto.randomUUID(),
      nickname: `l${i}`,
    });
    if (!joined.ok) throw new Error(`the room refused learner ${i}: ${joined.code}`);
    if (joined.state.participants.length >= LIMITS.roomParticipants.max) return;
  }
}

/** Waits until the room has handled the close of every socket of `participantId`. */
export async function closedInRoom(stub: DurableObjectStub<Room>, participantId: string): Promise<void> {
  await expect
    .poll(() => runInDurableObject(stub, (_room: Room, state) => state.getWebSockets(participantId).length))
    .toBe(0);
}

/** Sets the room's clock. */
export function setClock(stub: DurableObjectStub<Room>, time: number): Promise<void> {
  return runInDurableObject(stub, (room: Room) => {
    room.now = () => time;
  });
}

/**
 * A room with a host and one guest, both connected; events so far drained.
 * Its D1 writes go to `d1.delivered`; `d1.down = true` makes them fail.
 */
export async function roomOfTwo(options?: { totalCycles?: number; level?: number }) {
  const opened = await openRoom(options);
  await setClock(opened.stub, T0);
  const d1 = { down: false, delivered: [] as Persist[] };
  await runInDurableObject(opened.stub, (room: Room) => {
    room.persist = async (op) => {
      if (d1.down) throw new Error('D1 is down');
      d1.delivered.push(op);
    };
  });
  const guest = { memberId: crypto.randomUUID(), participantId: crypto.randomUUID(), nickname: 'guest' };
  const joined = await opened.stub.join(guest);
  if (!joined.ok) throw new Error('join failed');
  const hostWs = await connect(opened.stub, opened.host.memberId, options?.level);
  const guestWs = await connect(opened.stub, guest.memberId, options?.level);
  await hostWs.drain();
  await guestWs.drain();
  return { ...opened, guest, hostWs, guestWs, d1 };
}

/** The writes the room still owes D1, oldest first. */
export async function outbox(stub: DurableObjectStub<Room>) {
  return runInDurableObject(stub, async (_room: Room, state) => [
    ...(await state.storage.list({ prefix: 'outbox:' })).values(),
  ]);
}
