/**
 * JSON error answers. Every non-2xx answer of the API goes through here so the
 * `{"error", "message"}` shape (shared/errors.ts) never drifts.
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ErrorBody } from '../../shared/index.ts';

/** Answers `status` with `{"error": code, "message": message, ...extra}`. */
export function jsonError(
  c: Context,
  status: ContentfulStatusCode,
  code: string,
  message: string,
  extra: Record<string, unknown> = {},
): Response {
  const body: ErrorBody = { error: code, message, ...extra };
  return c.json(body, status);
}

/** 405 for a known path asked with a method it does not have. */
export function methodNotAllowed(allow: string) {
  return (c: Context): Response => {
    c.header('Allow', allow);
    return jsonError(c, 405, 'method_not_allowed', `${c.req.method} is not allowed here; use ${allow}.`);
  };
}
