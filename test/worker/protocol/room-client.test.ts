/**
 * The headless room client (shared/room-client.ts) against a scripted socket
 * and a hand-driven clock: what it sends and when it reconnects is the wire
 * behaviour every client (page, rehearsal, bench) relies on.
 */
import { describe, expect, it } from 'vitest';
import {
  CLOSE,
  type RoomParticipant,
  type RoomState,
  type ServerMessage,
  type Submission,
} from '../../../shared/room.ts';
import {
  BACKOFF,
  backoffDelay,
  createRoomClient,
  KEEP_ALIVE_MS,
  KEEP_ALIVE_TIMEOUT_MS,
  type RoomChange,
  type SocketEvents,
  type SocketLike,
  type Timers,
} from '../../../shared/room-client.ts';

/** A socket the test speaks for: it records what the client sent and plays the room's part. */
class FakeSocket implements SocketLike {
  readyState = 0;
  readonly sent: string[] = [];
  closedWith: { code?: number; reason?: string } | null = null;
  private readonly listeners: { [K in keyof SocketEvents]: ((event: SocketEvents[K]) => void)[] } = {
    open: [],
    message: [],
    close: [],
  };

  send(text: string): void {
    this.sent.push(text);
  }
  close(code?: number, reason?: string): void {
    this.closedWith = { code, reason };
    this.readyState = 3;
  }
  addEventListener<K extends keyof SocketEvents>(type: K, listener: (event: SocketEvents[K]) => void): void {
    this.listeners[type].push(listener);
  }
  open(): void {
    this.readyState = 1;
    for (const listener of this.listeners.open) listener({});
  }
  receive(message: ServerMessage | string): void {
    const data = typeof message === 'string' ? message : JSON.stringify(message);
    for (const listener of this.listeners.message) listener({ data });
  }
  drop(code: number, reason = ''): void {
    this.readyState = 3;
    for (const listener of this.listeners.close) listener({ code, reason });
  }
  /** What the client sent, parsed (keep-alive pings as they are). */
  messages(): unknown[] {
    return this.sent.map((text) => (text === 'ping' ? text : JSON.parse(text)));
  }
}

/** A clock the test moves by hand. */
function manualTimers() {
  let now = 0;
  let next = 0;
  const pending = new Map<number, { at: number; run: () => void }>();
  const timers: Timers = {
    setTimeout(run, ms) {
      pending.set(++next, { at: now + ms, run });
      return next;
    },
    clearTimeout(handle) {
      pending.delete(handle as number);
    },
  };
  return {
    timers,
    /** Delays of the timers waiting now, from the present. */
    waiting: () => [...pending.values()].map((t) => t.at - now),
    advance(ms: number) {
      const until = now + ms;
      for (;;) {
        const due = [...pending.entries()].filter(([, t]) => t.at <= until).sort((a, b) => a[1].at - b[1].at)[0];
        if (!due) break;
        pending.delete(due[0]);
        now = due[1].at;
        due[1].run();
      }
      now = until;
    },
  };
}

const me: RoomParticipant = { id: 'p1', nickname: 'mina', isHost: true, online: true, submitted: false };
const kai: RoomParticipant = { id: 'p2', nickname: 'kai', isHost: false, online: true, submitted: false };
const ROOM: RoomState = {
  studyId: 's1',
  name: 'Room',
  totalCycles: 1,
  minutesPerCycle: 25,
  code: 'ABCDEF',
  step: 'planning',
  cycle: 1,
  deadline: 1_000,
  participants: [me],
};
const snapshot = (seq: number, state: RoomState = ROOM): ServerMessage => ({
  type: 'snapshot',
  seq,
  you: me.id,
  state,
  serverNow: 0,
});
const joined = (seq: number, participant: RoomParticipant): ServerMessage => ({
  type: 'event',
  seq,
  event: { kind: 'joined', participant },
});
const PLAN: Submission = {
  type: 'submit',
  id: 'a1',
  cycle: 1,
  plan: { toDo: 'read', completionCondition: 'chapter 1' },
};

/** A client over fake sockets: `sockets` in the order it opened them, `changes` as it reported them. */
function setup(random = () => 0.5) {
  const clock = manualTimers();
  const sockets: FakeSocket[] = [];
  /** The `since` each socket was opened with, in the same order. */
  const since: (number | null)[] = [];
  const changes: RoomChange[][] = [];
  const client = createRoomClient({
    open: (at) => {
      const socket = new FakeSocket();
      sockets.push(socket);
      since.push(at);
      return socket;
    },
    timers: clock.timers,
    random,
  });
  client.listen((batch) => changes.push([...batch]));
  const last = () => sockets[sockets.length - 1]!;
  return { client, clock, sockets, since, changes, last, all: () => changes.flat() };
}

