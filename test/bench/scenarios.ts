/**
 * The benchmark scenarios (issues 4 and 14), against a running bench app
 * (test/bench/app.ts): fan-out in a room of N sockets (Haru's room beside
 * the bare floor rooms and the PartyServer peer, in the same workerd), the
 * messages of one full cycle, and a 1,000-socket room of each kind: its
 * broadcast, connect, drop-all and reconnect-all storms, the worker's CPU
 * and memory.
 */
import { performance } from 'node:perf_hooks';
import {
  PLANNING_MINUTES,
  type Plan,
  parseServerMessage,
  RETROSPECT_MINUTES,
  type Retrospect,
  type RoomStep,
} from '../../shared/index.ts';
import {
  type BenchSocket,
  CLOCK_ROOMS,
  connectRoom,
  createMembers,
  hostStudy,
  inParallel,
  isIn,
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

/** The rooms beside Haru's: the PartyServer peer and the two floor rooms (test/bench/worker). */
export type PeerKind = 'bare' | 'bare-store' | 'party';

/** Every room the bench compares, Haru's first. */
export type RoomKind = 'haru' | PeerKind;

/** How each room is named in the tables. */
export const ROOM_NAMES: Record<RoomKind, string> = {
  haru: 'Haru room',
  bare: 'bare DO room',
  'bare-store': 'bare DO + storage room',
  party: 'PartyServer room',
};

/** The socket URL of the peer room `name` of `kind`. */
export function peerUrl(port: number, kind: PeerKind, name: string): string {
  const path =
    kind === 'party' ? `/parties/party-room/${name}` : `/bare/${kind === 'bare' ? 'plain' : 'store'}/${name}`;
  return `ws://127.0.0.1:${port}${path}`;
}

/** How many closes the peer room `name` of `kind` has handled (its own count, over HTTP). */
export async function closesHandled(port: number, kind: PeerKind, name: string): Promise<number> {
  const url = peerUrl(port, kind, name).replace(/^ws:/, 'http:') + (kind === 'party' ? '' : '/count');
  const res = await fetch(url, { signal: AbortSignal.timeout(WAIT_MS) });
  if (!res.ok) throw new Error(`bench: GET ${url} answered ${res.status}`);
  return ((await res.json()) as { closesHandled: number }).closesHandled;
}

/**
 * A peer room (the PartyServer room or a bare one) over sockets already
 * connected to it, where a round is one connection sending a message the size
 * of Haru's `submitted` event, which the server sends to every connection
 * (the sender included: its receipt stands in for Haru's ack).
 */
export function peerRoomFrom(kind: PeerKind, sockets: BenchSocket[], label?: string): FanOutRoom {
  const participantId = crypto.randomUUID();
  const size = sockets.length;
  return {
    label: label ?? `${ROOM_NAMES[kind]} (${size} sockets)`,
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
        `${kind} round ${r}`,
      );
    },
  };
}

/** A peer room of `kind` with `size` connections (`connectLimit` connecting at a time). */
export async function peerRoom(
  port: number,
  kind: PeerKind,
  size: number,
  deflate: boolean,
  name = 'bench',
  connectLimit = 8,
): Promise<FanOutRoom> {
  const url = peerUrl(port, kind, name);
  const sockets = await inParallel(Array.from({ length: size }), connectLimit, () => openSocket(url, { deflate }));
  return peerRoomFrom(kind, sockets, `${ROOM_NAMES[kind]} (${size} sockets), deflate ${deflate ? 'on' : 'off'}`);
}

/** The PartyServer peer with `size` connections (see `peerRoom`). */
export function partyRoom(port: number, size: number, deflate: boolean, name = 'bench', connectLimit = 8) {
  return peerRoom(port, 'party', size, deflate, name, connectLimit);
}

/**
 * The worker's CPU time (ms) once it has gone quiet: read every 100 ms until
 * a read moves by at most one 10 ms tick (at most 3 s), so work a room does
 * after its last reply (a D1 write gathered for later, an alarm) is charged
 * to that room and not to whatever is measured next. Null if unreadable.
 */
export async function settledCpu(cpu: () => number | null): Promise<number | null> {
  let last = cpu();
  for (let i = 0; i < 30 && last !== null; i++) {
    await new Promise((resolve) => setTimeout(resolve, 100));
    const now = cpu();
    if (now === null) return null;
    const moved = now - last;
    last = now;
    if (moved <= 10) break;
  }
  return last;
}

