/**
 * Guest identity: a nickname in, a member and a signed token out.
 * `POST /members` is the one v1 call that needs no token.
 */
import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { createMemberBody, type CreateMemberResponse, type Member } from '../../shared/index.ts';
import { database } from '../db/client.ts';
import { member } from '../db/schema.ts';
import { readJson } from '../http/body.ts';
import { jsonError, methodNotAllowed } from '../http/errors.ts';
import { RATE_LIMIT_RULES } from '../http/rate-limit-rules.ts';
import { clientAddress, rateLimit } from '../http/rate-limit.ts';
import type { MemberEnv } from '../types.ts';
import { requireMember, tokenSecretMissing } from './middleware.ts';
import { signToken, tokenSecrets } from './token.ts';

/** `/members` routes of the v1 API. */
export const identityRoutes = new Hono<MemberEnv>()
  .post('/members', rateLimit(RATE_LIMIT_RULES.signUpsPerAddress, clientAddress), async (c) => {
    const secrets = tokenSecrets(c.env);
    if (!secrets) return tokenSecretMissing(c);
    const body = await readJson(c, createMemberBody);
    if (!body.ok) return body.res;
    const now = c.var.now();
    const created: Member = { id: crypto.randomUUID(), nickname: body.data.nickname };
    await database(c.env.DB).insert(member).values({ ...created, createdAt: now });
    const res: CreateMemberResponse = { member: created, token: await signToken(secrets.current, created.id, now) };
    return c.json(res, 201);
  })
  .all('/members', methodNotAllowed('POST'))
  .get('/members/me', requireMember, async (c) => {
    const found = await database(c.env.DB)
      .select({ id: member.id, nickname: member.nickname })
      .from(member)
      .where(eq(member.id, c.var.memberId))
      .get();
    return found ? c.json({ member: found }) : jsonError(c, 401, 'unauthorized', 'This guest learner no longer exists.');
  })
  .all('/members/me', methodNotAllowed('GET, HEAD'));
