/**
 * The shared domain rules (shared/domain.ts): step order, deadlines as
 * absolute times, the answers each step needs, codes and limits; and the
 * nickname rule (shared/nickname.ts), here in workerd where the worker runs it.
 */
import { describe, expect, it } from 'vitest';
import {
  CODE_PATTERN,
  codeFromBytes,
  deadlineOf,
  graphemeCount,
  MINUTE_CHOICES,
  nextPosition,
  nicknameLength,
  nicknameProblem,
  normalizeNickname,
  type Position,
  requiredAnswer,
  stepMillis,
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
    expect(seen).toEqual([
      'planning:1',
      'studying:1',
      'retrospect:1',
      'planning:2',
      'studying:2',
      'retrospect:2',
      'done:2',
    ]);
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

describe('the nickname rule', () => {
  const family = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F466}';

  it('counts what a learner sees, with the Intl.Segmenter workerd ships', () => {
    expect(typeof Intl.Segmenter).toBe('function');
    expect(graphemeCount('하루공부하는학생')).toBe(8);
    expect(graphemeCount('e\u0301'.repeat(10))).toBe(10);
    expect(graphemeCount(family.repeat(2))).toBe(2);
    expect(graphemeCount('\u{1F1F0}\u{1F1F7}')).toBe(1);
    expect(nicknameLength(`  ${family} `)).toBe(1);
  });

  it('keeps a nickname as NFC, trimmed', () => {
    expect(normalizeNickname(' e\u0301 ')).toBe('\u00E9');
    expect(normalizeNickname('\u1112\u1161\u1105\u116E')).toBe('하루');
    expect(normalizeNickname('\uFEFF hana\t')).toBe('hana');
  });

  it.each([
    ['Korean', '하루공부하는학생'],
    ['10 letters', 'abcdefghij'],
    ['10 letters with combining marks that NFC cannot join', 'n\u0308'.repeat(10)],
    ['10 family emoji (110 UTF-16 units)', family.repeat(10)],
    ['a flag and a skin tone', '\u{1F1F0}\u{1F1F7}\u{1F44B}\u{1F3FD}'],
    ['zero-width joiners between visible letters', 'a\u200Db'],
  ])('accepts %s', (_, name) => {
    expect(nicknameProblem(name)).toBeNull();
  });

  it.each([
    ['nothing', '', 'tooShort'],
    ['11 letters', 'abcdefghijk', 'tooLong'],
    ['11 family emoji', family.repeat(11), 'tooLong'],
    ['a lone high surrogate', 'ha\uD83D', 'illFormed'],
    ['a lone low surrogate', '\uDC00', 'illFormed'],
    ['NUL', 'ha\u0000na', 'control'],
    ['BEL', '\u0007', 'control'],
    ['a line break', 'ha\nna', 'control'],
    ['DEL', 'hana\u007F', 'control'],
    ['a C1 control', 'ha\u0085na', 'control'],
    ['a right-to-left override ("host" shown, "tsoh" stored)', '\u202Etsoh', 'bidi'],
    ['each bidi control', '\u061C', 'bidi'],
    ['a right-to-left mark', 'hana\u200F', 'bidi'],
    ['an isolate', '\u2066hana\u2069', 'bidi'],
    ['zero-width characters only', '\u200B\u200C\u200D\u2060', 'invisible'],
    ['a Hangul filler', '\u3164', 'invisible'],
    ['Hangul choseong and jungseong fillers', '\u115F\u1160', 'invisible'],
    ['a half-width Hangul filler', '\uFFA0', 'invisible'],
    ['a variation selector', '\uFE0F', 'invisible'],
    ['a combining mark on nothing', '\u0301\u0301', 'invisible'],
    ['the blank braille pattern', '\u2800\u2800', 'invisible'],
    ['a soft hyphen and a tag', '\u00AD\u{E0041}', 'invisible'],
  ])('refuses %s', (_, name, problem) => {
    expect(nicknameProblem(name)).toBe(problem);
  });

  it('refuses every bidi control', () => {
    const controls = [
      '\u061C',
      '\u200E',
      '\u200F',
      '\u202A',
      '\u202B',
      '\u202C',
      '\u202D',
      '\u202E',
      '\u2066',
      '\u2067',
      '\u2068',
      '\u2069',
    ];
    expect(controls.map((c) => nicknameProblem(`a${c}b`))).toEqual(controls.map(() => 'bidi'));
  });
});
