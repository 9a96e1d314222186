/**
 * The client's one clock. Every time read goes through here, so browser tests
 * can drive the whole app with Playwright's `page.clock` (it fakes `Date` and
 * timers) and run a 60-minute cycle in milliseconds.
 */
import { signal } from '@preact/signals';

/** Wall-clock time on this device, epoch ms. */
export function now(): number {
  return Date.now();
}

/** How far the server's clock is ahead of ours, learned from `serverNow` answers. */
let serverOffset = 0;

/**
 * Learns the server's clock from an answer's `serverNow`, so a device whose
 * clock is minutes off still counts down to the server's deadlines right.
 */
export function syncWithServer(serverNow: number): void {
  serverOffset = serverNow - now();
}

/** How often a watched clock refreshes; twice a second keeps a countdown crisp. */
const TICK_MS = 500;

let stopTicking = () => {};
/** Bumps while something on screen reads the time, and sleeps when nothing does. */
const tick = signal(0, {
  watched() {
    const refresh = () => tick.value++;
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
