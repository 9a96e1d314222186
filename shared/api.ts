/**
 * Wire schemas of the v1 REST API (`/api/v1/...`, documented in docs/api.md).
 * The worker parses every body with these; the client validates forms with
 * the same schemas, so a limit is written once.
 */
import * as z from 'zod/mini';
import { CODE_PATTERN, LIMITS, STEPS } from './domain.ts';
import { nicknameProblem, normalizeNickname } from './nickname.ts';
import { NICKNAME_REFUSALS } from './nickname-refusals.ts';

const text = (min: number, max: number) => z.string().check(z.trim(), z.minLength(min), z.maxLength(max));
const answer = text(1, LIMITS.answer.max);
const optionalAnswer = z.optional(text(0, LIMITS.answer.max));

/**
 * A nickname (shared/nickname.ts): NFC and trimmed (what is kept and returned),
 * 1-10 characters as the learner sees them, nothing hidden or disguised. Length
 * is reported as zod's own too_small/too_big; a refusal as a custom issue with
 * its sentence and `params.refusal`, so the page can say it in its language.
 */
export const nicknameSchema = z.string().check(
  z.overwrite(normalizeNickname),
  z.check<string>((payload) => {
    const problem = nicknameProblem(payload.value);
    if (problem === null) return;
    const input = payload.value;
    payload.issues.push(
      problem === 'tooShort'
        ? { code: 'too_small', origin: 'string', minimum: LIMITS.nickname.min, inclusive: true, input }
        : problem === 'tooLong'
          ? { code: 'too_big', origin: 'string', maximum: LIMITS.nickname.max, inclusive: true, input }
          : { code: 'custom', message: NICKNAME_REFUSALS[problem], params: { refusal: problem }, input },
    );
  }),
);
/** A study name: 1-10 characters after trimming. */
export const studyNameSchema = text(LIMITS.studyName.min, LIMITS.studyName.max);
/** A participant code; lower case is accepted and upper-cased. */
export const codeSchema = z.string().check(z.trim(), z.toUpperCase(), z.regex(CODE_PATTERN));
/** A step of the study. */
export const stepSchema = z.enum(STEPS);
/** A 1-based cycle number. */
export const cycleSchema = z.int().check(z.minimum(1), z.maximum(LIMITS.cycles.max));

/** `POST /api/v1/members`: become a guest learner. */
export const createMemberBody = z.strictObject({ nickname: nicknameSchema });
export type CreateMemberBody = z.infer<typeof createMemberBody>;

/** A guest learner. */
export interface Member {
  id: string;
  nickname: string;
}

/** Answer of `POST /api/v1/members`: the learner and the token to send as `Authorization: Bearer`. */
export interface CreateMemberResponse {
  member: Member;
  token: string;
}

/** `POST /api/v1/studies`: a solo study, or a group study with a participant code. */
export const createStudyBody = z.strictObject({
  name: studyNameSchema,
  totalCycles: z.int().check(z.minimum(LIMITS.cycles.min), z.maximum(LIMITS.cycles.max)),
  minutesPerCycle: z
    .int()
    .check(
      z.minimum(LIMITS.minutesPerCycle.min),
      z.maximum(LIMITS.minutesPerCycle.max),
      z.multipleOf(LIMITS.minutesPerCycle.step),
    ),
  mode: z.enum(['solo', 'group']),
  /** The name the creator goes by in this study; defaults to their member nickname. */
  nickname: z.optional(nicknameSchema),
});
export type CreateStudyBody = z.infer<typeof createStudyBody>;

/** `POST /api/v2/studies`: open a live group study (a room); the creator hosts it. */
export const createRoomBody = z.omit(createStudyBody, { mode: true });
export type CreateRoomBody = z.infer<typeof createRoomBody>;

/**
 * What `GET /api/v2/studies/:id` adds to its 404 `study_not_found` when the
 * id is a live group study the caller is not in: enough for the page to offer
 * joining it while it waits, or to say it has started. Extra keys of an error
 * body, so pages that do not know them read the plain 404 as before.
 */
export interface RoomInvite {
  /** The study's 6-letter join code. */
  code: string;
  name: string;
  /** True while the host has not started it (only then can anyone join). */
  waiting: boolean;
}

/**
 * Answer of `POST /api/v2/studies/join` to a level-3 client: where the
 * learner is now and under which nickname (a learner already in keeps the
 * one they had). Level 2 gets the whole room instead; at 1,000 learners that
 * is 100 KB per join, which the room page fetches again anyway.
 */
export interface RoomEntry {
  participantId: string;
  studyId: string;
  nickname: string;
}

