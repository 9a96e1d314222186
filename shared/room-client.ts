/**
 * A headless room client: the one way every client (the page, the
 * rehearsal's learners, tests) keeps a line to a room (DESIGN §7). It keeps
 * the room's state from the snapshot and numbered events, asks for `sync`
 * when it missed one, comes back with the number it is at so the room can
 * answer with who is online instead of the whole room, keeps submissions
 * until the room acknowledges them and sends them again after a reconnect,
 * and reconnects with backoff and full jitter, so a room whose worker
 * restarted is not hit by every client at the same instant. No DOM: the
 * socket comes from a factory, timers and randomness are injectable.
 */
import {
  applyEvent,
  applyResume,
  applyShared,
  CLOSE,
  type ClientMessage,
  eventSpan,
  parseServerMessage,
  type RoomEvent,
  type RoomState,
  type ServerMessage,
  type Submission,
  stillAsked,
} from './room.ts';

/** The line as a learner should see it. `closed` is final until `connect()` is called again. */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline' | 'closed';

/** What a close means: reconnect soon, reconnect slowly, or stop. */
export type CloseVerdict = 'retry' | 'slow' | 'stop';

/**
 * The path of a room's socket, for every opener alike: the client build the
 * page runs (the worker counts it per build) and, coming back, the event
 * number its copy of the room is at (`since`: the room may answer a resume).
 */
export function roomSocketPath(studyId: string, query: { build?: string; since?: number | null }): string {
  const params = new URLSearchParams();
  if (query.build !== undefined) params.set('build', query.build);
  if (query.since !== undefined && query.since !== null) params.set('since', String(query.since));
  const search = params.toString();
  return `/api/v2/studies/${encodeURIComponent(studyId)}/socket${search ? `?${search}` : ''}`;
}

/** Reconnect delays: full jitter over a doubling, capped window. */
export const BACKOFF = { baseMs: 500, maxMs: 15_000 } as const;
/** How often an open socket says it is still there (`ping`; the room answers `pong` without waking up). */
export const KEEP_ALIVE_MS = 30_000;
/** How long a keep-alive may go unanswered before the line counts as dead. */
export const KEEP_ALIVE_TIMEOUT_MS = 10_000;

/**
 * The delay before reconnect attempt `attempt` (0-based): a random point in
 * `[0, min(max, base * 2^attempt))`. `slow` (the room said "too many
 * messages") waits at least half the cap.
 * @example backoffDelay(0, Math.random) // somewhere in 0-500 ms
 */
export function backoffDelay(attempt: number, random: () => number, slow = false, backoff: Backoff = BACKOFF): number {
  const window = Math.min(backoff.maxMs, backoff.baseMs * 2 ** Math.min(attempt, 30));
  return slow ? backoff.maxMs / 2 + random() * (backoff.maxMs / 2) : random() * window;
}

/** The window reconnect delays are drawn from. */
export interface Backoff {
  baseMs: number;
  maxMs: number;
}

/**
 * What a room's close code means for a client. A version mismatch, a token
 * the room does not take and a socket replaced by a newer one (two tabs would
 * take turns closing each other) are not retried by themselves.
 */
function verdictOf(code: number): CloseVerdict {
  if (code === CLOSE.versionMismatch || code === CLOSE.unauthorized || code === CLOSE.replaced) return 'stop';
  return code === CLOSE.rateLimited ? 'slow' : 'retry';
}

/** The socket events the client listens to, as browsers, Node's global WebSocket and `ws` deliver them. */
export interface SocketEvents {
  open: unknown;
  message: { data: unknown };
  close: { code: number; reason: string };
}

/** The part of a WebSocket the client uses; browsers', Node's global one and `ws` all fit. */
export interface SocketLike {
  readonly readyState: number;
  send(text: string): void;
  close(code?: number, reason?: string): void;
  addEventListener<K extends keyof SocketEvents>(type: K, listener: (event: SocketEvents[K]) => void): void;
}

/** A level-3 `draft` message: what a learner has typed so far. */
export type DraftMessage = Extract<ClientMessage, { type: 'draft' }>;

/** `WebSocket.OPEN`, which not every runtime's types expose as a static. */
const OPEN = 1;

