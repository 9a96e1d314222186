/**
 * Live group study over HTTP (API level 2): open a room, join it by code while
 * it waits, look at it. The room object decides who may join (it knows
 * whether the study has started); D1 hears about it through the room.
 */
import { and, eq } from 'drizzle-orm';
import { type Context, Hono } from 'hono';
import { every } from 'hono/combine';
import {
  codeFromBytes,
  createRoomBody,
  joinStudyBody,
  LIMITS,
  type RoomEntry,
  type RoomInvite,
  type RoomState,
} from '../../shared/index.ts';
import { database } from '../db/client.ts';
import { createStudy } from '../db/queries.ts';
import { participant, participantCode, study } from '../db/schema.ts';
import { jsonBody } from '../http/body.ts';
import { allow, jsonError } from '../http/errors.ts';
import { clientAddress, rateLimit } from '../http/rate-limit.ts';
import { RATE_LIMIT_RULES } from '../http/rate-limit-rules.ts';
import { memberById } from '../identity/members.ts';
import { requireMember } from '../identity/middleware.ts';
import type { RoomView } from '../room/room.ts';
import type { MemberEnv } from '../types.ts';
import { roomSocket } from './socket.ts';

/** The room object of a study. */
function roomOf(c: Context<MemberEnv>, studyId: string) {
  return c.env.ROOM.get(c.env.ROOM.idFromName(studyId));
}

/**
 * A room object on older code: during a rollout each object runs the version
 * its deployment assigns it, whatever version calls it (DESIGN §7), and the
 * room class shipped dark before `view` existed answers only `state()`.
 */
interface RoomWithStateOnly {
  state(): Promise<RoomState | null>;
}

/**
 * The room as `memberId` sees it. On a room without `view` the member's
 * place comes from D1, where every room writes each participant as they
 * join (the host is written there when the study is created).
 */
async function viewOf(c: Context<MemberEnv>, studyId: string, memberId: string): Promise<RoomView | null> {
  try {
    return await roomOf(c, studyId).view(memberId);
  } catch (err) {
    // The runtime's words vary: `does not implement "view"` or `does not implement the method "view"`.
    if (!(err instanceof Error) || !/does not implement (?:the method )?"view"/.test(err.message)) throw err;
  }
  const older = roomOf(c, studyId) as unknown as RoomWithStateOnly;
  const [state, [row]] = await Promise.all([
    older.state(),
    database(c.env.DB)
      .select({ id: participant.id })
      .from(participant)
      .where(and(eq(participant.studyId, studyId), eq(participant.memberId, memberId))),
  ]);
  return state && row ? { participantId: row.id, state } : null;
}

/**
 * The invite behind a live group study's id, read from D1 (the study row has
 * its step, `participant_code_v2` its code), not from the room: asking the
 * room would be a new RPC, which must ship a release ahead (DESIGN §7). D1
 * hears of a start a moment after the room, so "waiting" may be a moment
 * stale; the join itself then answers `study_started`. Giving the code away
 * is deliberate: the id is unguessable and reaches a learner only in a link a
 * participant shared, so whoever has it was invited (and the code is what the
 * host shares anyway). Null for a solo study, an unknown id, or one the
 * caller is already in.
 */
async function inviteOf(c: Context<MemberEnv>, studyId: string): Promise<RoomInvite | null> {
  const db = database(c.env.DB);
  const [[row], [mine]] = await Promise.all([
    db
      .select({ code: participantCode.code, name: study.name, step: study.step })
      .from(participantCode)
      .innerJoin(study, eq(study.id, participantCode.studyId))
      .where(eq(participantCode.studyId, studyId)),
    // A participant without a room view is in a group study from before rooms: its study page shows it.
    db
      .select({ id: participant.id })
      .from(participant)
      .where(and(eq(participant.studyId, studyId), eq(participant.memberId, c.var.memberId))),
  ]);
  return row && !mine ? { code: row.code, name: row.name, waiting: row.step === 'waiting' } : null;
}

