/**
 * The shared domain rules (shared/domain.ts): step order, deadlines as
 * absolute times, the answers each step needs, codes and limits.
 */
import { describe, expect, it } from 'vitest';
import {
  codeFromBytes,
  CODE_PATTERN,
  deadlineOf,
  MINUTE_CHOICES,
  nextPosition,
  requiredAnswer,
  stepMillis,
  type Position,
} from '../../../shared/index.ts';

const at = (step: Position['step'], cycle: number, stepStartedAt = 0): Position => ({ step, cycle, stepStartedAt });

describe('nextPosition', () => {
  it('walks plan -> study -> retrospect through every cycle, then done', () => {
    const seen: string[] = [];
    let position: Position | null = at('planning', 1);
    for (let now = 1; position; now += 1) {
      seen.push(`${position.step}:${position.cycle}`);
      position = nextPosition(position, 2, now);
    }
    expect(seen).toEqual(['planning:1', 'studying:1', 'retrospect:1', 'planning:2', 'studying:2', 'retrospect:2', 'done:2']);
  });

  it('starts the next step now', () => {
    expect(nextPosition(at('planning', 1, 5), 1, 99)).toEqual(at('studying', 1, 99));
  });
});

describe('deadlines', () => {
  it('planning and retrospect last 10 minutes, studying the cycle length, done has none', () => {
    expect(stepMillis('planning', 45)).toBe(10 * 60_000);
    expect(stepMillis('retrospect', 45)).toBe(10 * 60_000);
    expect(stepMillis('studying', 45)).toBe(45 * 60_000);
    expect(deadlineOf(at('studying', 1, 1_000), 25)).toBe(1_000 + 25 * 60_000);
    expect(deadlineOf(at('done', 1, 1_000), 25)).toBeNull();
  });
});

describe('rules', () => {
  it('names the answer each step needs before moving on', () => {
    expect(['planning', 'studying', 'retrospect', 'done'].map((s) => requiredAnswer(s as Position['step']))).toEqual([
      'plan',
      null,
      'retrospect',
      null,
    ]);
  });

  it('offers 20, 25, ..., 60 minutes', () => {
    expect(MINUTE_CHOICES).toEqual([20, 25, 30, 35, 40, 45, 50, 55, 60]);
  });

  it('makes six capital letters from random bytes', () => {
    expect(codeFromBytes(new Uint8Array([0, 25, 26, 51, 255, 7]))).toBe('AZAZVH');
    expect(codeFromBytes(crypto.getRandomValues(new Uint8Array(6)))).toMatch(CODE_PATTERN);
    expect(() => codeFromBytes(new Uint8Array(5))).toThrow();
  });
});
