/**
 * When a solo study counts as ended by its learner rather than finished
 * (`POST /api/v1/progress/:id/end`). Apart from shared/domain.ts because only
 * lazily loaded pages ask, and the welcome page carries domain.ts.
 */
import type { Step } from './domain.ts';

/**
 * Whether a done solo study was ended by its learner rather than finished:
 * done before its last cycle, or in it without the last retrospect. There is
 * no "ended" column: ending keeps the cycle, and finishing needs that
 * retrospect. `lastRetrospect` is whether it was written, where the caller
 * knows (a list of studies does not, and then only the cycle says).
 * @example endedEarly({ step: 'done', cycle: 1 }, 2) // true
 */
export function endedEarly(at: { step: Step; cycle: number }, totalCycles: number, lastRetrospect?: boolean): boolean {
  return at.step === 'done' && (at.cycle < totalCycles || lastRetrospect === false);
}