/** One room's timed rounds: latency, and the worker workerd's CPU per round when it could be read. */
export interface FanOutResult {
  summary: Summary;
  /** Worker workerd CPU (user + system) over the timed rounds, divided by the rounds; ms. */
  cpuMsPerRound: number | null;
}

/**
 * Times `rounds` rounds in each of `rooms` after `warmup` untimed ones,
 * alternating blocks of `block` rounds between the rooms so that drift in the
 * machine's load hits each the same. With `cpu` (the worker workerd's CPU
 * time so far, ms), the CPU of each block, read once the worker is quiet
 * before and after it, is charged to its room.
 */
export async function fanOut(
  rooms: FanOutRoom[],
  options: { rounds: number; warmup: number; block?: number; cpu?: () => number | null },
): Promise<FanOutResult[]> {
  const block = options.block ?? 50;
  const samples = rooms.map(() => [] as number[]);
  const cpu = rooms.map(() => 0 as number | null);
  let r = 0;
  for (const room of rooms) for (let i = 0; i < options.warmup; i++) await room.round(r++);
  for (let done = 0; done < options.rounds; done += block) {
    for (const [k, room] of rooms.entries()) {
      const before = options.cpu ? await settledCpu(options.cpu) : null;
      for (let i = done; i < Math.min(options.rounds, done + block); i++) samples[k]!.push(await room.round(r++));
      const after = options.cpu ? await settledCpu(options.cpu) : null;
      const spent = cpu[k] ?? null;
      cpu[k] = spent === null || before === null || after === null ? null : spent + (after - before);
    }
  }
  return samples.map((series, k) => {
    const spent = cpu[k] ?? null;
    return {
      summary: summarize(series),
      cpuMsPerRound: options.cpu && spent !== null ? spent / series.length : null,
    };
  });
}

/** Resolves once `socket` is closed on the client side. */
function whenClosed(socket: BenchSocket): Promise<void> {
  return new Promise<void>((resolve) => {
    if (socket.ws.readyState === socket.ws.CLOSED) return resolve();
    socket.ws.once('close', () => resolve());
  });
}

