/**
 * Wall-clock time on this device, apart from the server clock (clock.ts) so
 * the first load, which needs only this, does not carry the countdown's ticks.
 */

/** Wall-clock time on this device, epoch ms. */
export function now(): number {
  return Date.now();
}
