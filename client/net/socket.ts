/**
 * A WebSocket that stays up: it reconnects after a drop with exponential
 * backoff and full jitter (so a room whose worker restarted is not hit by
 * every client at the same instant), waits for the browser to be online
 * before trying, and sends a keep-alive `ping` that the room answers with
 * `pong` without waking up (DESIGN §7). What a message or a close code means
 * is the caller's business: this only keeps the line open.
 */
import { signal } from '@preact/signals';

/** What the learner sees of the line. `closed` is final: the caller stopped it. */
export type ConnectionState = 'connecting' | 'live' | 'reconnecting' | 'offline' | 'closed';

/** What the caller decides a close means. */
export type CloseVerdict = 'retry' | 'slow' | 'stop';

/** Reconnect delays: full jitter over a doubling, capped window. */
export const BACKOFF = { baseMs: 500, maxMs: 15_000 } as const;
/** How often an open socket says it is still there. */
export const KEEP_ALIVE_MS = 30_000;
/** How long a keep-alive may go unanswered before the line counts as dead. */
export const KEEP_ALIVE_TIMEOUT_MS = 10_000;

/**
 * The delay before reconnect attempt `attempt` (0-based): a random point in
 * `[0, min(max, base * 2^attempt))`. `slow` (the server said "too many
 * messages") waits at least half the cap.
 * @example backoffDelay(0, Math.random) // somewhere in 0-500 ms
 */
export function backoffDelay(attempt: number, random: () => number, slow = false): number {
  const window = Math.min(BACKOFF.maxMs, BACKOFF.baseMs * 2 ** Math.min(attempt, 30));
  return slow ? BACKOFF.maxMs / 2 + random() * (BACKOFF.maxMs / 2) : random() * window;
}

/** What a live socket needs from its owner. */
export interface SocketOptions {
  /** Where to connect; asked again on every attempt. */
  url: () => string;
  /** Subprotocols to offer; asked again on every attempt (the token may have changed). */
  protocols: () => string[];
  /** A text message from the server (keep-alive answers are filtered out). */
  onMessage: (text: string) => void;
  /** The socket opened; the caller may send right away. */
  onOpen?: () => void;
  /** The socket closed (or dropped): reconnect soon, reconnect slowly, or stop for good. */
  onClose: (code: number, reason: string) => CloseVerdict;
  /** Injectable for tests; defaults to `Math.random`. */
  random?: () => number;
}

/** Opens the socket at once and keeps it open until `close()`. */
export function createSocket(options: SocketOptions) {
  const random = options.random ?? Math.random;
  const state = signal<ConnectionState>('connecting');
  let ws: WebSocket | null = null;
  let attempt = 0;
  let everOpened = false;
  let stopped = false;
  let retryTimer: ReturnType<typeof setTimeout> | undefined;
  let pingTimer: ReturnType<typeof setInterval> | undefined;
  let deadTimer: ReturnType<typeof setTimeout> | undefined;

  const stopTimers = () => {
    clearTimeout(retryTimer);
    clearInterval(pingTimer);
    clearTimeout(deadTimer);
  };

  /** Forgets the current socket without waiting for its close handshake (the line may be dead). */
  const drop = () => {
    const old = ws;
    ws = null;
    stopTimers();
    if (!old) return;
    old.onopen = old.onmessage = old.onclose = old.onerror = null;
    try {
      old.close(1000, 'reconnecting');
    } catch {
      // Already closing.
    }
  };

  const schedule = (slow: boolean) => {
    if (stopped) return;
    if (!navigator.onLine) {
      state.value = 'offline';
      return;
    }
    state.value = everOpened ? 'reconnecting' : 'connecting';
    const delay = backoffDelay(attempt++, random, slow);
    retryTimer = setTimeout(connect, delay);
  };

  const lost = (code: number, reason: string) => {
    drop();
    if (stopped) return;
    const verdict = options.onClose(code, reason);
    if (verdict === 'stop') {
      stopped = true;
      state.value = 'closed';
      return;
    }
    schedule(verdict === 'slow');
  };

  function connect(): void {
    drop();
    if (stopped) return;
    if (!navigator.onLine) {
      state.value = 'offline';
      return;
    }
    state.value = everOpened ? 'reconnecting' : 'connecting';
    let socket: WebSocket;
    try {
      socket = new WebSocket(options.url(), options.protocols());
    } catch {
      schedule(false);
      return;
    }
    ws = socket;
    socket.onopen = () => {
      everOpened = true;
      state.value = 'live';
      pingTimer = setInterval(() => {
        if (socket.readyState !== WebSocket.OPEN) return;
        socket.send('ping');
        clearTimeout(deadTimer);
        // Any message proves the line is alive; silence means it is not.
        deadTimer = setTimeout(() => lost(1006, 'keep-alive timeout'), KEEP_ALIVE_TIMEOUT_MS);
      }, KEEP_ALIVE_MS);
      options.onOpen?.();
    };
    socket.onmessage = (event: MessageEvent) => {
      clearTimeout(deadTimer);
      // A message means the server took us: the next drop starts the backoff over.
      attempt = 0;
      if (typeof event.data !== 'string' || event.data === 'pong') return;
      options.onMessage(event.data);
    };
    socket.onclose = (event: CloseEvent) => lost(event.code, event.reason);
    // An error is always followed by a close; the close decides.
    socket.onerror = null;
  }

  const online = () => {
    if (stopped || (ws && ws.readyState === WebSocket.OPEN)) return;
    attempt = 0;
    connect();
  };
  const offline = () => {
    if (stopped) return;
    // The line is gone even if the socket has not noticed yet; others should see us offline.
    drop();
    state.value = 'offline';
  };
  addEventListener('online', online);
  addEventListener('offline', offline);

  connect();

  return {
    /** The line as the learner should see it. */
    state,
    /** Sends `text` if the socket is open; false when it could not (the caller keeps it to re-send). */
    send(text: string): boolean {
      if (!ws || ws.readyState !== WebSocket.OPEN) return false;
      ws.send(text);
      return true;
    },
    /** Stops for good: no reconnect, no listeners left behind. */
    close(): void {
      stopped = true;
      removeEventListener('online', online);
      removeEventListener('offline', offline);
      drop();
      state.value = 'closed';
    },
  };
}

/** A live socket's public face. */
export type LiveSocket = ReturnType<typeof createSocket>;