/** Closes sockets politely and waits (bounded) for them to be closed. */
export async function closeAll(sockets: readonly BenchSocket[]): Promise<void> {
  await within(
    Promise.all(
      sockets.map((socket) => {
        const closed = whenClosed(socket);
        socket.ws.close(1000, 'bench done');
        return closed;
      }),
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
    return openSocket(url, { ...options, protocols }, isIn);
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

/** RSS of the worker's (and the proxy's) workerd at one moment. */
export interface MemoryPoint {
  label: string;
  workerKiB: number | null;
  proxyKiB: number | null;
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

/** Worker workerd CPU and wall time of one phase. */
export interface Phase {
  ms: number;
  /** Worker workerd CPU (user + system) over the phase, ms; null if it could not be read. */
  cpuMs: number | null;
}

/** What one room of `size` sockets showed (the big-room storms). */
export interface BigRoomResult {
  kind: RoomKind;
  size: number;
  /** Haru only: the `size` guest members made over HTTP (16 at a time), before the joins. */
  members: Phase | null;
  /** Haru only: one member opens the room and the others join it by code over HTTP (8 at a time), before anyone connects. */
  joins: Phase | null;
  /** All `size` sockets connect, BIG_CONNECT_LIMIT at a time, each until it is in (Haru: its snapshot; peers: open). */
  connect: Phase;
  /** Timed broadcasts (every socket gets every one, or the run fails), with the worker's CPU per round. */
  broadcast: FanOutResult;
  /**
   * Every socket but the watcher (socket 0) closes at once: `ms` until the
   * room has handled every close, `clientsClosedMs` until every client saw
   * its socket closed, `cpuMs` over the later of the two.
   */
  drop: Phase & { closed: number; clientsClosedMs: number };
  /**
   * The same sockets connect again, BIG_CONNECT_LIMIT at a time, each until
   * it is in; Haru's say where their copy of the room is (`since`), and
   * `resumed` counts those the room answered with presence only.
   */
  reconnect: Phase & { resumed: number };
  /** RSS before anything of this room, (Haru) after the joins, and with all `size` connected. */
  memory: MemoryPoint[];
}

/** How long a storm (drop-all, reconnect-all) may take before the bench gives up. */
export const STORM_WAIT_MS = 180_000;

/** Time and worker CPU of `task` (the CPU read once the worker is quiet, before and after: see `settledCpu`). */
async function phase<T>(cpu: () => number | null, task: () => Promise<T>): Promise<Phase & { value: T }> {
  const c0 = await settledCpu(cpu);
  const t0 = performance.now();
  const value = await task();
  const ms = performance.now() - t0;
  const c1 = await settledCpu(cpu);
  return { ms, cpuMs: c0 === null || c1 === null ? null : c1 - c0, value };
}

/**
 * The participant ids a room message says went offline: a level-2
 * `presence` event's one, or a level-3 `presences` batch's `offline` list.
 */
function offlineIds(text: string): string[] {
  const message = parseServerMessage(text);
  if (message?.type !== 'event') return [];
  const { event } = message;
  if (event.kind === 'presence') return event.online ? [] : [event.participantId];
  return event.kind === 'presences' ? event.offline : [];
}

/**
 * Resolves once `watcher` (a Haru socket that stays) has been told that
 * every one of `ids` went offline: the room sends that presence once it has
 * handled the closes (each window's changes together: 100 ms after the
 * last, at most 1 s after the first in a big room), so it is the room's word
 * that the close was handled.
 */
function offlineSeen(watcher: BenchSocket, ids: readonly string[]): Promise<void> {
  const waiting = new Set(ids);
  return within(
    new Promise<void>((resolve) => {
      if (waiting.size === 0) return resolve();
      watcher.onText = (text) => {
        if (!text.includes('"online":false') && !text.includes('"offline":[')) return;
        for (const id of offlineIds(text)) waiting.delete(id);
        if (waiting.size === 0) {
          watcher.onText = null;
          resolve();
        }
      };
    }),
    STORM_WAIT_MS,
    `the room handling ${ids.length} closes (${waiting.size} not yet seen offline)`,
  ).finally(() => {
    watcher.onText = null;
  });
}

/** Resolves once the peer room `name` has handled `count` closes (its own count, polled every 20 ms). */
async function closesReached(port: number, kind: PeerKind, name: string, count: number): Promise<void> {
  const deadline = performance.now() + STORM_WAIT_MS;
  for (;;) {
    const seen = await closesHandled(port, kind, name);
    if (seen >= count) return;
    if (performance.now() > deadline)
      throw new Error(`bench: the ${kind} room handled ${seen} of ${count} closes in ${STORM_WAIT_MS} ms`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** Resolves (bounded) once every one of `sockets` is closed on the client side. */
function clientsClosed(sockets: readonly BenchSocket[]): Promise<unknown> {
  return within(Promise.all(sockets.map(whenClosed)), STORM_WAIT_MS, 'sockets closing');
}

/** A big room connected and started, ready for its broadcasts and then its storms. */
export interface BigRoomSetup {
  kind: RoomKind;
  size: number;
  members: Phase | null;
  joins: Phase | null;
  connect: Phase;
  memory: MemoryPoint[];
  /** Its timed broadcast round (see `fanOut`). */
  fan: FanOutRoom;
  /** The room's sockets now (the storms replace the reconnected ones in place). */
  sockets: BenchSocket[];
  /** Opens socket `i` (Haru: learner i's socket, from `since` if given, until its snapshot or resume; peers: until open). */
  open: (i: number, since?: number | null) => Promise<BenchSocket>;
  /** Haru: the room; peers: null. */
  room: OpenedRoom | null;
  /** The peer room's name (for its count of handled closes). */
  peerName: string;
}

/**
 * A room of `kind` with `size` sockets (1,000 by default), up to its
 * broadcasts:
 *
 * 1. Haru only: `size` guest members made over HTTP (16 at a time, timed
 *    apart), then one opens the room and the others join by code over HTTP
 *    (8 at a time, as `openRoom` does), memory read.
 * 2. All `size` connect, BIG_CONNECT_LIMIT at a time, each counted in once
 *    it is (Haru: its snapshot arrived; peers: the socket is open); time,
 *    worker CPU, memory.
 * 3. Haru: the host starts the study (so a round is a `submit`).
 *
 * The caller then times the broadcasts of every big room together
 * (`fanOut`, rooms alternating in blocks) and runs `stormBigRoom` on each.
 * The sockets stay connected throughout (the caller terminates them once the
 * server is stopped), so the next room's memory growth is new memory, not
 * memory this room freed.
 */
export async function connectBigRoom(
  base: string,
  port: number,
  kind: RoomKind,
  options: { size: number; cpu: () => number | null },
): Promise<BigRoomSetup> {
  const { size, cpu } = options;
  const name = ROOM_NAMES[kind];
  const memory = [memoryPoint(port, `${name}: before`)];
  let members: Phase | null = null;
  let joins: Phase | null = null;
  let open: BigRoomSetup['open'];
  let room: OpenedRoom | null = null;
  const peerName = `big-${kind}`;
  if (kind === 'haru') {
    const made = await phase(cpu, () => createMembers(base, size));
    members = { ms: made.ms, cpuMs: made.cpuMs };
    const tokens = made.value;
    const joined = await phase(cpu, async () => {
      const opened = await hostStudy(base, tokens[0]!);
      const others = await inParallel(tokens.slice(1), 8, (token, i) => joinStudy(base, opened, token, i + 1));
      opened.learners.push(...others);
      return opened;
    });
    room = joined.value;
    joins = { ms: joined.ms, cpuMs: joined.cpuMs };
    memory.push(memoryPoint(port, `${name}: ${size} joined over HTTP, none connected`));
    const learners = room.learners;
    const studyId = room.studyId;
    open = (i, since = null) => {
      const { url, protocols } = roomSocket(port, studyId, learners[i]!.token, since);
      return openSocket(url, { deflate: false, protocols }, isIn);
    };
  } else {
    const url = peerUrl(port, kind, peerName);
    open = () => openSocket(url, { deflate: false });
  }
  const everyone = Array.from({ length: size }, (_, i) => i);
  const connected = await phase(cpu, () => inParallel(everyone, BIG_CONNECT_LIMIT, (i) => open(i)));
  const sockets = connected.value;
  memory.push(memoryPoint(port, `${name}: ${size} sockets connected`));
  const fan = room ? await haruRoomFrom(room, sockets) : peerRoomFrom(kind as PeerKind, sockets);
  return {
    kind,
    size,
    members,
    joins,
    connect: { ms: connected.ms, cpuMs: connected.cpuMs },
    memory,
    fan,
    sockets,
    open,
    room,
    peerName,
  };
}

/**
 * The storms of a connected big room:
 *
 * 1. Drop-all: every socket but socket 0 (the watcher) sends its close at
 *    once; done when the room has handled every close. Haru: the watcher has
 *    received an offline presence for each closed participant (sent by the
 *    room for each presence window of closes it handled). Peers: the room's own count of
 *    handled closes (`webSocketClose`/`onClose`), polled over HTTP every 20 ms.
 * 2. Reconnect-all: the same sockets connect again, BIG_CONNECT_LIMIT at a
 *    time, each until it is in; they replace the closed ones in `setup.sockets`.
 */
export async function stormBigRoom(
  port: number,
  setup: BigRoomSetup,
  cpu: () => number | null,
): Promise<Pick<BigRoomResult, 'drop' | 'reconnect'>> {
  const { kind, sockets, room, peerName, open } = setup;
  const watcher = sockets[0]!;
  const leaving = Array.from({ length: sockets.length - 1 }, (_, i) => i + 1);
  const before = kind === 'haru' ? 0 : await closesHandled(port, kind, peerName);
  const handled =
    kind === 'haru'
      ? offlineSeen(
          watcher,
          leaving.map((i) => room!.learners[i]!.participantId),
        )
      : null;
  let clientsClosedMs = 0;
  let handledMs = 0;
  // CPU over the whole storm (until the room has handled every close and every client saw its socket closed).
  const dropped = await phase(cpu, async () => {
    const t0 = performance.now();
    for (const i of leaving) sockets[i]!.ws.close(1000, 'bench drop');
    const closedHere = clientsClosed(leaving.map((i) => sockets[i]!)).then(() => {
      clientsClosedMs = performance.now() - t0;
    });
    await (handled ?? closesReached(port, kind as PeerKind, peerName, before + leaving.length));
    handledMs = performance.now() - t0;
    await closedHere;
  });

  // Each comes back from the last number it heard, as a page does.
  const reconnected = await phase(cpu, () => inParallel(leaving, BIG_CONNECT_LIMIT, (i) => open(i, sockets[i]!.seq)));
  for (const [k, i] of leaving.entries()) sockets[i] = reconnected.value[k]!;
  const resumed = reconnected.value.filter((s) => s.resumed).length;
  return {
    drop: { ms: handledMs, cpuMs: dropped.cpuMs, closed: leaving.length, clientsClosedMs },
    reconnect: { ms: reconnected.ms, cpuMs: reconnected.cpuMs, resumed },
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
