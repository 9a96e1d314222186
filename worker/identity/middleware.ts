/**
 * Every action checks who is asking: this middleware turns the bearer token
 * into a member id, or answers 401 before the handler runs.
 */
import type { MiddlewareHandler } from 'hono';
import { jsonError } from '../http/errors.ts';
import type { MemberEnv } from '../types.ts';
import { verifyToken } from './token.ts';

/** Requires `Authorization: Bearer <token>` signed with TOKEN_SECRET. */
export const requireMember: MiddlewareHandler<MemberEnv> = async (c, next) => {
  const header = c.req.header('Authorization') ?? '';
  const token = /^Bearer ([A-Za-z0-9._-]{1,200})$/.exec(header)?.[1];
  const memberId = token ? await verifyToken(c.env.TOKEN_SECRET, token) : null;
  if (!memberId) {
    c.header('WWW-Authenticate', 'Bearer');
    return jsonError(c, 401, 'unauthorized', 'Sign in with a nickname first: this call needs a valid guest token.');
  }
  c.set('memberId', memberId);
  await next();
};
