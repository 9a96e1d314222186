/**
 * The v1 API's study progress (solo), over the study tables: create, look,
 * answer, move on. Time being up never moves anyone. Group study lives in
 * rooms (API level 2): a level-1 page asking to create one gets the compat
 * answer, and a group study made at level 1 can still be looked at but no
 * longer changed. A learner may end their solo study where it stands.
 */
import { type Context, Hono } from 'hono';
import {
  advanceBody,
  createStudyBody,
  endStudyBody,
  requiredAnswer,
  type SavePlanBody,
  type SaveRetrospectBody,
  type StudyPage,
  savePlanBody,
  saveRetrospectBody,
} from '../../shared/index.ts';
import { compatAnswer } from '../compat/middleware.ts';
import { type Database, database } from '../db/client.ts';
import {
  advanceStudy,
  type ContentRow,
  createStudy,
  endStudy,
  type ParticipantRow,
  readStudy,
  saveAnswer,
} from '../db/queries.ts';
import { jsonBody } from '../http/body.ts';
import { allow, jsonError } from '../http/errors.ts';
import { memberById } from '../identity/members.ts';
import { requireMember } from '../identity/middleware.ts';
import type { MemberEnv } from '../types.ts';
import { loadParticipant, type StudyWithCode, toParticipant, toProgressView, toStudyView } from './queries.ts';

/** Everything a study page shows, for a member who is in the study. */
function studyPage(
  s: StudyWithCode,
  participants: ParticipantRow[],
  mine: ParticipantRow,
  answers: ContentRow | undefined,
  now: number,
): StudyPage {
  return {
    study: toStudyView(s),
    me: toProgressView(mine, s, answers),
    participants: participants.map((p) => toParticipant(p, s)),
    serverNow: now,
  };
}

/** Why a group study's progress cannot be changed over v1: level-1 group studies were paused in the upgrade. */
const GROUP_CLOSED = [
  'group_study_closed',
  'Group studies from before live study were paused in the upgrade; their records are kept.',
] as const;

/** Loads the caller's own solo progress, or the 404/403/409 to answer (`group` says why a group study is refused). */
async function ownProgress(c: Context<MemberEnv>, db: Database, group: readonly [string, string] = GROUP_CLOSED) {
  const found = await loadParticipant(db, c.req.param('progressId') ?? '');
  if (!found) return { res: jsonError(c, 404, 'progress_not_found', 'No such progress.') } as const;
  if (found.participant.memberId !== c.var.memberId) {
    return { res: jsonError(c, 403, 'not_your_progress', 'You can only change your own progress.') } as const;
  }
  if (found.study.code) return { res: jsonError(c, 409, ...group) } as const;
  return found;
}

/** Saves the plan or retrospect of the current cycle (its body already read by `jsonBody`), when the step is the one that asks for it. */
function answerRoute(kind: 'plan' | 'retrospect') {
  return async (c: Context<MemberEnv, string, { out: { json: SavePlanBody | SaveRetrospectBody } }>) => {
    const body = c.req.valid('json');
    const db = database(c.env.DB);
    const found = await ownProgress(c, db);
    if ('res' in found) return found.res;
    const { participant: mine, study: s } = found;
    if (s.step === 'waiting' || requiredAnswer(s.step) !== kind || s.currentCycle !== body.cycle) {
      return jsonError(
        c,
        409,
        'wrong_step',
        `A ${kind} can be saved only while in that step of that cycle; this progress is ${s.step} in cycle ${s.currentCycle}.`,
        { step: s.step, cycle: s.currentCycle },
      );
    }
    const answers = await saveAnswer(
      db,
      mine.id,
      s.currentCycle,
      'plan' in body ? { plan: body.plan } : { retrospect: body.retrospect },
    );
    return c.json(toProgressView(mine, s, answers));
  };
}

