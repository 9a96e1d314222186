/**
 * Joining a v1 group study with its 6-letter code. In Release 1 everyone then
 * progresses on their own through the study routes; live rooms come in
 * Release 2.
 */
import { eq } from 'drizzle-orm';
import { Hono } from 'hono';
import { joinStudyBody } from '../../shared/index.ts';
import { database } from '../db/client.ts';
import { participantCode, pomodoroProgress } from '../db/schema.ts';
import { readJson } from '../http/body.ts';
import { jsonError, methodNotAllowed } from '../http/errors.ts';
import { requireMember } from '../identity/middleware.ts';
import { contentOf, joinOrder, memberById, selectStudies, type ProgressRow } from '../study/queries.ts';
import { studyPage } from '../study/routes.ts';
import type { MemberEnv } from '../types.ts';

/** `POST /studies/join`. */
export const groupRoutes = new Hono<MemberEnv>()
  .post('/studies/join', requireMember, async (c) => {
    const body = await readJson(c, joinStudyBody);
    if (!body.ok) return body.res;
    const db = database(c.env.DB);
    const { code, nickname } = body.data;
    const [[me], [study], joined] = await db.batch([
      memberById(db, c.var.memberId),
      selectStudies(db).where(eq(participantCode.code, code)),
      db
        .select({ progress: pomodoroProgress })
        .from(pomodoroProgress)
        .innerJoin(participantCode, eq(participantCode.studyId, pomodoroProgress.studyId))
        .where(eq(participantCode.code, code))
        .orderBy(...joinOrder),
    ]);
    if (!me) return jsonError(c, 401, 'unauthorized', 'This guest learner no longer exists.');
    if (!study) return jsonError(c, 404, 'study_not_found', `No group study has the code ${code}. Check the code with your host.`);
    const progresses = joined.map((row) => row.progress);
    const now = c.var.now();
    const mine = progresses.find((p) => p.memberId === me.id);
    if (mine) {
      const [content] = await contentOf(db, mine.id, mine.currentCycle);
      return c.json(studyPage(study, progresses, mine, content, now), 200);
    }
    if (progresses.every((p) => p.status === 'done')) {
      return jsonError(c, 409, 'study_done', 'This study has finished; ask your host for a new code.');
    }
    const progress: ProgressRow = {
      id: crypto.randomUUID(),
      studyId: study.id,
      memberId: me.id,
      nickname,
      currentCycle: 1,
      status: 'planning',
      stepStartedAt: now,
      isHost: false,
    };
    const [inserted] = await db.insert(pomodoroProgress).values(progress).onConflictDoNothing().returning();
    // Lost a race with this learner's own second join: theirs is already in; show the study.
    if (!inserted) return jsonError(c, 409, 'stale_step', 'You have just joined this study from another tab; reload it.');
    return c.json(studyPage(study, [...progresses, inserted], inserted, undefined, now), 201);
  })
  .all('/studies/join', methodNotAllowed('POST'));
