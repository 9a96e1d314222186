/**
 * Release 1 study progress over plain HTTP and D1: create, look, answer, move
 * on. Solo studies and v1 group studies share it; each learner moves on their
 * own, and the server only records. Time being up never moves anyone.
 */
import { and, eq } from 'drizzle-orm';
import { Hono, type Context } from 'hono';
import {
  advanceBody,
  createStudyBody,
  nextPosition,
  requiredAnswer,
  savePlanBody,
  saveRetrospectBody,
  type StudyPage,
} from '../../shared/index.ts';
import { compatAnswer } from '../compat/middleware.ts';
import { database, type Database } from '../db/client.ts';
import { participantCode, pomodoroContent, pomodoroProgress, pomodoroStudy } from '../db/schema.ts';
import { readJson } from '../http/body.ts';
import { jsonError, methodNotAllowed } from '../http/errors.ts';
import { requireMember } from '../identity/middleware.ts';
import type { MemberEnv } from '../types.ts';
import {
  contentOf,
  memberById,
  progressesOf,
  studyById,
  toParticipant,
  toProgressView,
  toStudyView,
  type ContentRow,
  type ProgressRow,
  type StudyRow,
} from './queries.ts';

/** Everything a study page shows, for a member who is in the study. */
export function studyPage(study: StudyRow, progresses: ProgressRow[], mine: ProgressRow, content: ContentRow | undefined, now: number): StudyPage {
  return {
    study: toStudyView(study),
    me: toProgressView(mine, study, content),
    participants: progresses.map(toParticipant),
    serverNow: now,
  };
}

/** A progress with its study and current answers in one round trip; null when it does not exist. */
async function loadProgress(db: Database, progressId: string) {
  const [row] = await db
    .select({ progress: pomodoroProgress, study: pomodoroStudy, code: participantCode.code, content: pomodoroContent })
    .from(pomodoroProgress)
    .innerJoin(pomodoroStudy, eq(pomodoroStudy.id, pomodoroProgress.studyId))
    .leftJoin(participantCode, eq(participantCode.studyId, pomodoroStudy.id))
    .leftJoin(
      pomodoroContent,
      and(eq(pomodoroContent.progressId, pomodoroProgress.id), eq(pomodoroContent.cycle, pomodoroProgress.currentCycle)),
    )
    .where(eq(pomodoroProgress.id, progressId));
  if (!row) return null;
  return { progress: row.progress, study: { ...row.study, code: row.code }, content: row.content ?? undefined };
}

/** Loads the caller's own progress, or the 404/403 to answer. */
async function ownProgress(c: Context<MemberEnv>, db: Database) {
  const found = await loadProgress(db, c.req.param('progressId') ?? '');
  if (!found) return { res: jsonError(c, 404, 'progress_not_found', 'No such progress.') } as const;
  if (found.progress.memberId !== c.var.memberId) {
    return { res: jsonError(c, 403, 'not_your_progress', 'You can only change your own progress.') } as const;
  }
  return found;
}

/** Saves the plan or retrospect of the current cycle, when the step is the one that asks for it. */
function answerRoute(kind: 'plan' | 'retrospect') {
  const schema = kind === 'plan' ? savePlanBody : saveRetrospectBody;
  return async (c: Context<MemberEnv>) => {
    const body = await readJson(c, schema);
    if (!body.ok) return body.res;
    const db = database(c.env.DB);
    const found = await ownProgress(c, db);
    if ('res' in found) return found.res;
    const { progress, study } = found;
    if (requiredAnswer(progress.status) !== kind || progress.currentCycle !== body.data.cycle) {
      return jsonError(
        c,
        409,
        'wrong_step',
        `A ${kind} can be saved only while in that step of that cycle; this progress is ${progress.status} in cycle ${progress.currentCycle}.`,
        { step: progress.status, cycle: progress.currentCycle },
      );
    }
    const answer = 'plan' in body.data ? { plan: body.data.plan } : { retrospect: body.data.retrospect };
    const [content] = await db
      .insert(pomodoroContent)
      .values({ id: crypto.randomUUID(), progressId: progress.id, cycle: progress.currentCycle, ...answer })
      .onConflictDoUpdate({ target: [pomodoroContent.progressId, pomodoroContent.cycle], set: answer })
      .returning();
    return c.json(toProgressView(progress, study, content));
  };
}