/** `/studies` and `/progress` routes of the v1 API. */
export const studyRoutes = new Hono<MemberEnv>()
  .all('/studies', allow('POST'), requireMember, jsonBody(createStudyBody), async (c) => {
    const body = c.req.valid('json');
    // Group study is live in rooms (/api/v2): a level-1 page reloads onto it.
    if (body.mode === 'group') return compatAnswer(c, 'client_outdated', c.var.compat.range);
    const db = database(c.env.DB);
    const me = await memberById(db, c.var.memberId);
    if (!me) return jsonError(c, 401, 'unauthorized', 'This guest learner no longer exists.');
    const now = c.var.now();
    const { name, totalCycles, minutesPerCycle } = body;
    const created = await createStudy(
      db,
      {
        name,
        totalCycles,
        minutesPerCycle,
        hostMemberId: me.id,
        hostNickname: body.nickname ?? me.nickname,
        code: null,
      },
      now,
    );
    return c.json(studyPage({ ...created.study, code: null }, [created.host], created.host, undefined, now), 201);
  })
  .all('/studies/:studyId', allow('GET', 'HEAD'), requireMember, async (c) => {
    const detail = await readStudy(database(c.env.DB), c.req.param('studyId'));
    if (!detail) return jsonError(c, 404, 'study_not_found', 'No study with that id.');
    const mine = detail.participants.find((p) => p.memberId === c.var.memberId);
    if (!mine) return jsonError(c, 403, 'not_a_participant', 'Only participants can open this study.');
    const answers = detail.answers.find((a) => a.participantId === mine.id && a.cycle === detail.study.currentCycle);
    return c.json(studyPage({ ...detail.study, code: detail.code }, detail.participants, mine, answers, c.var.now()));
  })
  .all('/progress/:progressId/plan', allow('PUT'), requireMember, jsonBody(savePlanBody), answerRoute('plan'))
  .all(
    '/progress/:progressId/retrospect',
    allow('PUT'),
    requireMember,
    jsonBody(saveRetrospectBody),
    answerRoute('retrospect'),
  )
  .all('/progress/:progressId/advance', allow('POST'), requireMember, jsonBody(advanceBody), async (c) => {
    const db = database(c.env.DB);
    const found = await ownProgress(c, db);
    if ('res' in found) return found.res;
    const { participant: mine, study: s, content: answers } = found;
    const { from } = c.req.valid('json');
    if (s.step !== from.step || s.currentCycle !== from.cycle || s.step === 'done') {
      return jsonError(c, 409, 'stale_step', 'This study has already moved on; reload to see where it is.', {
        step: s.step,
        cycle: s.currentCycle,
      });
    }
    const needed = requiredAnswer(s.step);
    if (needed && !answers?.[needed]) {
      return jsonError(c, 409, 'answer_required', `Save your ${needed} before moving on.`, { required: needed });
    }
    // Moves only if nobody moved it since we read it: a second device gets 409, never a skipped step.
    const moved = await advanceStudy(db, s, c.var.now());
    if (!moved) return jsonError(c, 409, 'stale_step', 'This study has already moved on; reload to see where it is.');
    return c.json(toProgressView(mine, moved, moved.currentCycle === s.currentCycle ? answers : undefined));
  })
  .all('/progress/:progressId/end', allow('POST'), requireMember, jsonBody(endStudyBody), async (c) => {
    const db = database(c.env.DB);
    const found = await ownProgress(c, db, [
      'group_study',
      'Only a solo study can be ended by its learner; a group study ends when its host finishes it.',
    ]);
    if ('res' in found) return found.res;
    const { participant: mine, study: s, content: answers } = found;
    // Ending an ended (or finished) study answers as it stands: a second tab or a retry changes nothing.
    const ended =
      s.step === 'done'
        ? s
        : ((await endStudy(db, s, c.var.now())) ?? (await loadParticipant(db, mine.id))?.study ?? s);
    return c.json(toProgressView(mine, ended, answers));
  });