describe('room client: sequence numbers', () => {
  it('ignores events before the snapshot and old news, applies the next one', () => {
    const { client, last, all } = setup();
    client.connect();
    last().open();
    last().receive(joined(4, kai));
    expect(client.state).toBeNull();
    last().receive(snapshot(5));
    expect(client.connection).toBe('live');
    last().receive(joined(5, kai));
    expect(client.state?.participants).toEqual([me]);
    last().receive(joined(6, kai));
    expect(client.state?.participants).toEqual([me, kai]);
    const event = all().find((c) => c.type === 'event');
    expect(event).toMatchObject({ type: 'event', before: { participants: [me] }, state: { participants: [me, kai] } });
  });

  it('on a gap sends sync, applies nothing until the snapshot, then follows the snapshot', () => {
    const { client, last } = setup();
    client.connect();
    last().open();
    last().receive(snapshot(5));
    last().receive(joined(7, kai));
    expect(last().messages()).toEqual([{ type: 'sync' }]);
    expect(client.state?.participants).toEqual([me]);
    // Events after the gap wait for the snapshot, even in order.
    last().receive(joined(8, { ...kai, id: 'p3' }));
    expect(client.state?.participants).toEqual([me]);
    last().receive(snapshot(7, { ...ROOM, participants: [me, kai] }));
    last().receive(joined(8, { ...kai, id: 'p3' }));
    expect(client.state?.participants.map((p) => p.id)).toEqual(['p1', 'p2', 'p3']);
  });

  it('reads a level-3 presence batch as the numbers it stands for', () => {
    const { client, last } = setup();
    client.connect();
    last().open();
    last().receive(snapshot(5, { ...ROOM, participants: [me, kai] }));
    // Three changes: numbers 6-8, the message carries the last.
    const batch = (seq: number): ServerMessage => ({
      type: 'event',
      seq,
      event: { kind: 'presences', online: ['p2', 'p3'], offline: ['p1'], handoverAt: null },
    });
    last().receive(batch(8));
    expect(client.state?.participants.map((p) => [p.id, p.online])).toEqual([
      ['p1', false],
      ['p2', true],
    ]);
    expect(last().messages()).toEqual([]);
    last().receive(joined(9, { ...kai, id: 'p3' }));
    expect(client.state?.participants).toHaveLength(3);
    // A batch whose first number is not the next one is a gap.
    last().receive(batch(13));
    expect(last().messages()).toEqual([{ type: 'sync' }]);
  });

  it('comes back with the number it is at and takes a resume on top of the state it holds', () => {
    const { client, clock, last, since, all } = setup();
    client.connect();
    last().open();
    last().receive(snapshot(5, { ...ROOM, participants: [me, kai] }));
    last().receive(joined(6, { ...kai, id: 'p3' }));
    client.submit(PLAN);
    last().drop(1006);
    clock.advance(BACKOFF.maxMs);
    last().open();
    last().receive({ type: 'resume', seq: 9, you: me.id, serverNow: 7, online: '101', handoverAt: 4_000 });
    expect(since).toEqual([null, 6]);
    expect(client.connection).toBe('live');
    expect(client.state?.participants.map((p) => [p.id, p.online])).toEqual([
      ['p1', true],
      ['p2', false],
      ['p3', true],
    ]);
    expect(client.state?.handoverAt).toBe(4_000);
    // As after a snapshot: the view gets the whole state, the pending answer goes again, numbering goes on.
    expect(all().at(-1)).toEqual({ type: 'snapshot', state: client.state, you: me.id, serverNow: 7 });
    expect(last().messages()).toEqual([PLAN]);
    last().receive(joined(10, { ...kai, id: 'p4' }));
    expect(client.state?.participants).toHaveLength(4);
  });

  it('asks for the snapshot when a resume cannot be about the state it holds', () => {
    const { client, clock, last } = setup();
    client.connect();
    last().open();
    last().receive(snapshot(5, { ...ROOM, participants: [me, kai] }));
    // One mark per participant: three marks for two participants is some other room.
    last().receive({ type: 'resume', seq: 5, you: me.id, serverNow: 0, online: '111', handoverAt: null });
    expect(last().messages()).toEqual([{ type: 'sync' }]);
    expect(client.state?.participants.map((p) => p.online)).toEqual([true, true]);
    last().receive(snapshot(6, { ...ROOM, participants: [me, { ...kai, online: false }] }));
    last().drop(1006);
    clock.advance(BACKOFF.maxMs);
    last().open();
    // Older than what it holds.
    last().receive({ type: 'resume', seq: 4, you: me.id, serverNow: 0, online: '10', handoverAt: null });
    expect(last().messages()).toEqual([{ type: 'sync' }]);
    expect(client.connection).toBe('reconnecting');
  });

  it('sends the latest draft typed while the line was down with the next snapshot, and hands over answers and shares', () => {
    const { client, last, all } = setup();
    client.connect();
    client.draft({ type: 'draft', cycle: 1, draft: { plan: { toDo: 'r' } } });
    client.draft({ type: 'draft', cycle: 1, draft: { plan: { toDo: 'read' } } });
    last().open();
    expect(last().messages()).toEqual([]);
    last().receive(snapshot(1, { ...ROOM, participants: [me, kai] }));
    expect(last().messages()).toEqual([{ type: 'draft', cycle: 1, draft: { plan: { toDo: 'read' } } }]);
    client.draft({ type: 'draft', cycle: 1, draft: { plan: { toDo: 'read more' } } });
    expect(last().messages()).toHaveLength(2);

    const plan = { toDo: 'read', completionCondition: 'chapter 1' };
    last().receive({ type: 'shared', participantId: 'p2', sharing: true, plan });
    expect(client.state?.participants[1]).toMatchObject({ sharing: true, plan });
    const answer = { type: 'answer', step: 'planning', cycle: 1, answer: { plan }, submitted: true } as const;
    last().receive(answer);
    expect(all().filter((c) => c.type === 'answer' || c.type === 'shared')).toMatchObject([
      { type: 'shared', participantId: 'p2' },
      { type: 'answer', message: answer },
    ]);
  });

  it('drops what is not a server message', () => {
    const { client, last } = setup();
    client.connect();
    last().open();
    last().receive(snapshot(1));
    last().receive('not json');
    last().receive(JSON.stringify({ type: 'event', seq: 2, event: { kind: 'confetti' } }));
    last().receive(JSON.stringify({ type: 'snapshot', seq: 2, you: 'p1', state: { name: 'broken' }, serverNow: 0 }));
    expect(client.state).toEqual(ROOM);
    last().receive(joined(2, kai));
    expect(client.state?.participants).toEqual([me, kai]);
  });

  it('hands the changes of one message over together', () => {
    const { client, last, changes } = setup();
    client.connect();
    last().open();
    changes.length = 0;
    last().receive(snapshot(1));
    expect(changes).toHaveLength(1);
    expect(changes[0]!.map((c) => c.type)).toEqual(['connection', 'snapshot']);
  });
});

