/**
 * Form validation with the shared wire schemas, so a limit is written once
 * (shared/api.ts) and the learner hears about it before the request goes out.
 * Errors are kept as kinds, not sentences, so they follow a language switch.
 */
import type * as z from 'zod/mini';
import { isNicknameRefusal, type NicknameRefusal } from '../../shared/nickname.ts';
import type { ErrorBody } from '../../shared/schemas.ts';

/** What is wrong with one field. */
export type FieldError =
  | { kind: 'required' }
  | { kind: 'tooLong'; max: number }
  | { kind: 'format' }
  | { kind: 'nickname'; refusal: NicknameRefusal }
  | { kind: 'invalid' };

/** Field errors by field name (the schema's property name). */
export type FieldErrors = Partial<Record<string, FieldError>>;

/** The outcome of checking a form against its schema. */
type Checked<T> = { ok: true; data: T } | { ok: false; errors: FieldErrors };

/** Parses `input` with `schema`; on failure, one error per field (the first found). */
export function check<T>(schema: z.ZodMiniType<T>, input: unknown): Checked<T> {
  const parsed = schema.safeParse(input);
  if (parsed.success) return { ok: true, data: parsed.data };
  const errors: FieldErrors = {};
  for (const issue of parsed.error.issues) {
    const field = String(issue.path.at(-1) ?? '');
    // A nickname refusal names its rule in params, so the page says it in its own language.
    const refusal: unknown = issue.code === 'custom' ? issue.params?.refusal : undefined;
    errors[field] ??=
      // Blank answers are left out before checking, so a missing field is a required one.
      issue.code === 'too_small' || issue.code === 'invalid_type'
        ? { kind: 'required' }
        : issue.code === 'too_big'
          ? { kind: 'tooLong', max: Number(issue.maximum) }
          : issue.code === 'invalid_format'
            ? { kind: 'format' }
            : isNicknameRefusal(refusal)
              ? { kind: 'nickname', refusal }
              : { kind: 'invalid' };
  }
  return { ok: false, errors };
}

/**
 * Field errors from a server's `invalid_body` answer (`issues: [{ path, message }]`).
 * The client checks with the same schemas first, so these only show when the
 * two disagree (say, mid-rollout); the field is marked and the text stays ours.
 */
export function serverFieldErrors(error: ErrorBody): FieldErrors {
  const errors: FieldErrors = {};
  const issues = Array.isArray(error.issues) ? (error.issues as unknown[]) : [];
  for (const issue of issues) {
    const path = (issue as { path?: unknown } | null)?.path;
    const last = Array.isArray(path) ? path.at(-1) : typeof path === 'string' ? path.split('.').at(-1) : undefined;
    if (last !== undefined) errors[String(last)] = { kind: 'invalid' };
  }
  return errors;
}