/** Where submissions wait for their ack: memory by default; the page keeps them in localStorage to outlive the tab. */
export interface Outbox {
  /** Submissions the room has not acknowledged yet, oldest first. */
  pending(): Submission[];
  /** Keeps `submission` until acked, replacing an earlier one for the same answer and cycle. */
  put(submission: Submission): void;
  /** The room has `id` for good; false when it was not pending (an older copy, another tab). */
  ack(id: string): boolean;
  /** Forgets a pending submission the room can no longer take. */
  drop(id: string): void;
}

/** An outbox that lives as long as the client. */
function memoryOutbox(): Outbox {
  let entries: Submission[] = [];
  return {
    pending: () => entries,
    put(submission) {
      entries = [...entries.filter((s) => !(s.type === submission.type && s.cycle === submission.cycle)), submission];
    },
    ack(id) {
      const before = entries.length;
      entries = entries.filter((s) => s.id !== id);
      return entries.length !== before;
    },
    drop(id) {
      entries = entries.filter((s) => s.id !== id);
    },
  };
}

/** Timers, injectable so tests drive time themselves. */
export interface Timers {
  setTimeout(run: () => void, ms: number): unknown;
  clearTimeout(handle: unknown): void;
}

const realTimers: Timers = {
  setTimeout: (run, ms) => setTimeout(run, ms),
  clearTimeout: (handle) => clearTimeout(handle as ReturnType<typeof setTimeout>),
};

/**
 * What happened, in order; one incoming message or close hands its changes
 * over together, so a view can apply them as one.
 */
export type RoomChange =
  | { type: 'snapshot'; state: RoomState; you: string; serverNow: number }
  | { type: 'event'; event: RoomEvent; before: RoomState; state: RoomState }
  | { type: 'ack'; id: string }
  /** Level 3: what the room holds for me at a step (saved from any of my tabs, or my draft it kept). */
  | { type: 'answer'; message: Extract<ServerMessage, { type: 'answer' }> }
  /** Level 3: someone started or stopped sharing their plan. */
  | { type: 'shared'; participantId: string; before: RoomState; state: RoomState }
  | { type: 'error'; code: string; message: string; missing?: string[] }
  /** A submission still unacknowledged when the room left its step: it cannot be taken any more. */
  | { type: 'lost'; submission: Submission }
  | { type: 'connection'; connection: ConnectionState }
  /** The socket closed; `opened` says whether it ever opened (a refused upgrade did not). */
  | { type: 'close'; code: number; reason: string; opened: boolean; verdict: CloseVerdict };

/** What a room client needs. */
export interface RoomClientOptions {
  /**
   * Opens a socket to the room; called again for every attempt (the token or
   * build may have changed). `since` is the event number the client's state
   * is at (null before the first snapshot): the opener passes it on as the
   * socket URL's `since`, and a level-3 room answers with a `resume` when
   * only presence changed after it.
   */
  open: (since: number | null) => SocketLike;
  /** Where submissions wait; asked on every use (the page learns whose outbox it is late). Defaults to memory. */
  outbox?: () => Outbox | null;
  /** Whether the device is online at all; an offline client waits for `online()`. Defaults to always. */
  isOnline?: () => boolean;
  /** The reconnect window; defaults to `BACKOFF` (the rehearsal's learners, whose steps last seconds, use a shorter one). */
  backoff?: Backoff;
  /** Defaults to the runtime's timers. */
  timers?: Timers;
  /** The jitter's source; defaults to `Math.random`. */
  random?: () => number;
}

