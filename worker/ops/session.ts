/**
 * The operator's browser session. A browser cannot send a bearer token from
 * its address bar, so `/ops/login` takes the token once from a form and sets
 * a cookie that is only a signed expiry (`<expires>.<HMAC keyed by
 * OPS_TOKEN>`): it carries no secret, ends after SESSION_MS, and ends at once
 * for everyone when the token is rotated.
 */
import { signPayload, verifyPayload } from '../identity/token.ts';

/** The cookie's name; it is sent only to `/ops` paths. */
export const SESSION_COOKIE = 'haru_ops';
/** How long a sign-in lasts: a working day of watching a rollout. */
export const SESSION_MS = 8 * 60 * 60 * 1000;

const payloadOf = (expires: number) => `ops-session.${expires}`;

/** A session value that ends SESSION_MS after `now`. */
export async function newSession(opsToken: string, now: number): Promise<string> {
  const expires = now + SESSION_MS;
  return `${expires}.${await signPayload(opsToken, payloadOf(expires))}`;
}

/** Whether `value` was signed with this token and has not ended (nor ends further out than a session can). */
export async function validSession(opsToken: string, value: string, now: number): Promise<boolean> {
  const match = /^(\d{1,16})\.([A-Za-z0-9_-]{1,100})$/.exec(value);
  if (!match) return false;
  const expires = Number(match[1]);
  if (expires <= now || expires > now + SESSION_MS) return false;
  return verifyPayload(opsToken, payloadOf(expires), match[2] as string);
}
