/**
 * The three benchmark scenarios of issue 4, against a running bench app
 * (test/bench/app.ts): fan-out in a room of N sockets (Haru's room and the
 * PartyServer peer, in the same workerd), the messages of one full cycle,
 * and a 1,000-socket room with the worker's memory.
 */
import { performance } from 'node:perf_hooks';
import { PLANNING_MINUTES, type Plan, RETROSPECT_MINUTES, type Retrospect, type RoomStep } from '../../shared/index.ts';
import {
  type BenchSocket,
  CLOCK_ROOMS,
  connectRoom,
  createMembers,
  hostStudy,
  inParallel,
  isSnapshot,
  joinStudy,
  moveRoomClock,
  nextMessage,
  type OpenedRoom,
  openRoom,
  openSocket,
  roomSocket,
  type Summary,
  sendMessage,
  summarize,
  timeBroadcast,
  WAIT_MS,
  within,
} from './client.ts';
import { findWorkerd, type Workerd } from './proc.ts';

/** What a learner writes: short answers, so the bench times the room, not the payload. */
const PLAN: Plan = { toDo: 'Read chapter 3 and take notes', completionCondition: 'Notes for every section' };
const RETROSPECT: Retrospect = {
  doneAsExpected: 'Mostly, two sections left',
  experiencedDifficulty: 'Kept checking my phone',
};

/** A room the bench can run timed rounds in. */
export interface FanOutRoom {
  label: string;
  sockets: BenchSocket[];
  /** Runs round `r` (some participant acts) and resolves with ms to the last receipt. */
  round(r: number): Promise<number>;
}

const isStep = (step: RoomStep) => (text: string) =>
  text.includes('"kind":"step"') && text.includes(`"step":"${step}"`);
const isSubmittedBy = (participantId: string) => (text: string) =>
  text.includes('"kind":"submitted"') && text.includes(participantId);
const isAck = (id: string) => (text: string) => text === JSON.stringify({ type: 'ack', id });
const isTimeUp = (step: RoomStep) => (text: string) =>
  text.includes('"kind":"time_up"') && text.includes(`"step":"${step}"`);

/**
 * Haru's room with `size` connected learners, started (planning), where a
 * round is one learner re-sending their plan: the room stores it, owes it to
 * D1 and broadcasts `submitted` to everyone (the submitter included). The
 * learner acting rotates each round, and each waits for room under the
 * per-socket rate limit, so the bench never trips it.
 */
export async function haruRoom(
  base: string,
  port: number,
  size: number,
  deflate: boolean,
  connectLimit = 8,
): Promise<FanOutRoom & { room: OpenedRoom }> {
  const room = await openRoom(base, size);
  const sockets = await connectRoom(port, room, { deflate }, connectLimit);
  const fan = await haruRoomFrom(room, sockets);
  return { ...fan, label: `${fan.label}, deflate ${deflate ? 'on' : 'off'}`, room };
}

/**
 * The PartyServer peer with `size` connections, where a round is one
 * connection sending a message the size of Haru's `submitted` event, which
 * the server broadcasts to every connection (the sender included).
 */
export async function partyRoom(
  port: number,
  size: number,
  deflate: boolean,
  name = 'bench',
  connectLimit = 8,
): Promise<FanOutRoom> {
  const url = `ws://127.0.0.1:${port}/parties/party-room/${name}`;
  const sockets = await inParallel(Array.from({ length: size }), connectLimit, () => openSocket(url, { deflate }));
  const participantId = crypto.randomUUID();
  return {
    label: `PartyServer room (${size} sockets), deflate ${deflate ? 'on' : 'off'}`,
    sockets,
    async round(r) {
      const actor = sockets[r % size]!;
      await actor.underRateLimit();
      // Same shape and size as Haru's broadcast, numbered so each round's is unique.
      const payload = JSON.stringify({
        type: 'event',
        seq: r,
        event: { kind: 'submitted', participantId, cycle: 1, step: 'planning' },
      });
      return timeBroadcast(
        sockets,
        () => actor.send(payload),
        (text) => text === payload,
        `party round ${r}`,
      );
    },
  };
}

/**
 * Times `rounds` rounds in each of `rooms` after `warmup` untimed ones,
 * alternating blocks of `block` rounds between the rooms so that drift in the
 * machine's load hits each the same.
 */
export async function fanOut(
  rooms: FanOutRoom[],
  options: { rounds: number; warmup: number; block?: number },
): Promise<Summary[]> {
  const block = options.block ?? 50;
  const samples = rooms.map(() => [] as number[]);
  let r = 0;
  for (const room of rooms) for (let i = 0; i < options.warmup; i++) await room.round(r++);
  for (let done = 0; done < options.rounds; done += block) {
    for (const [k, room] of rooms.entries()) {
      for (let i = done; i < Math.min(options.rounds, done + block); i++) samples[k]!.push(await room.round(r++));
    }
  }
  return samples.map(summarize);
}

