/**
 * The operator's browser session. A browser cannot send a bearer token from
 * its address bar, so `/ops/login` takes the token once from a form and sets
 * a cookie that is only its expiry, signed by Hono's `setSignedCookie` with a
 * key derived from OPS_TOKEN: it carries no secret, ends after SESSION_MS, and
 * ends at once for everyone when the token is rotated.
 */
import type { Context } from 'hono';
import { deleteCookie, getCookie, getSignedCookie, setSignedCookie } from 'hono/cookie';
import { signPayload } from '../identity/token.ts';

/** The cookie's name; it is sent only to `/ops` paths. */
export const SESSION_COOKIE = 'haru_ops';
/** How long a sign-in lasts: a working day of watching a rollout. */
export const SESSION_MS = 8 * 60 * 60 * 1000;

/** The cookie's attributes, the same to set and to clear it. */
const COOKIE = { path: '/ops', httpOnly: true, secure: true, sameSite: 'Strict' } as const;

/**
 * `<expires>.<signature>` as Hono writes it: the standard base64 of a 32-byte
 * HMAC, whose last letter before `=` has its 2 spare bits clear. Hono's check
 * alone would take the 3 other spellings of the same bytes too.
 */
const SHAPE = /^\d{1,16}\.[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

/** The signing key: OPS_TOKEN's own HMAC of a label, so the cookie's signature is not one of anything else OPS_TOKEN signs. */
const keyOf = (opsToken: string) => signPayload(opsToken, 'ops-session');

/** Sets a session that ends SESSION_MS after `now`. */
export async function startSession(c: Context, opsToken: string, now: number): Promise<void> {
  await setSignedCookie(c, SESSION_COOKIE, String(now + SESSION_MS), await keyOf(opsToken), {
    ...COOKIE,
    maxAge: SESSION_MS / 1000,
  });
}

/** Whether the request carries a session signed with this token that has not ended (nor ends further out than a session can). */
export async function inSession(c: Context, opsToken: string, now: number): Promise<boolean> {
  if (!SHAPE.test(getCookie(c, SESSION_COOKIE) ?? '')) return false;
  const expires = Number(await getSignedCookie(c, await keyOf(opsToken), SESSION_COOKIE));
  return expires > now && expires <= now + SESSION_MS;
}

/** Clears the session cookie. */
export function endSession(c: Context): void {
  deleteCookie(c, SESSION_COOKIE, COOKIE);
}