/** Code guesses are limited per member, and per address against a script that makes new members for more tries. */
const limitCodeGuesses = every(
  rateLimit<MemberEnv>(RATE_LIMIT_RULES.joinsPerMember, (c) => c.var.memberId),
  rateLimit<MemberEnv>(RATE_LIMIT_RULES.joinsPerAddress, clientAddress),
);

/** `/api/v2/studies...` routes. */
export const roomRoutes = new Hono<MemberEnv>()
  .all('/studies', allow('POST'), requireMember, jsonBody(createRoomBody), async (c) => {
    const body = c.req.valid('json');
    const db = database(c.env.DB);
    const me = await memberById(db, c.var.memberId);
    if (!me) return jsonError(c, 401, 'unauthorized', 'This guest learner no longer exists.');
    const { name, totalCycles, minutesPerCycle } = body;
    const nickname = body.nickname ?? me.nickname;
    const code = codeFromBytes(crypto.getRandomValues(new Uint8Array(6)));
    const created = await createStudy(
      db,
      { name, totalCycles, minutesPerCycle, hostMemberId: me.id, hostNickname: nickname, code },
      c.var.now(),
    );
    const state = await roomOf(c, created.study.id).open({
      studyId: created.study.id,
      name,
      totalCycles,
      minutesPerCycle,
      code,
      host: { id: created.host.id, memberId: me.id, nickname },
    });
    return c.json({ participantId: created.host.id, state }, 201);
  })
  .all('/studies/join', allow('POST'), requireMember, limitCodeGuesses, jsonBody(joinStudyBody), async (c) => {
    const { code, nickname } = c.req.valid('json');
    const [found] = await database(c.env.DB)
      .select({ studyId: participantCode.studyId })
      .from(participantCode)
      .where(eq(participantCode.code, code));
    if (!found)
      return jsonError(
        c,
        404,
        'study_not_found',
        `No group study has the code ${code}. Check the code with your host.`,
      );
    const joined = await roomOf(c, found.studyId).join({
      memberId: c.var.memberId,
      nickname,
      participantId: crypto.randomUUID(),
    });
    if (!joined.ok) {
      // The room may run another release's code (DESIGN §7): a refusal this worker does not know is still a refusal, never a join or a missing study.
      switch (joined.code as string) {
        case 'study_started':
          return jsonError(
            c,
            409,
            'study_started',
            'This study has already started; only its participants can come back to it.',
          );
        case 'room_full':
          return jsonError(
            c,
            409,
            'room_full',
            `This group already has ${LIMITS.roomParticipants.max} learners, as many as a room takes.`,
          );
        case 'no_room':
          return jsonError(c, 404, 'study_not_found', `No live room has the code ${code}.`);
        default:
          return jsonError(
            c,
            409,
            'join_refused',
            `This group did not take you in (${joined.code}); nothing changed. Ask your host.`,
          );
      }
    }
    const status = joined.resumed ? 200 : 201;
    // A level-3 page reads only where it is now; an older page reads the whole room (100 KB at 1,000 learners).
    if (c.var.compat.clientLevel < 3)
      return c.json({ participantId: joined.participantId, state: joined.state }, status);
    // A room before 2.2 names no nickname, but its state does.
    const kept = joined.nickname ?? joined.state.participants.find((p) => p.id === joined.participantId)?.nickname;
    const entry: RoomEntry = {
      participantId: joined.participantId,
      studyId: found.studyId,
      nickname: kept ?? nickname,
    };
    return c.json(entry, status);
  })
  .all('/studies/:studyId', allow('GET', 'HEAD'), requireMember, async (c) => {
    const studyId = c.req.param('studyId');
    const view = await viewOf(c, studyId, c.var.memberId);
    if (view) return c.json(view);
    // Still 404 for every page that knows no invite; a page that does offers to join.
    const invite = await inviteOf(c, studyId);
    return jsonError(c, 404, 'study_not_found', 'No live study you are part of has that id.', invite ? { invite } : {});
  })
  .all('/studies/:studyId/socket', allow('GET'), roomSocket);
