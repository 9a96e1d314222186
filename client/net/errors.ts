/**
 * Reads a non-2xx answer. Loaded lazily: error paths are rare, so the page
 * does not pay for this up front (and an old page can still load this chunk
 * mid-rollout, because KV keeps every build).
 *
 * It checks the shapes of shared/schemas.ts (`errorBodySchema`,
 * `compatErrorSchema`) by hand instead of with zod, on purpose: this is the
 * path that tells a page a deployment replaced its API, so it must not depend
 * on the zod chunk, which the page fetches only once a form is touched and
 * which a deployment can cut off mid-fetch (a browser then refuses that module
 * for the rest of the page's life). test/browser/errors.test.ts holds the
 * two readings together.
 */
import { COMPAT } from '../../shared/compat.ts';
import type { CompatError, ErrorBody } from '../../shared/schemas.ts';

type Fields = Record<string, unknown>;
const isObject = (value: unknown): value is Fields =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** `errorBodySchema`: a string `error` and `message`, other keys kept. */
function errorBody(body: unknown): ErrorBody | null {
  return isObject(body) && typeof body.error === 'string' && typeof body.message === 'string'
    ? (body as ErrorBody)
    : null;
}

/** `compatErrorSchema`: which way the page is off, and the levels the server speaks (unknown keys dropped). */
function compatError(body: unknown): CompatError | null {
  if (!isObject(body) || !isObject(body.apiRange)) return null;
  const { error, message, serverVersion } = body;
  const { min, max } = body.apiRange;
  if (error !== 'client_outdated' && error !== 'client_too_new') return null;
  if (typeof message !== 'string' || typeof serverVersion !== 'string') return null;
  if (!Number.isSafeInteger(min) || !Number.isSafeInteger(max)) return null;
  return { error, message, serverVersion, apiRange: { min: min as number, max: max as number } };
}

/** The error body, the compat mismatch when the answer is one, and the wait in seconds a 429 or 503 asks for. */
export function readError(
  res: Response,
  body: unknown,
): { error: ErrorBody; mismatch: CompatError | null; retryAfter: number | null } {
  const reload = res.status === 409 && res.headers.get(COMPAT.compatHeader) === 'reload';
  return {
    mismatch: reload ? compatError(body) : null,
    error: errorBody(body) ?? { error: 'unexpected', message: `Unexpected answer (${res.status}).` },
    retryAfter: res.status === 429 || res.status === 503 ? waitSeconds(res.headers.get('Retry-After')) : null,
  };
}

/** `Retry-After` in whole seconds (the API sends seconds); null when missing or a date. */
function waitSeconds(header: string | null): number | null {
  return header !== null && /^\d{1,6}$/.test(header.trim()) ? Number(header.trim()) : null;
}