/** `POST /api/v1/studies/join` and `/api/v2/studies/join`: join a group study by its code. */
export const joinStudyBody = z.strictObject({ code: codeSchema, nickname: nicknameSchema });
export type JoinStudyBody = z.infer<typeof joinStudyBody>;

/** Planning answers: two required, three behind "want a more specific goal?". */
export const planSchema = z.strictObject({
  toDo: answer,
  completionCondition: answer,
  expectedProbability: optionalAnswer,
  expectedDifficulty: optionalAnswer,
  whatCanYouDo: optionalAnswer,
});
export type Plan = z.infer<typeof planSchema>;

/** Retrospect answers. */
export const retrospectSchema = z.strictObject({
  doneAsExpected: answer,
  experiencedDifficulty: answer,
  lesson: optionalAnswer,
});
export type Retrospect = z.infer<typeof retrospectSchema>;

/** A plan or a retrospect, as a learner submits it (over HTTP or in a room). */
export type Answer = { plan: Plan } | { retrospect: Retrospect };

/** `PUT /api/v1/progress/:id/plan`: the plan of the learner's current cycle. */
export const savePlanBody = z.strictObject({ cycle: cycleSchema, plan: planSchema });
export type SavePlanBody = z.infer<typeof savePlanBody>;

/** `PUT /api/v1/progress/:id/retrospect`: the retrospect of the learner's current cycle. */
export const saveRetrospectBody = z.strictObject({ cycle: cycleSchema, retrospect: retrospectSchema });
export type SaveRetrospectBody = z.infer<typeof saveRetrospectBody>;

/**
 * `POST /api/v1/progress/:id/advance`: move on from the step the client is
 * showing. Naming it makes a double click or a second device harmless: a
 * stale `from` gets 409 instead of skipping a step.
 */
export const advanceBody = z.strictObject({ from: z.strictObject({ step: stepSchema, cycle: cycleSchema }) });
export type AdvanceBody = z.infer<typeof advanceBody>;

/**
 * `POST /api/v1/progress/:id/end`: a learner ends their solo study where it
 * stands (an abandoned one, or one they are done with early). Nothing to
 * send; what they wrote is kept, and ending an ended study changes nothing.
 */
export const endStudyBody = z.strictObject({});
export type EndStudyBody = z.infer<typeof endStudyBody>;

/** `GET /api/v1/me/records` query: a date range (epoch ms, `to` exclusive) and a page. */
export const recordsQuery = z.strictObject({
  from: z.optional(z.coerce.number().check(z.int(), z.nonnegative())),
  to: z.optional(z.coerce.number().check(z.int(), z.nonnegative())),
  cursor: z.optional(z.string().check(z.maxLength(200))),
  limit: z.optional(z.coerce.number().check(z.int(), z.minimum(1), z.maximum(50))),
});
export type RecordsQuery = z.infer<typeof recordsQuery>;

/** A study as the API shows it. `code` is set for group studies only. */
export interface StudyView {
  id: string;
  name: string;
  totalCycles: number;
  minutesPerCycle: number;
  mode: 'solo' | 'group';
  code: string | null;
  createdAt: number;
}

/** One learner's place in a study. */
export interface ParticipantView {
  progressId: string;
  nickname: string;
  isHost: boolean;
  step: z.infer<typeof stepSchema>;
  cycle: number;
}

/** The caller's own progress, with the answers of its current cycle and the deadline. */
export interface ProgressView extends ParticipantView {
  studyId: string;
  stepStartedAt: number;
  deadline: number | null;
  plan: Plan | null;
  retrospect: Retrospect | null;
}

/** Answer of `GET /api/v1/studies/:id` (and of create/join): everything a study page needs. */
export interface StudyPage {
  study: StudyView;
  me: ProgressView;
  participants: ParticipantView[];
  /** The server's clock, so a client with a skewed clock still counts down right. */
  serverNow: number;
}

/** One cycle of one participant on the record page. */
export interface CycleRecord {
  cycle: number;
  plan: Plan | null;
  retrospect: Retrospect | null;
}

/** Answer of `GET /api/v1/studies/:id/records`. */
export interface StudyRecords {
  study: StudyView;
  participants: (ParticipantView & { cycles: CycleRecord[] })[];
}

/** One line of "my records". */
export interface MyRecord {
  study: StudyView;
  progressId: string;
  nickname: string;
  step: z.infer<typeof stepSchema>;
  cycle: number;
}

/** Answer of `GET /api/v1/me/records`. */
export interface MyRecordsPage {
  items: MyRecord[];
  nextCursor: string | null;
}
