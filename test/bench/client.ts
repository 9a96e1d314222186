/**
 * The bench's client side, all in one Node process: learners made over the
 * real HTTP API, `ws` sockets that count what they send and receive, rounds
 * timed from one socket's send to the last socket's receipt, and the
 * statistics. Every wait is bounded.
 */
import { performance } from 'node:perf_hooks';
import { setTimeout as sleep } from 'node:timers/promises';
import WebSocket from 'ws';
import { CLIENT_ADDRESS_HEADER, madeUpAddress } from '../../scripts/lib/client-address.ts';
import {
  API_LEVEL,
  type ClientMessage,
  parseServerMessage,
  RATE_LIMIT,
  type RoomState,
  subprotocolFor,
  TOKEN_SUBPROTOCOL,
} from '../../shared/index.ts';
import { roomSocketPath } from '../../shared/room-client.ts';

/** How long one HTTP call, socket open or round may take before the bench gives up. */
export const WAIT_MS = 30_000;

/** Runs `task` over `items` with at most `limit` in flight; results in order. */
export async function inParallel<T, R>(
  items: readonly T[],
  limit: number,
  task: (item: T, index: number) => Promise<R>,
): Promise<R[]> {
  const results = new Array<R>(items.length);
  let next = 0;
  const worker = async () => {
    while (next < items.length) {
      const i = next++;
      results[i] = await task(items[i]!, i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(limit, items.length) }, worker));
  return results;
}

