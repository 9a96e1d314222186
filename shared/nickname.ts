/**
 * The nickname rule (DESIGN §2, "Nickname 1-10 characters"), written once for
 * the worker's schemas and the page's counter. A character is what the learner
 * sees, a grapheme cluster: 하, an é written as e + U+0301 and a family emoji
 * joined with ZWJs each count as one. Names that hide or disguise themselves
 * are refused, so everyone in a room sees who is who.
 *
 * Pure: `String.prototype.normalize` and `Intl.Segmenter` only. workerd and
 * current browsers ship both; see `graphemeCount` for one that lacks the second.
 */
import { LIMITS } from './domain.ts';

/** The reasons a nickname of the right length is still refused (their sentences: nickname-refusals.ts). */
const REFUSALS = ['illFormed', 'control', 'bidi', 'invisible'] as const;
/** Why a nickname of the right length is still refused. */
export type NicknameRefusal = (typeof REFUSALS)[number];

/** What is wrong with a nickname: its length (in graphemes) or a refusal. */
export type NicknameProblem = 'tooShort' | 'tooLong' | NicknameRefusal;

// With the u flag, a surrogate that is half of a pair is read as part of its
// code point, so \p{Cs} matches only a lone one: text that is not well-formed
// UTF-16, which D1 cannot store as sent (it was kept changed).
const LONE_SURROGATE = /\p{Cs}/u;
/** C0 and C1 controls (NUL, BEL, tab, line breaks, DEL...). */
const CONTROL = /\p{Cc}/u;
/** U+061C, U+200E-U+200F, U+202A-U+202E, U+2066-U+2069: exactly Unicode's Bidi_Control. */
const BIDI_CONTROL = /\p{Bidi_Control}/u;
/**
 * A name made only of these shows nothing: spaces, default-ignorable code
 * points (zero-width characters U+200B-U+200D, U+2060, U+FEFF, variation
 * selectors, Hangul fillers U+115F/U+1160/U+3164/U+FFA0, tags...), combining
 * marks with nothing to sit on, and the blank braille pattern U+2800.
 */
const INVISIBLE_ONLY = /^[\p{White_Space}\p{Default_Ignorable_Code_Point}\p{M}\u2800]*$/u;

// Firefox before 125 (ESR 115 among them) has no Intl.Segmenter; the page must still load there.
const graphemes =
  typeof Intl.Segmenter === 'function' ? new Intl.Segmenter(undefined, { granularity: 'grapheme' }) : null;

/**
 * How many characters a learner sees in `text` (grapheme clusters, not UTF-16
 * units or code points). Without Intl.Segmenter it counts code points: never
 * fewer, so such a browser may hold back a long emoji name the server would
 * take, but never lets through one it refuses.
 */
export function graphemeCount(text: string): number {
  return graphemes ? Array.from(graphemes.segment(text)).length : Array.from(text).length;
}

/** A nickname as it is kept: NFC, then trimmed. The API stores and returns exactly this. */
export function normalizeNickname(raw: string): string {
  return raw.normalize('NFC').trim();
}

/** The length the rule counts for what a learner typed, for the page's counter. */
export function nicknameLength(raw: string): number {
  return graphemeCount(normalizeNickname(raw));
}

/**
 * The first rule a normalized nickname breaks, or null when it is accepted.
 * Broken text comes first, then characters that are never allowed, then length.
 * @example nicknameProblem(normalizeNickname('  하루  ')) // null
 */
export function nicknameProblem(name: string): NicknameProblem | null {
  if (LONE_SURROGATE.test(name)) return 'illFormed';
  if (CONTROL.test(name)) return 'control';
  if (BIDI_CONTROL.test(name)) return 'bidi';
  const length = graphemeCount(name);
  if (length < LIMITS.nickname.min) return 'tooShort';
  if (INVISIBLE_ONLY.test(name)) return 'invisible';
  return length > LIMITS.nickname.max ? 'tooLong' : null;
}

/** True for the refusals above, e.g. when reading one back from a schema issue's params. */
export function isNicknameRefusal(value: unknown): value is NicknameRefusal {
  return (REFUSALS as readonly unknown[]).includes(value);
}
