/**
 * Every action checks who is asking: this middleware turns the bearer token
 * into a member id, or answers 401 before the handler runs. A token due for
 * renewal comes back fresh on the answer (TOKEN_RENEWAL_HEADER), which the
 * client keeps in place of the old one.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { TOKEN_RENEWAL_HEADER } from '../../shared/index.ts';
import { jsonError } from '../http/errors.ts';
import type { MemberEnv } from '../types.ts';
import { readToken, signToken, tokenSecrets } from './token.ts';

/** 503 `token_secret_missing`: without TOKEN_SECRET nobody can sign up or be recognised, and that is the server's fault, not the caller's. */
export function tokenSecretMissing(c: Context): Response {
  return jsonError(
    c,
    503,
    'token_secret_missing',
    'Signing in is unavailable: this worker has no TOKEN_SECRET set. Nothing was changed.',
  );
}

/** Requires `Authorization: Bearer <token>` signed with TOKEN_SECRET (or, during a rotation, TOKEN_SECRET_PREVIOUS) and not expired. */
export const requireMember: MiddlewareHandler<MemberEnv> = async (c, next) => {
  const secrets = tokenSecrets(c.env);
  if (!secrets) return tokenSecretMissing(c);
  const header = c.req.header('Authorization') ?? '';
  const token = /^Bearer ([A-Za-z0-9._-]{1,200})$/.exec(header)?.[1];
  const now = c.var.now();
  const verified = token ? await readToken(secrets, token, now) : null;
  if (!verified) {
    c.header('WWW-Authenticate', 'Bearer');
    return jsonError(c, 401, 'unauthorized', 'Sign in with a nickname first: this call needs a valid guest token.');
  }
  c.set('memberId', verified.memberId);
  await next();
  if (verified.renew && c.res.ok)
    c.header(TOKEN_RENEWAL_HEADER, await signToken(secrets.current, verified.memberId, now));
};