/** `/studies` and `/progress` routes of the v1 API. */
export const studyRoutes = new Hono<MemberEnv>()
  .post('/studies', requireMember, async (c) => {
    const body = await readJson(c, createStudyBody);
    if (!body.ok) return body.res;
    // Group study is live in rooms since Release 2 (/api/v2): a Release 1 page reloads onto it.
    if (body.data.mode === 'group') return compatAnswer(c, 'client_outdated', c.var.compat.range);
    const db = database(c.env.DB);
    const [me] = await memberById(db, c.var.memberId);
    if (!me) return jsonError(c, 401, 'unauthorized', 'This guest learner no longer exists.');
    const now = c.var.now();
    const { name, totalCycles, minutesPerCycle } = body.data;
    const study = { id: crypto.randomUUID(), name, totalCycle: totalCycles, timePerCycle: minutesPerCycle, createdAt: now, updatedAt: now };
    const progress: ProgressRow = {
      id: crypto.randomUUID(),
      studyId: study.id,
      memberId: me.id,
      nickname: body.data.nickname ?? me.nickname,
      currentCycle: 1,
      status: 'planning',
      stepStartedAt: now,
      isHost: true,
    };
    await db.batch([db.insert(pomodoroStudy).values(study), db.insert(pomodoroProgress).values(progress)]);
    return c.json(studyPage({ ...study, code: null }, [progress], progress, undefined, now), 201);
  })
  .all('/studies', methodNotAllowed('POST'))
  .get('/studies/:studyId', requireMember, async (c) => {
    const db = database(c.env.DB);
    const studyId = c.req.param('studyId');
    const [[study], progresses] = await db.batch([studyById(db, studyId), progressesOf(db, studyId)]);
    if (!study) return jsonError(c, 404, 'study_not_found', 'No study with that id.');
    const mine = progresses.find((p) => p.memberId === c.var.memberId);
    if (!mine) return jsonError(c, 403, 'not_a_participant', 'Only participants can open this study.');
    const [content] = await contentOf(db, mine.id, mine.currentCycle);
    return c.json(studyPage(study, progresses, mine, content, c.var.now()));
  })
  .all('/studies/:studyId', methodNotAllowed('GET, HEAD'))
  .put('/progress/:progressId/plan', requireMember, answerRoute('plan'))
  .all('/progress/:progressId/plan', methodNotAllowed('PUT'))
  .put('/progress/:progressId/retrospect', requireMember, answerRoute('retrospect'))
  .all('/progress/:progressId/retrospect', methodNotAllowed('PUT'))
  .post('/progress/:progressId/advance', requireMember, async (c) => {
    const body = await readJson(c, advanceBody);
    if (!body.ok) return body.res;
    const db = database(c.env.DB);
    const found = await ownProgress(c, db);
    if ('res' in found) return found.res;
    const { progress, study, content } = found;
    const { from } = body.data;
    if (progress.status !== from.step || progress.currentCycle !== from.cycle) {
      return jsonError(c, 409, 'stale_step', 'This study has already moved on; reload to see where it is.', {
        step: progress.status,
        cycle: progress.currentCycle,
      });
    }
    const needed = requiredAnswer(progress.status);
    if (needed && !content?.[needed]) {
      return jsonError(c, 409, 'answer_required', `Save your ${needed} before moving on.`, { required: needed });
    }
    const next = nextPosition({ step: progress.status, cycle: progress.currentCycle, stepStartedAt: progress.stepStartedAt }, study.totalCycle, c.var.now());
    if (!next) return jsonError(c, 409, 'stale_step', 'This study is already done.', { step: 'done', cycle: progress.currentCycle });
    // Moves only if nobody moved it since we read it: a second device gets 409, never a skipped step.
    const [moved] = await db
      .update(pomodoroProgress)
      .set({ status: next.step, currentCycle: next.cycle, stepStartedAt: next.stepStartedAt })
      .where(
        and(
          eq(pomodoroProgress.id, progress.id),
          eq(pomodoroProgress.status, from.step),
          eq(pomodoroProgress.currentCycle, from.cycle),
        ),
      )
      .returning();
    if (!moved) return jsonError(c, 409, 'stale_step', 'This study has already moved on; reload to see where it is.');
    return c.json(toProgressView(moved, study, moved.currentCycle === progress.currentCycle ? content : undefined));
  })
  .all('/progress/:progressId/advance', methodNotAllowed('POST'));
