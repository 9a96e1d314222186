/**
 * Records: a study's plans and retrospects per cycle and participant, and a
 * learner's own history over time, paginated by a keyset cursor.
 */
import { Hono } from 'hono';
import { type MyRecordsPage, recordsQuery, type StudyRecords } from '../../shared/index.ts';
import { database } from '../db/client.ts';
import { readStudy, recordsOf } from '../db/queries.ts';
import { validQuery } from '../http/body.ts';
import { allow, jsonError } from '../http/errors.ts';
import { requireMember } from '../identity/middleware.ts';
import { positionOf, toParticipant, toStudyView } from '../study/queries.ts';
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
  .all('/studies/:studyId/records', allow('GET', 'HEAD'), requireMember, async (c) => {
    const detail = await readStudy(database(c.env.DB), c.req.param('studyId'));
    if (!detail) return jsonError(c, 404, 'study_not_found', 'No study with that id.');
    if (!detail.participants.some((p) => p.memberId === c.var.memberId)) {
      return jsonError(c, 403, 'not_a_participant', 'Only participants can read these records.');
    }
    const body: StudyRecords = {
      study: toStudyView({ ...detail.study, code: detail.code }),
      participants: detail.participants.map((p) => ({
        ...toParticipant(p, detail.study),
        cycles: detail.answers
          .filter((answers) => answers.participantId === p.id)
          .map((answers) => ({ cycle: answers.cycle, plan: answers.plan, retrospect: answers.retrospect })),
      })),
    };
    return c.json(body);
  })
  .all('/me/records', allow('GET', 'HEAD'), requireMember, validQuery(recordsQuery), async (c) => {
    const { from, to, cursor, limit = DEFAULT_PAGE } = c.req.valid('query');
    const after = cursor ? decodeCursor(cursor) : null;
    if (cursor && !after) return jsonError(c, 400, 'invalid_query', 'cursor: not a cursor this API gave out.');
    const rows = await recordsOf(database(c.env.DB), c.var.memberId, {
      from,
      to,
      after: after ?? undefined,
      limit: limit + 1,
    });
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const body: MyRecordsPage = {
      items: page.map((row) => ({
        study: toStudyView({ ...row.study, code: row.code }),
        progressId: row.participantId,
        nickname: row.nickname,
        ...positionOf(row.study),
      })),
      nextCursor: rows.length > limit && last ? encodeCursor(last.study.createdAt, last.study.id) : null,
    };
    return c.json(body);
  });