describe('room client: outbox', () => {
  it('resends an unacknowledged submission after every reconnect until it is acked', () => {
    const { client, clock, last, all } = setup();
    client.connect();
    last().open();
    last().receive(snapshot(1));
    expect(client.submit(PLAN)).toBe(true);
    expect(last().messages()).toEqual([PLAN]);

    last().drop(1006);
    clock.advance(BACKOFF.maxMs);
    last().open();
    expect(last().messages()).toEqual([]);
    last().receive(snapshot(1));
    expect(last().messages()).toEqual([PLAN]);

    last().receive({ type: 'ack', id: PLAN.id });
    expect(all()).toContainEqual({ type: 'ack', id: PLAN.id });
    last().drop(1006);
    clock.advance(BACKOFF.maxMs);
    last().open();
    last().receive(snapshot(1));
    expect(last().messages()).toEqual([]);
  });

  it('keeps a submission made while the line is down and sends it with the next snapshot', () => {
    const { client, last } = setup();
    client.connect();
    expect(client.submit(PLAN)).toBe(false);
    last().open();
    last().receive(snapshot(1));
    expect(last().messages()).toEqual([PLAN]);
  });

  it('drops a pending submission once the room left its step, and says it was lost', () => {
    const { client, last, all } = setup();
    client.connect();
    last().open();
    last().receive(snapshot(1));
    client.submit(PLAN);
    last().receive({ type: 'event', seq: 2, event: { kind: 'step', step: 'studying', cycle: 1, deadline: 2_000 } });
    expect(all()).toContainEqual({ type: 'lost', submission: PLAN });
    last().receive(snapshot(2, { ...ROOM, step: 'planning' }));
    expect(last().messages()).toEqual([PLAN]);
  });

  it('ignores an ack for an id it does not hold', () => {
    const { client, last, all } = setup();
    client.connect();
    last().open();
    last().receive(snapshot(1));
    last().receive({ type: 'ack', id: 'other' });
    expect(all().some((c) => c.type === 'ack')).toBe(false);
  });
});

