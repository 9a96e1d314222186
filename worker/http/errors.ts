/**
 * JSON error answers. Every non-2xx answer of the API goes through here so the
 * `{"error", "message"}` shape (shared/errors.ts) never drifts.
 */
import type { Context, Env, MiddlewareHandler } from 'hono';
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

/**
 * The methods a path answers, declared once with the path: Hono has no 405 of
 * its own (a path asked with another method falls through to 404), so this
 * goes first on `.all(path, ...)` and answers every other method 405
 * `method_not_allowed` with `Allow: <methods>`. HEAD passes wherever GET
 * does, as Hono answers it with the GET handler and no body.
 * @example
 * app.all('/members', allow('POST'), handler); // GET /members: 405, Allow: POST
 */
export function allow<E extends Env>(...methods: ('GET' | 'HEAD' | 'POST' | 'PUT')[]): MiddlewareHandler<E> {
  const header = methods.join(', ');
  const allowed = new Set<string>(methods.includes('GET') ? [...methods, 'HEAD'] : methods);
  return async (c, next) => {
    if (allowed.has(c.req.method)) return next();
    c.header('Allow', header);
    return jsonError(c, 405, 'method_not_allowed', `${c.req.method} is not allowed here; use ${header}.`);
  };
}