/** Closes sockets politely and waits (bounded) for them to be closed. */
export async function closeAll(sockets: readonly BenchSocket[]): Promise<void> {
  await within(
    Promise.all(
      sockets.map(
        (socket) =>
          new Promise<void>((resolve) => {
            if (socket.ws.readyState === socket.ws.CLOSED) return resolve();
            socket.ws.once('close', () => resolve());
            socket.ws.close(1000, 'bench done');
          }),
      ),
    ),
    WAIT_MS,
    'closing sockets',
  ).catch(() => {
    for (const socket of sockets) socket.terminate();
  });
}

// ---------------------------------------------------------------- one cycle

/** Messages one participant sent and received over one cycle. */
export interface ParticipantCount {
  isHost: boolean;
  sent: number;
  received: number;
  /** Received messages by type / event kind. */
  tally: Record<string, number>;
}

/** The messages of one full cycle for a room of `size`. */
export interface CycleCount {
  size: number;
  participants: ParticipantCount[];
  /** `time_up` events each participant received (one per timed step: planning, studying, retrospect). */
  timeUps: number;
  /** Whether a keep-alive `ping` got its `pong` (sent after the count). */
  keepAliveAnswered: boolean;
}

/** How far ahead of real time the clock rooms are; only ever moves forward. */
let clockShiftMs = 0;

/**
 * One full cycle in a room with a movable clock (ClockRoom), as a real group
 * would go through it: the host opens the room and connects, each learner
 * joins by code and connects in turn (everyone already in hears `joined` and
 * `presence`), the host starts, everyone submits a plan, planning's 10
 * minutes run out, the host moves on, the 60 minutes of study run out, the
 * host moves on, everyone submits a retrospect, its 10 minutes run out, and
 * the host moves on to done. Time passes by moving the room's clock past
 * each deadline and letting its alarm fire, so each `time_up` is the room's
 * own. Counted over the WebSocket from each socket's open until everyone has
 * the `done` step; no timer ticks are sent by design, and none arrive.
 */
export async function cycleMessages(base: string, port: number, size: number): Promise<CycleCount> {
  const headers = CLOCK_ROOMS;
  const options = { deflate: false, headers, tally: true } as const;
  const tokens = await createMembers(base, size, headers);
  const room = await hostStudy(base, tokens[0]!, headers);
  const connect = async (token: string) => {
    const { url, protocols } = roomSocket(port, room.studyId, token);
    return openSocket(url, { ...options, protocols }, isSnapshot);
  };
  const sockets = [await connect(tokens[0]!)];
  for (const [i, token] of tokens.slice(1).entries()) {
    room.learners.push(await joinStudy(base, room, token, i + 1, headers));
    sockets.push(await connect(token));
  }
  const host = sockets[0]!;
  const everyone = (
    what: string,
    match: (text: string) => boolean,
    act: () => void | Promise<void>,
    also?: { socket: BenchSocket; match: (text: string) => boolean },
  ) => timeBroadcast(sockets, () => void act(), match, what, also);
  const passTime = (minutes: number, step: RoomStep) => {
    clockShiftMs += minutes * 60_000 + 1_000;
    return everyone(`${step} time up`, isTimeUp(step), () => moveRoomClock(base, room.studyId, clockShiftMs));
  };
  const submitAll = async (kind: 'plan' | 'retrospect', step: RoomStep) => {
    for (const [i, socket] of sockets.entries()) {
      const id = `${kind}-${i}`;
      const message =
        kind === 'plan'
          ? { type: 'submit' as const, id, cycle: 1, plan: PLAN }
          : { type: 'retro' as const, id, cycle: 1, retrospect: RETROSPECT };
      await everyone(
        `${step} submit ${i}`,
        isSubmittedBy(room.learners[i]!.participantId),
        () => sendMessage(socket, message),
        { socket, match: isAck(id) },
      );
    }
  };
  const advance = (from: RoomStep, to: RoomStep) =>
    everyone(`advance to ${to}`, isStep(to), () =>
      sendMessage(host, { type: 'advance', from: { step: from, cycle: 1 } }),
    );

  await everyone('start', isStep('planning'), () => sendMessage(host, { type: 'start' }));
  await submitAll('plan', 'planning');
  await passTime(PLANNING_MINUTES, 'planning');
  await advance('planning', 'studying');
  await passTime(60, 'studying');
  await advance('studying', 'retrospect');
  await submitAll('retrospect', 'retrospect');
  await passTime(RETROSPECT_MINUTES, 'retrospect');
  await advance('retrospect', 'done');

  const participants = sockets.map((socket, i) => ({
    isHost: i === 0,
    sent: socket.sent,
    received: socket.received,
    tally: Object.fromEntries([...socket.tally].sort()),
  }));
  // The keep-alive a client sends is answered by the runtime ('ping' -> 'pong') without waking the room; checked, not counted.
  const pong = nextMessage(host, (text) => text === 'pong', 'keep-alive pong');
  host.send('ping');
  const keepAliveAnswered = (await pong) === 'pong';
  await closeAll(sockets);
  return { size, participants, timeUps: participants[0]?.tally['event:time_up'] ?? 0, keepAliveAnswered };
}