describe('room client: reconnecting', () => {
  it('draws each delay from a doubling window, capped, and starts over once the room answers', () => {
    const draws = [1, 1, 1, 1, 1, 1, 1, 1].map(() => 0.999);
    const { client, clock, sockets, last } = setup(() => draws.shift() ?? 0.999);
    client.connect();
    const delays: number[] = [];
    for (let attempt = 0; attempt < 7; attempt++) {
      last().drop(1006);
      const [delay] = clock.waiting();
      delays.push(delay!);
      clock.advance(delay!);
    }
    const windows = [500, 1_000, 2_000, 4_000, 8_000, 15_000, 15_000];
    delays.forEach((delay, i) => {
      expect(delay).toBeLessThan(windows[i]!);
      expect(delay).toBeGreaterThan(windows[i]! * 0.99);
    });
    expect(sockets).toHaveLength(8);
    last().open();
    last().receive(snapshot(1));
    last().drop(1006);
    expect(clock.waiting()[0]).toBeLessThan(500);
  });

  it('keeps every delay within [0, window): full jitter', () => {
    for (let attempt = 0; attempt < 40; attempt++) {
      const window = Math.min(BACKOFF.maxMs, BACKOFF.baseMs * 2 ** attempt);
      expect(backoffDelay(attempt, () => 0)).toBe(0);
      expect(backoffDelay(attempt, () => 0.5)).toBe(window / 2);
      expect(backoffDelay(attempt, () => 0.999_999)).toBeLessThan(window);
    }
    // Too many messages: at least half the cap.
    expect(backoffDelay(0, () => 0, true)).toBe(BACKOFF.maxMs / 2);
  });

  it('reconnects slowly after 4429 and soon after a restart (4503)', () => {
    const { client, clock, last } = setup(() => 0);
    client.connect();
    last().drop(CLOSE.rateLimited);
    expect(clock.waiting()).toEqual([BACKOFF.maxMs / 2]);
    clock.advance(BACKOFF.maxMs / 2);
    last().drop(CLOSE.restart);
    expect(clock.waiting()).toEqual([0]);
  });

  for (const [name, code] of [
    ['version mismatch', CLOSE.versionMismatch],
    ['unauthorized', CLOSE.unauthorized],
    ['replaced', CLOSE.replaced],
  ] as const) {
    it(`does not reconnect after ${code} (${name}), until asked to`, () => {
      const { client, clock, sockets, last, all } = setup();
      client.connect();
      last().open();
      last().receive(snapshot(1));
      last().drop(code, 'why');
      expect(all()).toContainEqual({ type: 'close', code, reason: 'why', opened: true, verdict: 'stop' });
      expect(client.connection).toBe('closed');
      clock.advance(10 * 60_000);
      expect(sockets).toHaveLength(1);
      client.connect();
      expect(sockets).toHaveLength(2);
    });
  }

  it('pings while open and counts silence after a ping as a dead line', () => {
    const { client, clock, sockets, last } = setup(() => 0);
    client.connect();
    last().open();
    last().receive(snapshot(1));
    clock.advance(KEEP_ALIVE_MS);
    expect(last().sent).toEqual(['ping']);
    last().receive('pong');
    clock.advance(KEEP_ALIVE_MS);
    expect(last().sent).toEqual(['ping', 'ping']);
    clock.advance(KEEP_ALIVE_TIMEOUT_MS);
    expect(client.connection).toBe('reconnecting');
    expect(sockets).toHaveLength(2);
    expect(sockets[0]!.closedWith).toEqual({ code: 1000, reason: 'reconnecting' });
  });

  it('says connecting, then live on the snapshot, then reconnecting until the next one', () => {
    const { client, clock, last } = setup(() => 0);
    client.connect();
    expect(client.connection).toBe('connecting');
    last().open();
    expect(client.connection).toBe('connecting');
    last().receive(snapshot(1));
    expect(client.connection).toBe('live');
    last().drop(1006);
    expect(client.connection).toBe('reconnecting');
    clock.advance(0);
    last().open();
    expect(client.connection).toBe('reconnecting');
    last().receive(snapshot(1));
    expect(client.connection).toBe('live');
    client.close('left');
    expect(last().closedWith).toEqual({ code: 1000, reason: 'left' });
    expect(client.connection).toBe('closed');
  });
});