/** Rejects after `ms` with `what` in the message, unless `promise` settles first. */
export async function within<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>(
    (_, reject) => (timer = setTimeout(() => reject(new Error(`bench: ${what} took over ${ms} ms`)), ms)),
  );
  try {
    return await Promise.race([promise, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

// ---------------------------------------------------------------- HTTP API

/** A guest learner in a room: their token and participant id. */
export interface Learner {
  token: string;
  participantId: string;
}

/** A room opened over the real API, with its learners (the host first). */
export interface OpenedRoom {
  studyId: string;
  code: string;
  learners: Learner[];
}

/** Extra request headers, e.g. `X-Bench-Room: clock` for the rooms with a movable clock. */
export type ExtraHeaders = Record<string, string>;

/**
 * A bench call. Each comes from a made-up address of its own: the bench's
 * hundreds of learners stand for as many devices, so the worker's per-address
 * limits see the traffic they would, not one address signing up hundreds.
 */
async function post<T>(base: string, path: string, body: unknown, headers: ExtraHeaders, token?: string): Promise<T> {
  const res = await fetch(`${base}${path}`, {
    method: 'POST',
    headers: {
      'Content-Type': 'application/json',
      'X-Haru-Api': String(API_LEVEL),
      [CLIENT_ADDRESS_HEADER]: madeUpAddress(),
      ...(token ? { Authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: JSON.stringify(body),
    signal: AbortSignal.timeout(WAIT_MS),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`bench: POST ${path} answered ${res.status}: ${text.slice(0, 300)}`);
  return JSON.parse(text) as T;
}

/** Makes `count` guest members (nicknames b0, b1, ...); their tokens in order. */
export function createMembers(base: string, count: number, headers: ExtraHeaders = {}, limit = 16): Promise<string[]> {
  return inParallel(
    Array.from({ length: count }, (_, i) => `b${i}`),
    limit,
    async (nickname) => (await post<{ token: string }>(base, '/api/v1/members', { nickname }, headers)).token,
  );
}

/** Opens a live study (one 60-minute cycle) hosted by the member of `token`. */
export async function hostStudy(base: string, token: string, headers: ExtraHeaders = {}): Promise<OpenedRoom> {
  const { participantId, state } = await post<{ participantId: string; state: RoomState }>(
    base,
    '/api/v2/studies',
    { name: 'bench', totalCycles: 1, minutesPerCycle: 60 },
    headers,
    token,
  );
  return { studyId: state.studyId, code: state.code, learners: [{ token, participantId }] };
}

/** Joins `room` by its code as the member of `token`, with nickname `b<index>`. */
export async function joinStudy(
  base: string,
  room: OpenedRoom,
  token: string,
  index: number,
  headers: ExtraHeaders = {},
): Promise<Learner> {
  const body = { code: room.code, nickname: `b${index}` };
  const { participantId } = await post<{ participantId: string }>(base, '/api/v2/studies/join', body, headers, token);
  return { token, participantId };
}

/**
 * Opens a room of `size` learners over the real API: `size` guest members,
 * the first opens a live study and hosts it, the others join by its code
 * (`limit` at a time; the room decides them one by one anyway). Nobody is
 * connected yet; `learners[i]` is member i.
 */
export async function openRoom(base: string, size: number, headers: ExtraHeaders = {}, limit = 8): Promise<OpenedRoom> {
  const tokens = await createMembers(base, size, headers);
  const room = await hostStudy(base, tokens[0]!, headers);
  const others = await inParallel(tokens.slice(1), limit, (token, i) => joinStudy(base, room, token, i + 1, headers));
  room.learners.push(...others);
  return room;
}

/** The header that sends a request to the bench worker's clock rooms (test/bench/worker). */
export const CLOCK_ROOMS: ExtraHeaders = { 'X-Bench-Room': 'clock' };

async function clockCall(base: string, method: string, path: string, body?: unknown): Promise<void> {
  const res = await fetch(`${base}${path}`, {
    method,
    headers: CLOCK_ROOMS,
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(WAIT_MS),
  });
  if (!res.ok) throw new Error(`bench: ${method} ${path} answered ${res.status}: ${await res.text()}`);
  await res.body?.cancel();
}

/**
 * Sets the clock rooms' clock to `shiftMs` ahead of real time, then rings
 * the alarm of the room of `studyId` (through the browser tests' clock
 * worker): the room's own `alarm()` then sees any deadline the clock passed.
 */
export async function moveRoomClock(base: string, studyId: string, shiftMs: number): Promise<void> {
  await clockCall(base, 'PUT', '/__test/clock', { shiftMs });
  await clockCall(base, 'POST', `/__test/rooms/${encodeURIComponent(studyId)}/alarm`);
}

// ---------------------------------------------------------------- sockets

/** A `ws` client that counts its traffic and hands each text message to `onText`. */
export class BenchSocket {
  sent = 0;
  received = 0;
  /** Received messages by `type` (and `event.kind` for events), when `tally` is on. */
  readonly tally = new Map<string, number>();
  /** Called with each received text message. */
  onText: ((text: string) => void) | null = null;
  /** The last few messages received, for failure messages. */
  readonly recent: string[] = [];
  /** How the socket closed, once it has. */
  closed: { code: number; reason: string } | null = null;
  /** The event number of the last numbered message (Haru's rooms): where a page coming back says it is. */
  seq: number | null = null;
  /** Came in with a `resume` (presence only) instead of the room's snapshot. */
  resumed = false;
  /** Send times within the rate window, so the bench never trips the room's limit. */
  private recentSends: number[] = [];
  readonly ws: WebSocket;

  constructor(ws: WebSocket) {
    this.ws = ws;
  }

  /** Sends one message (counted). */
  send(text: string): void {
    this.sent += 1;
    this.recentSends.push(performance.now());
    this.ws.send(text);
  }

  /** Waits (bounded) until one more message keeps this socket under the room's rate limit. */
  async underRateLimit(): Promise<void> {
    // One message of headroom, and a little slack on the window.
    const limit = RATE_LIMIT.messages - 1;
    const windowMs = RATE_LIMIT.windowMs + 250;
    for (let i = 0; i < 100; i++) {
      const now = performance.now();
      this.recentSends = this.recentSends.filter((t) => now - t < windowMs);
      if (this.recentSends.length < limit) return;
      await sleep(Math.min(windowMs, windowMs - (now - this.recentSends[0]!)) + 1);
    }
    throw new Error('bench: a socket could not get under the rate limit');
  }

  /** This socket's state in a few words, for failure messages. */
  describe(): string {
    const state = this.closed ? `closed ${this.closed.code} ${this.closed.reason}` : `readyState ${this.ws.readyState}`;
    return `${state}; sent ${this.sent}, received ${this.received}; last received: ${this.recent.join(' | ').slice(0, 600)}`;
  }

  /** Closes without the closing handshake (used once the server is going away). */
  terminate(): void {
    this.ws.terminate();
  }
}

/** What a socket is opened with. */
export interface SocketOptions {
  /** Offer permessage-deflate (the `ws` default) or not. */
  deflate: boolean;
  protocols?: string[];
  headers?: ExtraHeaders;
  /** Count received messages by type/kind (parses every message). */
  tally?: boolean;
}

/**
 * The tally key of a server message: `snapshot`, `ack`, `error`, `event:<kind>`,
 * `invalid` for one the shared schema refuses, or the text itself when it is
 * not JSON (`pong`).
 */
function tallyKey(text: string): string {
  if (!text.startsWith('{')) return text; // the runtime's keep-alive 'pong'
  const message = parseServerMessage(text);
  if (!message) return 'invalid';
  return message.type === 'event' ? `event:${message.event.kind}` : message.type;
}

/** The head of a numbered room message, as the room writes it (type first, then seq): its type and number. */
const NUMBERED = /^\{"type":"(snapshot|event|resume)","seq":(\d+)/;

/**
 * Opens a socket; resolves once `ready(text)` says a received message means
 * the socket is in (a room's snapshot), or on open when `ready` is omitted.
 */
export function openSocket(
  url: string,
  options: SocketOptions,
  ready?: (text: string) => boolean,
): Promise<BenchSocket> {
  return within(
    new Promise<BenchSocket>((resolve, reject) => {
      const ws = new WebSocket(url, options.protocols ?? [], {
        perMessageDeflate: options.deflate,
        headers: options.headers ?? {},
        handshakeTimeout: WAIT_MS,
      });
      const socket = new BenchSocket(ws);
      let settled = false;
      ws.on('message', (data, isBinary) => {
        socket.received += 1;
        const text = isBinary ? '' : data.toString();
        socket.recent.push(text.slice(0, 200));
        const numbered = NUMBERED.exec(text);
        if (numbered) {
          socket.seq = Number(numbered[2]);
          if (numbered[1] === 'resume') socket.resumed = true;
        }
        if (socket.recent.length > 3) socket.recent.shift();
        if (options.tally) {
          const key = isBinary ? 'binary' : tallyKey(text);
          socket.tally.set(key, (socket.tally.get(key) ?? 0) + 1);
        }
        if (!settled && ready?.(text)) {
          settled = true;
          resolve(socket);
        }
        socket.onText?.(text);
      });
      ws.once('open', () => {
        if (!ready) {
          settled = true;
          resolve(socket);
        }
      });
      ws.once('error', (error) => {
        if (!settled) {
          settled = true;
          reject(error);
        }
      });
      ws.once('close', (code, reason) => {
        socket.closed = { code, reason: reason.toString() };
        if (!settled) {
          settled = true;
          reject(new Error(`bench: socket closed before it was ready: ${code} ${reason.toString()}`));
        }
      });
    }),
    WAIT_MS,
    `opening ${url}`,
  );
}

/**
 * The socket URL of a room and the subprotocols a learner offers (level,
 * then token); `since` is where a learner coming back says its copy is.
 */
export function roomSocket(
  port: number,
  studyId: string,
  token: string,
  since: number | null = null,
): { url: string; protocols: string[] } {
  return {
    url: `ws://127.0.0.1:${port}${roomSocketPath(studyId, { since })}`,
    protocols: [subprotocolFor(API_LEVEL), `${TOKEN_SUBPROTOCOL}${token}`],
  };
}

/** Whether a room message is the one a socket gets once it is in: the snapshot, or for one coming back a resume. */
export const isIn = (text: string) => text.startsWith('{"type":"snapshot"') || text.startsWith('{"type":"resume"');

/** Connects every learner of `room`, `limit` at a time; each resolves on its snapshot. */
export function connectRoom(port: number, room: OpenedRoom, options: SocketOptions, limit = 1): Promise<BenchSocket[]> {
  return inParallel(room.learners, limit, (learner) => {
    const { url, protocols } = roomSocket(port, room.studyId, learner.token);
    return openSocket(url, { ...options, protocols }, isIn);
  });
}

/** Sends a room message from `socket`. */
export function sendMessage(socket: BenchSocket, message: ClientMessage): void {
  socket.send(JSON.stringify(message));
}

/**
 * Waits (bounded) until every socket in `sockets` has received a message
 * `match` accepts, after calling `act()`; resolves with the time from just
 * before `act` to the last of those receipts, in ms. With `also`, the wait
 * lasts until that socket got that message too (a submitter's ack), which
 * is not timed. Every socket's `onText` is taken over for the wait.
 */
export async function timeBroadcast(
  sockets: readonly BenchSocket[],
  act: () => void,
  match: (text: string) => boolean,
  what: string,
  also?: { socket: BenchSocket; match: (text: string) => boolean },
): Promise<number> {
  let remaining = sockets.length + (also ? 1 : 0);
  let lastAt = 0;
  let done!: () => void;
  const all = new Promise<void>((resolve) => (done = resolve));
  const arrived = () => {
    if (--remaining === 0) done();
  };
  let broadcastLeft = sockets.length;
  for (const socket of sockets) {
    let got = false;
    let gotAlso = false;
    socket.onText = (text) => {
      if (!got && match(text)) {
        got = true;
        if (--broadcastLeft === 0) lastAt = performance.now();
        arrived();
      } else if (also && socket === also.socket && !gotAlso && also.match(text)) {
        gotAlso = true;
        arrived();
      }
    };
  }
  if (also && !sockets.includes(also.socket)) throw new Error('bench: the socket to wait for must be in the room');
  const start = performance.now();
  act();
  try {
    await within(all, WAIT_MS, `${what} (${broadcastLeft} of ${sockets.length} sockets still waiting)`).catch(
      (error: Error) => {
        throw new Error(
          `${error.message}; ${also ? `acting socket: ${also.socket.describe()}` : `first socket: ${sockets[0]?.describe()}`}`,
        );
      },
    );
  } finally {
    for (const socket of sockets) socket.onText = null;
  }
  return lastAt - start;
}

/** Waits (bounded) for one message on `socket` that `match` accepts. */
export function nextMessage(socket: BenchSocket, match: (text: string) => boolean, what: string): Promise<string> {
  return within(
    new Promise<string>((resolve) => {
      const before = socket.onText;
      socket.onText = (text) => {
        before?.(text);
        if (match(text)) {
          socket.onText = before;
          resolve(text);
        }
      };
    }),
    WAIT_MS,
    what,
  );
}

// ---------------------------------------------------------------- statistics

/** Latency figures of one series, in ms. */
export interface Summary {
  n: number;
  min: number;
  p50: number;
  p95: number;
  p99: number;
  max: number;
  mean: number;
}

/** Nearest-rank percentiles, min, max and mean of `samples`. */
export function summarize(samples: readonly number[]): Summary {
  if (samples.length === 0) throw new Error('bench: no samples');
  const sorted = [...samples].sort((a, b) => a - b);
  const rank = (p: number) => sorted[Math.min(sorted.length, Math.max(1, Math.ceil((p / 100) * sorted.length))) - 1]!;
  return {
    n: sorted.length,
    min: sorted[0]!,
    p50: rank(50),
    p95: rank(95),
    p99: rank(99),
    max: sorted[sorted.length - 1]!,
    mean: sorted.reduce((sum, x) => sum + x, 0) / sorted.length,
  };
}
