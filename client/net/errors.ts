/**
 * Reads a non-2xx answer with the shared schemas. Loaded lazily: error paths
 * are rare, so the page does not pay for the validator up front (and an old
 * page can still load this chunk mid-rollout, because KV keeps every build).
 */
import { COMPAT } from '../../shared/compat.ts';
import { type CompatError, compatErrorSchema, type ErrorBody, errorBodySchema } from '../../shared/schemas.ts';

/** The error body, the compat mismatch when the answer is one, and the wait in seconds a 429 or 503 asks for. */
export function readError(
  res: Response,
  body: unknown,
): { error: ErrorBody; mismatch: CompatError | null; retryAfter: number | null } {
  const compat =
    res.status === 409 && res.headers.get(COMPAT.compatHeader) === 'reload' ? compatErrorSchema.safeParse(body) : null;
  const parsed = errorBodySchema.safeParse(body);
  return {
    mismatch: compat?.success ? compat.data : null,
    error: parsed.success ? parsed.data : { error: 'unexpected', message: `Unexpected answer (${res.status}).` },
    retryAfter: res.status === 429 || res.status === 503 ? waitSeconds(res.headers.get('Retry-After')) : null,
  };
}

/** `Retry-After` in whole seconds (the API sends seconds); null when missing or a date. */
function waitSeconds(header: string | null): number | null {
  return header !== null && /^\d{1,6}$/.test(header.trim()) ? Number(header.trim()) : null;
}