// ---------------------------------------------------------------- 1,000 sockets

/** RSS of the worker's (and the proxy's) workerd at one moment. */
export interface MemoryPoint {
  label: string;
  workerKiB: number | null;
  proxyKiB: number | null;
}

/** What a big room showed. */
export interface BigRoomResult {
  size: number;
  /** Haru: all learners made and joined over HTTP. */
  setupMs: number;
  connectMs: number;
  /** Sockets that got every timed broadcast (all of them, or the run would have failed). */
  allReceived: number;
  broadcast: Summary;
  memory: MemoryPoint[];
  /** The same number of sockets on the PartyServer peer, measured after Haru's (still connected). */
  party: { connectMs: number; broadcast: Summary; memory: MemoryPoint[] } | null;
}

/** The worker's and the proxy's RSS now. */
export function memoryPoint(port: number, label: string): MemoryPoint {
  const found = findWorkerd(port);
  const of = (role: Workerd['role']) => {
    const list = found.filter((w) => w.role === role);
    return list.length === 1 ? list[0]!.rssKiB : null;
  };
  return { label, workerKiB: of('worker'), proxyKiB: of('proxy') };
}

/** How many sockets connect at once in a big room. */
export const BIG_CONNECT_LIMIT = 32;

/**
 * `size` connections (1,000 by default) to the PartyServer peer: memory
 * before and after connecting, then timed broadcasts; closed again after
 * (the peer does nothing on a close).
 */
async function bigPartyRoom(
  port: number,
  options: { size: number; rounds: number; warmup: number },
): Promise<NonNullable<BigRoomResult['party']>> {
  const memory = [memoryPoint(port, `PartyServer: before ${options.size} sockets`)];
  const t0 = performance.now();
  const fan = await partyRoom(port, options.size, false, 'big', BIG_CONNECT_LIMIT);
  const connectMs = performance.now() - t0;
  memory.push(memoryPoint(port, `PartyServer: ${options.size} sockets connected`));
  const [broadcast] = await fanOut([fan], { rounds: options.rounds, warmup: options.warmup, block: options.rounds });
  await closeAll(fan.sockets);
  return { connectMs, broadcast: broadcast!, memory };
}

/**
 * A Haru room of `size` learners (1,000 by default): all join over HTTP, the
 * worker's memory is read, all connect (each connection is announced to
 * everyone already in, as in a real room), the memory is read again, then
 * `rounds` timed broadcasts after `warmup` untimed ones. With `party`, the
 * same number of PartyServer connections is measured after it, while the
 * Haru sockets stay connected. The Haru sockets stay open: the caller stops
 * the app first, then drops them (closing 1,000 sockets one by one would
 * announce each departure to the rest).
 */
export async function bigRoom(
  base: string,
  port: number,
  options: { size: number; rounds: number; warmup: number; party: boolean },
): Promise<BigRoomResult & { sockets: BenchSocket[] }> {
  const memory = [memoryPoint(port, `Haru: before the room`)];
  const t0 = performance.now();
  const room = await openRoom(base, options.size);
  const t1 = performance.now();
  memory.push(memoryPoint(port, `Haru: ${options.size} joined, none connected`));
  const sockets = await connectRoom(port, room, { deflate: false }, BIG_CONNECT_LIMIT);
  const t2 = performance.now();
  memory.push(memoryPoint(port, `Haru: ${options.size} sockets connected`));
  const fan = await haruRoomFrom(room, sockets);
  const [broadcast] = await fanOut([fan], { rounds: options.rounds, warmup: options.warmup, block: options.rounds });
  memory.push(memoryPoint(port, `Haru: after ${options.warmup + options.rounds} broadcasts`));
  const party = options.party ? await bigPartyRoom(port, options) : null;
  return {
    size: options.size,
    setupMs: t1 - t0,
    connectMs: t2 - t1,
    allReceived: sockets.length,
    broadcast: broadcast!,
    memory,
    party,
    sockets,
  };
}

/** A started fan-out room over sockets already connected to `room`. */
async function haruRoomFrom(room: OpenedRoom, sockets: BenchSocket[]): Promise<FanOutRoom> {
  const host = sockets[0]!;
  await timeBroadcast(sockets, () => sendMessage(host, { type: 'start' }), isStep('planning'), 'host start');
  const size = sockets.length;
  return {
    label: `Haru room (${size} sockets)`,
    sockets,
    async round(r) {
      const i = r % size;
      const actor = sockets[i]!;
      await actor.underRateLimit();
      const id = `r${r}`;
      return timeBroadcast(
        sockets,
        () => sendMessage(actor, { type: 'submit', id, cycle: 1, plan: PLAN }),
        isSubmittedBy(room.learners[i]!.participantId),
        `round ${r}`,
        { socket: actor, match: isAck(id) },
      );
    },
  };
}
