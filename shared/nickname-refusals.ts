/**
 * The sentence each nickname refusal (shared/nickname.ts) gets: the API's 400
 * message (after `nickname: `), and the English page's field error, word for
 * word. Apart from the rule so a page in another language does not load them.
 */
import type { NicknameRefusal } from './nickname.ts';

export const NICKNAME_REFUSALS: Record<NicknameRefusal, string> = {
  illFormed: 'A nickname must be valid text; this one has a broken character (a lone UTF-16 surrogate).',
  control: 'A nickname cannot contain control characters, such as a line break, NUL or BEL.',
  bidi: 'A nickname cannot contain text-direction controls (such as U+202E), which show text in a different order than it is written.',
  invisible: 'A nickname needs at least one visible character.',
};
