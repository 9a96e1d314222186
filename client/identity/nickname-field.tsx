/**
 * The one nickname input, wherever a nickname is asked for. It counts with
 * the server's own rule (shared/nickname.ts: characters as the learner sees
 * them), and has no `maxLength`, which counts UTF-16 units and would cut a
 * valid name short: ten family emoji are 110 units. The counter and the
 * shared schema say when a name is too long.
 */
import type { Signal } from '@preact/signals';
import { LIMITS } from '../../shared/domain.ts';
import { nicknameLength } from '../../shared/nickname.ts';
import { type CharCounter, TextField } from '../forms/field.tsx';
import type { FieldError } from '../forms/validate.ts';

const NICKNAME_COUNTER: CharCounter = { count: nicknameLength, max: LIMITS.nickname.max };

/** A required nickname field bound to the draft `value`. */
export function NicknameField(props: {
  id: string;
  label: string;
  hint?: string;
  value: Signal<string>;
  error: FieldError | undefined;
}) {
  return <TextField {...props} counter={NICKNAME_COUNTER} autoComplete="nickname" required />;
}
