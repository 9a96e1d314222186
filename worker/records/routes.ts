/**
 * Records: a study's plans and retrospects per cycle and participant, and a
 * learner's own history over time, paginated by a keyset cursor.
 */
import { and, desc, eq, gte, lt, or } from 'drizzle-orm';
import { Hono } from 'hono';
import { recordsQuery, type MyRecordsPage, type StudyRecords } from '../../shared/index.ts';
import { database } from '../db/client.ts';
import { participantCode, pomodoroContent, pomodoroProgress, pomodoroStudy } from '../db/schema.ts';
import { readQuery } from '../http/body.ts';
import { jsonError, methodNotAllowed } from '../http/errors.ts';
import { requireMember } from '../identity/middleware.ts';
import { progressesOf, studyById, studyColumns, toParticipant, toStudyView } from '../study/queries.ts';
import type { MemberEnv } from '../types.ts';

const DEFAULT_PAGE = 20;

/** The keyset cursor: the last item's (createdAt, studyId), opaque to clients. */
function encodeCursor(createdAt: number, studyId: string): string {
  return btoa(`${createdAt}:${studyId}`);
}

function decodeCursor(cursor: string): { createdAt: number; studyId: string } | null {
  let text: string;
  try {
    text = atob(cursor);
  } catch {
    return null;
  }
  const match = /^(\d{1,16}):([0-9a-f-]{36})$/.exec(text);
  return match ? { createdAt: Number(match[1]), studyId: match[2] as string } : null;
}

/** `/studies/:id/records` and `/me/records`. */
export const recordRoutes = new Hono<MemberEnv>()
  .get('/studies/:studyId/records', requireMember, async (c) => {
    const db = database(c.env.DB);
    const studyId = c.req.param('studyId');
    const [[study], progresses, contents] = await db.batch([
      studyById(db, studyId),
      progressesOf(db, studyId),
      db
        .select({ content: pomodoroContent })
        .from(pomodoroContent)
        .innerJoin(pomodoroProgress, eq(pomodoroProgress.id, pomodoroContent.progressId))
        .where(eq(pomodoroProgress.studyId, studyId))
        .orderBy(pomodoroContent.cycle),
    ]);
    if (!study) return jsonError(c, 404, 'study_not_found', 'No study with that id.');
    if (!progresses.some((p) => p.memberId === c.var.memberId)) {
      return jsonError(c, 403, 'not_a_participant', 'Only participants can read these records.');
    }
    const body: StudyRecords = {
      study: toStudyView(study),
      participants: progresses.map((p) => ({
        ...toParticipant(p),
        cycles: contents
          .filter((row) => row.content.progressId === p.id)
          .map(({ content }) => ({ cycle: content.cycle, plan: content.plan, retrospect: content.retrospect })),
      })),
    };
    return c.json(body);
  })
  .all('/studies/:studyId/records', methodNotAllowed('GET, HEAD'))
  .get('/me/records', requireMember, async (c) => {
    const query = readQuery(c, recordsQuery);
    if (!query.ok) return query.res;
    const { from, to, cursor, limit = DEFAULT_PAGE } = query.data;
    const after = cursor ? decodeCursor(cursor) : null;
    if (cursor && !after) return jsonError(c, 400, 'invalid_query', 'cursor: not a cursor this API gave out.');
    const db = database(c.env.DB);
    const rows = await db
      .select({
        ...studyColumns,
        progressId: pomodoroProgress.id,
        nickname: pomodoroProgress.nickname,
        step: pomodoroProgress.status,
        cycle: pomodoroProgress.currentCycle,
      })
      .from(pomodoroProgress)
      .innerJoin(pomodoroStudy, eq(pomodoroStudy.id, pomodoroProgress.studyId))
      .leftJoin(participantCode, eq(participantCode.studyId, pomodoroStudy.id))
      .where(
        and(
          eq(pomodoroProgress.memberId, c.var.memberId),
          from === undefined ? undefined : gte(pomodoroStudy.createdAt, from),
          to === undefined ? undefined : lt(pomodoroStudy.createdAt, to),
          after
            ? or(
                lt(pomodoroStudy.createdAt, after.createdAt),
                and(eq(pomodoroStudy.createdAt, after.createdAt), lt(pomodoroStudy.id, after.studyId)),
              )
            : undefined,
        ),
      )
      .orderBy(desc(pomodoroStudy.createdAt), desc(pomodoroStudy.id))
      .limit(limit + 1);
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const body: MyRecordsPage = {
      items: page.map((row) => ({
        study: toStudyView(row),
        progressId: row.progressId,
        nickname: row.nickname,
        step: row.step,
        cycle: row.cycle,
      })),
      nextCursor: rows.length > limit && last ? encodeCursor(last.createdAt, last.id) : null,
    };
    return c.json(body);
  })
  .all('/me/records', methodNotAllowed('GET, HEAD'));
