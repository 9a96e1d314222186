/**
 * The client's one clock: the device's time (`now`, from now.ts) and the
 * server's as this page estimates it, kept to the server while a countdown is
 * on screen. Every time read goes through here, so browser tests can drive
 * the whole app with Playwright's `page.clock` (it fakes `Date`, timers and
 * `performance.now()`) and run a 60-minute cycle in milliseconds.
 */
import { signal } from '@preact/signals';
import { now } from './now.ts';

export { now };

/** How far the server's clock is ahead of ours, learned from `serverNow` answers. */
let serverOffset = 0;
/** `performance.now()` when the offset was last learned (or asked for). */
let syncedAt = Number.NEGATIVE_INFINITY;
/** How the page asks the server for its clock again, while a page that can is open. */
let resync: (() => void) | null = null;

/** How often an open page rechecks the server's clock even when nothing looks wrong (drift, a missed jump). */
export const RESYNC_MS = 5 * 60_000;
/**
 * How much more (or less) the wall clock may move than the monotonic clock
 * between two ticks before we call it a jump (the learner or the system set
 * the device clock). Well above timer jitter; well below what a learner notices.
 */
export const JUMP_MS = 2_000;

/**
 * Learns the server's clock from an answer's `serverNow`, so a device whose
 * clock is minutes off still counts down to the server's deadlines right.
 */
export function syncWithServer(serverNow: number): void {
  serverOffset = serverNow - now();
  syncedAt = performance.now();
}

/**
 * Lets the clock ask for a fresh `serverNow` (by calling `ask`, which should
 * end in `syncWithServer`): every RESYNC_MS while a countdown is on screen,
 * and at once when the device clock jumps. Returns the way to stop.
 */
export function keepInSync(ask: () => void): () => void {
  resync = ask;
  return () => {
    if (resync === ask) resync = null;
  };
}

/** How often a watched clock refreshes; twice a second keeps a countdown crisp. */
const TICK_MS = 500;

let stopTicking = () => {};
/** Bumps while something on screen reads the time, and sleeps when nothing does. */
const tick = signal(0, {
  watched() {
    // Wall and monotonic time of the last tick: the wall clock can be set, performance.now() cannot.
    let wall = now();
    let mono = performance.now();
    const refresh = () => {
      const nextWall = now();
      const nextMono = performance.now();
      const jumped = Math.abs(nextWall - wall - (nextMono - mono)) > JUMP_MS;
      wall = nextWall;
      mono = nextMono;
      if (resync && (jumped || nextMono - syncedAt > RESYNC_MS)) {
        // Counts as synced until the answer comes, so a slow answer is not asked for twice.
        syncedAt = nextMono;
        resync();
      }
      tick.value++;
    };
    const timer = setInterval(refresh, TICK_MS);
    document.addEventListener('visibilitychange', refresh);
    stopTicking = () => {
      clearInterval(timer);
      document.removeEventListener('visibilitychange', refresh);
    };
  },
  unwatched() {
    stopTicking();
  },
});

/**
 * The server's time as this device estimates it, read reactively: a computed
 * or component that calls this recomputes every tick. Countdowns derive from
 * deadlines and this, never from counters, so a throttled background tab
 * shows the right time the moment it is visible again.
 */
export function serverTimeNow(): number {
  void tick.value;
  return now() + serverOffset;
}
