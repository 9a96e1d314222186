/**
 * The one way the client calls the API: every request carries the build id
 * and API level (DESIGN §4), and a version mismatch is routed to the compat
 * model instead of surfacing as an error in whatever page made the call.
 */
import { COMPAT, TOKEN_RENEWAL_HEADER } from '../../shared/compat.ts';
import type { ErrorBody } from '../../shared/schemas.ts';
import { buildInfo } from '../build-info.ts';
import type { CompatModel } from '../compat/model.ts';

/**
 * A call's outcome: the parsed body, or the server's error, or a network
 * failure. A 429 or 503 says in `retryAfter` how many seconds to wait (`Retry-After`).
 */
export type ApiResult<T> =
  | { ok: true; data: T }
  | { ok: false; status: number; error: ErrorBody; retryAfter?: number }
  | { ok: false; status: 0; error: { error: 'network'; message: string } };

/** Stable per-learner key so a gradual deployment keeps one learner on one version. */
export function versionKey(): string {
  let key = localStorage.getItem('haru.versionKey');
  if (!key) {
    key = crypto.randomUUID();
    localStorage.setItem('haru.versionKey', key);
  }
  return key;
}

/** Who the client calls as: the guest token, where a renewed one goes, and what to do when the server no longer accepts it. */
export interface HttpAuth {
  token: () => string | null;
  /** A fresh token the server handed back (TOKEN_RENEWAL_HEADER) in place of the one sent. */
  renewed: (token: string) => void;
  /** A 401: the token is gone or no longer valid, so the learner must pick a nickname again. */
  onUnauthorized: () => void;
}

/** Creates the API client bound to one compat model and, once there is one, the learner's token. */
export function createHttp(compat: CompatModel, auth?: HttpAuth) {
  return async function api<T>(path: string, init: RequestInit = {}): Promise<ApiResult<T>> {
    const headers = new Headers(init.headers);
    headers.set(COMPAT.buildHeader, buildInfo.id);
    headers.set(COMPAT.apiHeader, String(buildInfo.apiLevel));
    headers.set(COMPAT.versionKeyHeader, versionKey());
    const token = auth?.token();
    if (token) headers.set('Authorization', `Bearer ${token}`);
    if (init.body !== undefined) headers.set('Content-Type', 'application/json');
    let res: Response;
    try {
      res = await fetch(path, { ...init, headers });
    } catch {
      return { ok: false, status: 0, error: { error: 'network', message: 'You seem to be offline.' } };
    }
    const renewed = res.headers.get(TOKEN_RENEWAL_HEADER);
    if (renewed) auth?.renewed(renewed);
    const body: unknown = await res.json().catch(() => null);
    if (res.ok) {
      compat.reportOk();
      return { ok: true, data: body as T };
    }
    const { readError } = await import('./errors.ts');
    const { error, mismatch, retryAfter } = readError(res, body);
    if (mismatch) compat.report(mismatch);
    if (res.status === 401) auth?.onUnauthorized();
    return { ok: false, status: res.status, error, ...(retryAfter === null ? {} : { retryAfter }) };
  };
}

/** The API client's type. */
export type Http = ReturnType<typeof createHttp>;
