/**
 * The level-1 way into a group study (`POST /api/v1/studies/join`). Group
 * study is live in rooms at level 2 (`/api/v2`), so a level-1 page asking for
 * it gets the compat answer and reloads onto the current version.
 */
import { Hono } from 'hono';
import { compatAnswer } from '../compat/middleware.ts';
import { allow } from '../http/errors.ts';
import { requireMember } from '../identity/middleware.ts';
import type { MemberEnv } from '../types.ts';

/** `POST /studies/join` (v1): who is asking is still checked first, like every learner call. */
export const groupRoutes = new Hono<MemberEnv>().all('/studies/join', allow('POST'), requireMember, (c) =>
  compatAnswer(c, 'client_outdated', c.var.compat.range),
);