/** Creates a client; it connects on `connect()` and keeps the line until `close()`. */
export function createRoomClient(options: RoomClientOptions) {
  const timers = options.timers ?? realTimers;
  const random = options.random ?? Math.random;
  const isOnline = options.isOnline ?? (() => true);
  const fallback = memoryOutbox();
  const outbox = options.outbox ?? (() => fallback);
  const listeners = new Set<(changes: readonly RoomChange[]) => void>();

  let ws: SocketLike | null = null;
  let line: ConnectionState = 'closed';
  let shown: ConnectionState = 'closed';
  let state: RoomState | null = null;
  /** Sequence number of the last event applied; events at or below it are old news. */
  let seq = 0;
  /** The latest draft the line was down for, sent with the next snapshot. */
  let draft: DraftMessage | null = null;
  /** True from (re)connecting or asking for a sync until the snapshot arrives: events wait for it. */
  let awaitingSnapshot = true;
  let synced = false;
  let everSynced = false;
  let everOpened = false;
  let stopped = true;
  let attempt = 0;
  let retryTimer: unknown;
  let pingTimer: unknown;
  let deadTimer: unknown;

  let queue: RoomChange[] = [];
  let flushing = false;
  /** Hands queued changes to the listeners, once per outside call (a listener that calls back in adds to the same round). */
  const flush = () => {
    if (flushing) return;
    flushing = true;
    try {
      while (queue.length > 0) {
        const changes = queue;
        queue = [];
        for (const listener of listeners) listener(changes);
      }
    } finally {
      flushing = false;
    }
  };
  const emit = (change: RoomChange) => queue.push(change);
  const setLine = (next: ConnectionState) => {
    line = next;
    const connection = line === 'live' && !synced ? (everSynced ? 'reconnecting' : 'connecting') : line;
    if (connection === shown) return;
    shown = connection;
    emit({ type: 'connection', connection });
  };

  const stopTimers = () => {
    timers.clearTimeout(retryTimer);
    timers.clearTimeout(pingTimer);
    timers.clearTimeout(deadTimer);
  };

  /** Forgets the current socket without waiting for its close handshake (the line may be dead). */
  const drop = (reason = 'reconnecting') => {
    const old = ws;
    ws = null;
    stopTimers();
    synced = false;
    awaitingSnapshot = true;
    try {
      old?.close(1000, reason);
    } catch {
      // Already closing.
    }
  };

  const send = (message: ClientMessage | 'ping'): boolean => {
    if (!ws || ws.readyState !== OPEN) return false;
    ws.send(typeof message === 'string' ? message : JSON.stringify(message));
    return true;
  };

  const schedule = (slow: boolean) => {
    if (stopped) return;
    if (!isOnline()) {
      setLine('offline');
      return;
    }
    setLine(everOpened ? 'reconnecting' : 'connecting');
    retryTimer = timers.setTimeout(
      () => {
        open();
        flush();
      },
      backoffDelay(attempt++, random, slow, options.backoff),
    );
  };

  const lost = (code: number, reason: string, opened: boolean) => {
    drop();
    if (stopped) return;
    const verdict = verdictOf(code);
    if (verdict === 'stop') {
      stopped = true;
      setLine('closed');
    }
    emit({ type: 'close', code, reason, opened, verdict });
    schedule(verdict === 'slow');
  };

  /** Drops what the room can no longer take (the learner is told) and, after a snapshot, sends again what it still can. */
  const settle = (resend: boolean) => {
    const box = outbox();
    if (!box || !state) return;
    for (const submission of box.pending()) {
      if (!stillAsked(state, submission)) {
        box.drop(submission.id);
        emit({ type: 'lost', submission });
      } else if (resend) send(submission);
    }
  };

  /** The room's whole state is known again (a snapshot, or a resume on top of what was held): the line is live. */
  const arrived = (next: RoomState, message: { seq: number; you: string; serverNow: number }) => {
    seq = message.seq;
    awaitingSnapshot = false;
    synced = everSynced = true;
    state = next;
    setLine(line);
    emit({ type: 'snapshot', state: next, you: message.you, serverNow: message.serverNow });
    // The latest draft typed while the line was down goes now.
    if (draft && send(draft)) draft = null;
    settle(true);
  };

  const receive = (text: string) => {
    const message = parseServerMessage(text);
    if (!message) return;
    switch (message.type) {
      case 'snapshot':
        return arrived(message.state, message);
      case 'resume': {
        const resumed = state && message.seq >= seq ? applyResume(state, message) : null;
        // Not about the state held here after all: the whole room, then.
        return resumed ? arrived(resumed, message) : sync();
      }
      case 'event': {
        if (awaitingSnapshot || !state || message.seq <= seq) return;
        // `seq` numbers the event's last change; a batch covers the numbers before it too.
        if (message.seq - eventSpan(message.event) !== seq) return sync();
        seq = message.seq;
        const before = state;
        state = applyEvent(before, message.event);
        emit({ type: 'event', event: message.event, before, state });
        return settle(false);
      }
      case 'ack':
        if (outbox()?.ack(message.id)) emit({ type: 'ack', id: message.id });
        return;
      case 'answer':
        return emit({ type: 'answer', message });
      case 'shared': {
        if (!state) return;
        const before = state;
        state = applyShared(before, message);
        return emit({ type: 'shared', participantId: message.participantId, before, state });
      }
      case 'error':
        return emit(
          message.missing
            ? { type: 'error', code: message.code, message: message.message, missing: message.missing }
            : { type: 'error', code: message.code, message: message.message },
        );
    }
  };

  const keepAlive = (socket: SocketLike) => {
    pingTimer = timers.setTimeout(() => {
      if (socket !== ws) return;
      send('ping');
      timers.clearTimeout(deadTimer);
      // Any message proves the line is alive; silence means it is not.
      deadTimer = timers.setTimeout(() => {
        lost(1006, 'keep-alive timeout', true);
        flush();
      }, KEEP_ALIVE_TIMEOUT_MS);
      keepAlive(socket);
    }, KEEP_ALIVE_MS);
  };

  function open(): void {
    drop();
    if (stopped) return;
    if (!isOnline()) {
      setLine('offline');
      return;
    }
    setLine(everOpened ? 'reconnecting' : 'connecting');
    let socket: SocketLike;
    try {
      socket = options.open(state ? seq : null);
    } catch {
      schedule(false);
      return;
    }
    ws = socket;
    let opened = false;
    // Events of a socket this client has let go of are not news.
    socket.addEventListener('open', () => {
      if (socket !== ws) return;
      opened = everOpened = true;
      setLine('live');
      keepAlive(socket);
      flush();
    });
    socket.addEventListener('message', (event) => {
      if (socket !== ws) return;
      timers.clearTimeout(deadTimer);
      // A message means the room took us: the next drop starts the backoff over.
      attempt = 0;
      if (typeof event.data === 'string' && event.data !== 'pong') receive(event.data);
      flush();
    });
    // An error is always followed by a close; the close decides.
    socket.addEventListener('close', (event) => {
      if (socket !== ws) return;
      lost(event.code, event.reason, opened);
      flush();
    });
  }

  /** Asks the room for a snapshot; events wait for it. */
  function sync(): void {
    awaitingSnapshot = true;
    send({ type: 'sync' });
  }

  /** Runs `act` and hands its changes to the listeners. */
  const outside =
    <A extends unknown[], R>(act: (...args: A) => R) =>
    (...args: A): R => {
      try {
        return act(...args);
      } finally {
        flush();
      }
    };

  return {
    /** The room as last heard on this line (snapshot plus events since), or null before the first snapshot. */
    get state(): RoomState | null {
      return state;
    },
    /** The line as the learner should see it: live only once the snapshot arrived. */
    get connection(): ConnectionState {
      return shown;
    },
    /** Calls `listener` with the changes of each message, close or action; returns the unsubscribe. */
    listen(listener: (changes: readonly RoomChange[]) => void): () => void {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    /** Opens the line, or opens it again after a stop; does nothing while it is up. */
    connect: outside(() => {
      if (!stopped) return;
      stopped = false;
      attempt = 0;
      open();
    }),
    /** Sends `message` if the socket is open; false when it could not (a command is the caller's to repeat). */
    send: outside((message: ClientMessage) => send(message)),
    /**
     * Sends what the learner has typed so far (level 3); while the line is
     * down only the latest waits, and goes with the next snapshot.
     */
    draft: outside((message: DraftMessage) => {
      draft = send(message) ? null : message;
    }),
    /** Keeps `submission` until the room acknowledges it and sends it now if it can; the next snapshot sends it otherwise. */
    submit: outside((submission: Submission) => {
      outbox()?.put(submission);
      return send(submission);
    }),
    sync: outside(sync),
    /** The device came back online: try at once, with the backoff started over. */
    online: outside(() => {
      if (stopped || (ws && ws.readyState === OPEN)) return;
      attempt = 0;
      open();
    }),
    /** The device went offline: the line is gone even if the socket has not noticed yet. */
    offline: outside(() => {
      if (stopped) return;
      drop();
      setLine('offline');
    }),
    /** Stops for good (until `connect()`): closes the socket with 1000 and `reason`, no reconnect, no timers left behind. */
    close: outside((reason?: string) => {
      stopped = true;
      drop(reason);
      setLine('closed');
    }),
  };
}

/** A room client's public face. */
export type RoomClient = ReturnType<typeof createRoomClient>;
