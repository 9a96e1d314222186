/**
 * The study domain (DESIGN §2): limits, the step machine and deadlines. Pure
 * functions of their inputs, so the worker, the client and the tests agree.
 */

/** Limits a learner's input must respect, on both sides of the wire. */
export const LIMITS = {
  studyName: { min: 1, max: 10 },
  nickname: { min: 1, max: 10 },
  cycles: { min: 1, max: 8 },
  minutesPerCycle: { min: 20, max: 60, step: 5 },
  /** Every answer a learner writes; long enough for a paragraph, short enough to keep rows small. */
  answer: { max: 500 },
  /**
   * Learners in one live room. The room's state is one stored value (about
   * 160 bytes a learner, under the 2 MiB a Durable Object value may hold), and
   * 1,000 is the room the benchmarks measure; more would be refused by storage
   * and stop the whole room.
   */
  roomParticipants: { max: 1000 },
} as const;

/** The minutes a learner can pick for a cycle: 20, 25, ..., 60. */
export const MINUTE_CHOICES: readonly number[] = Array.from(
  { length: (LIMITS.minutesPerCycle.max - LIMITS.minutesPerCycle.min) / LIMITS.minutesPerCycle.step + 1 },
  (_, i) => LIMITS.minutesPerCycle.min + i * LIMITS.minutesPerCycle.step,
);

/** Minutes of the steps that do not depend on the cycle length. */
export const PLANNING_MINUTES = 10;
export const RETROSPECT_MINUTES = 10;

/** The steps one learner goes through (v1: each learner on their own). */
export const STEPS = ['planning', 'studying', 'retrospect', 'done'] as const;
export type Step = (typeof STEPS)[number];

/** Where a learner stands: the step, the cycle (1-based) and when the step began. */
export interface Position {
  step: Step;
  cycle: number;
  stepStartedAt: number;
}

/** How long `step` lasts in milliseconds; `done` has no deadline. */
export function stepMillis(step: Step, minutesPerCycle: number): number | null {
  switch (step) {
    case 'planning':
      return PLANNING_MINUTES * 60_000;
    case 'studying':
      return minutesPerCycle * 60_000;
    case 'retrospect':
      return RETROSPECT_MINUTES * 60_000;
    case 'done':
      return null;
  }
}

/**
 * The absolute time the current step's time is up. Timers count down to this,
 * never up from a counter, so reloads and background tabs stay right.
 */
export function deadlineOf(position: Position, minutesPerCycle: number): number | null {
  const millis = stepMillis(position.step, minutesPerCycle);
  return millis === null ? null : position.stepStartedAt + millis;
}

/**
 * The step after `position`: planning -> studying -> retrospect -> planning of
 * the next cycle, or done after the last one. Null when already done.
 */
export function nextPosition(position: Position, totalCycles: number, now: number): Position | null {
  switch (position.step) {
    case 'planning':
      return { step: 'studying', cycle: position.cycle, stepStartedAt: now };
    case 'studying':
      return { step: 'retrospect', cycle: position.cycle, stepStartedAt: now };
    case 'retrospect':
      return position.cycle < totalCycles
        ? { step: 'planning', cycle: position.cycle + 1, stepStartedAt: now }
        : { step: 'done', cycle: position.cycle, stepStartedAt: now };
    case 'done':
      return null;
  }
}

/** What a learner must have submitted before leaving a step, if anything. */
export function requiredAnswer(step: Step): 'plan' | 'retrospect' | null {
  if (step === 'planning') return 'plan';
  if (step === 'retrospect') return 'retrospect';
  return null;
}

/** A participant code: six capital letters A-Z. */
export const CODE_PATTERN = /^[A-Z]{6}$/;

/**
 * Turns random bytes into a participant code, one letter per byte. Rejection
 * sampling would be exact; 256 % 26 skews by under 1 %, harmless for codes.
 */
export function codeFromBytes(bytes: Uint8Array): string {
  if (bytes.length < 6) throw new Error('need 6 random bytes for a code');
  return Array.from(bytes.subarray(0, 6), (b) => String.fromCharCode(65 + (b % 26))).join('');
}

/**
 * The mark on a recorded plan or retrospect that a live room kept from a
 * draft when the host moved on before its writer submitted
 * (`{ ..., unsubmitted: true }`). Here, not beside the room's schemas, so
 * the records page reads it without loading zod.
 */
export const UNSUBMITTED = 'unsubmitted';
