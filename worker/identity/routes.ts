/**
 * Guest identity: a nickname in, a member and a signed token out.
 * `POST /members` is the one v1 call that needs no token.
 */
import { Hono, type MiddlewareHandler } from 'hono';
import { type CreateMemberResponse, createMemberBody, type Member } from '../../shared/index.ts';
import { database } from '../db/client.ts';
import { member } from '../db/schema.ts';
import { jsonBody } from '../http/body.ts';
import { allow, jsonError } from '../http/errors.ts';
import { clientAddress, rateLimit } from '../http/rate-limit.ts';
import { RATE_LIMIT_RULES } from '../http/rate-limit-rules.ts';
import type { MemberEnv } from '../types.ts';
import { memberById } from './members.ts';
import { requireMember, tokenSecretMissing } from './middleware.ts';
import { signToken, tokenSecrets } from './token.ts';

/** Sign-up without TOKEN_SECRET is 503 whatever the body, like every call that needs a token. */
const signUpOpen: MiddlewareHandler<MemberEnv> = async (c, next) =>
  tokenSecrets(c.env) ? next() : tokenSecretMissing(c);

/** `/members` routes of the v1 API. */
export const identityRoutes = new Hono<MemberEnv>()
  .all(
    '/members',
    allow('POST'),
    rateLimit(RATE_LIMIT_RULES.signUpsPerAddress, clientAddress),
    signUpOpen,
    jsonBody(createMemberBody),
    async (c) => {
      const secrets = tokenSecrets(c.env);
      if (!secrets) return tokenSecretMissing(c);
      const now = c.var.now();
      const created: Member = { id: crypto.randomUUID(), nickname: c.req.valid('json').nickname };
      await database(c.env.DB)
        .insert(member)
        .values({ ...created, createdAt: now });
      const res: CreateMemberResponse = { member: created, token: await signToken(secrets.current, created.id, now) };
      return c.json(res, 201);
    },
  )
  .all('/members/me', allow('GET', 'HEAD'), requireMember, async (c) => {
    const found = await memberById(database(c.env.DB), c.var.memberId);
    return found
      ? c.json({ member: found })
      : jsonError(c, 401, 'unauthorized', 'This guest learner no longer exists.');
  });
