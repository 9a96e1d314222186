/**
 * Queries over the study tables (migrations/0002): the study holds the step,
 * cycle and deadline for everyone in it. They only store and read; who may do
 * what is the room's and the routes' business. The sync triggers copy every
 * write here to the older per-learner tables while a worker that reads them
 * may still serve (until the contract step).
 */
import { and, asc, desc, eq, gte, lt, ne, or, sql } from 'drizzle-orm';
import { type Answer, deadlineOf, nextPosition, type Position } from '../../shared/index.ts';
import type { Database } from './client.ts';
import { content, participant, participantCode, study } from './schema.ts';

/** A study row. */
export type StudyRow = typeof study.$inferSelect;
/** A participant row. */
export type ParticipantRow = typeof participant.$inferSelect;
/** An answers row: one participant, one cycle. */
export type ContentRow = typeof content.$inferSelect;
/** The step columns of a study. */
type StudyStepColumns = Pick<StudyRow, 'step' | 'currentCycle' | 'stepDeadline'>;

/** Participant order everywhere: the host first, then in the order they joined. */
const joinOrder = [desc(participant.isHost), sql`${participant}.rowid`] as const;

/** The step columns for a position, its deadline from the shared domain rules. */
function stepColumns(position: Position, minutesPerCycle: number): StudyStepColumns {
  return { step: position.step, currentCycle: position.cycle, stepDeadline: deadlineOf(position, minutesPerCycle) };
}

/** What a new study needs; `code` is set for group studies only. */
export interface NewStudy {
  name: string;
  totalCycles: number;
  minutesPerCycle: number;
  hostMemberId: string;
  hostNickname: string;
  code: string | null;
}

/**
 * Creates a study with its host in one batch. A group study waits in the
 * lobby for others to join; a solo one starts planning cycle 1 right away.
 */
export async function createStudy(db: Database, input: NewStudy, now: number) {
  const start: StudyStepColumns = input.code
    ? { step: 'waiting', currentCycle: 1, stepDeadline: null }
    : stepColumns({ step: 'planning', cycle: 1, stepStartedAt: now }, input.minutesPerCycle);
  const row: StudyRow = {
    id: crypto.randomUUID(),
    name: input.name,
    totalCycle: input.totalCycles,
    timePerCycle: input.minutesPerCycle,
    ...start,
    createdAt: now,
    updatedAt: now,
  };
  const host: ParticipantRow = {
    id: crypto.randomUUID(),
    studyId: row.id,
    memberId: input.hostMemberId,
    nickname: input.hostNickname,
    isHost: true,
  };
  const insertStudy = db.insert(study).values(row);
  const insertHost = db.insert(participant).values(host);
  // Study, code, then host: the triggers copy each row to v1 in that order, which its foreign keys need.
  await (input.code
    ? db.batch([insertStudy, db.insert(participantCode).values({ studyId: row.id, code: input.code }), insertHost])
    : db.batch([insertStudy, insertHost]));
  return { study: row, code: input.code, host };
}

/** The answer to a join by code. */
export type JoinOutcome =
  | { kind: 'joined' | 'resumed'; study: StudyRow; participant: ParticipantRow }
  | { kind: 'not_found' }
  | { kind: 'started'; study: StudyRow };

/**
 * Joins the group study with `code` while it waits. Its own participants
 * resume at any step; anyone else is refused once it has started.
 */
export async function joinStudy(db: Database, code: string, memberId: string, nickname: string): Promise<JoinOutcome> {
  const [found] = await db
    .select({ study, participant })
    .from(participantCode)
    .innerJoin(study, eq(study.id, participantCode.studyId))
    .leftJoin(participant, and(eq(participant.studyId, study.id), eq(participant.memberId, memberId)))
    .where(eq(participantCode.code, code));
  if (!found) return { kind: 'not_found' };
  if (found.participant) return { kind: 'resumed', study: found.study, participant: found.participant };
  if (found.study.step !== 'waiting') return { kind: 'started', study: found.study };
  const [inserted] = await db
    .insert(participant)
    .values({ id: crypto.randomUUID(), studyId: found.study.id, memberId, nickname, isHost: false })
    .onConflictDoNothing()
    .returning();
  // Lost a race with the same learner's other tab: read again, and resume theirs.
  return inserted
    ? { kind: 'joined', study: found.study, participant: inserted }
    : joinStudy(db, code, memberId, nickname);
}

/**
 * The statement that saves a participant's plan or retrospect of `cycle`,
 * keeping the other one: run it alone (saveAnswer) or in a batch (the room's
 * owed writes).
 */
export function saveAnswerStatement(db: Database, participantId: string, cycle: number, answer: Answer) {
  return db
    .insert(content)
    .values({ id: crypto.randomUUID(), participantId, cycle, ...answer })
    .onConflictDoUpdate({ target: [content.participantId, content.cycle], set: answer });
}

/** Saves a participant's plan or retrospect of `cycle`, keeping the other one. */
export async function saveAnswer(
  db: Database,
  participantId: string,
  cycle: number,
  answer: Answer,
): Promise<ContentRow> {
  const [row] = await saveAnswerStatement(db, participantId, cycle, answer).returning();
  if (!row) throw new Error('an upsert always returns its row');
  return row;
}

/**
 * Moves everyone in `current` on together: waiting -> planning of cycle 1,
 * then as shared/domain.ts nextPosition. Only moves from the step `current`
 * says, so a repeated advance moves once: null when it had already moved (or
 * is done).
 */
export async function advanceStudy(db: Database, current: StudyRow, now: number): Promise<StudyRow | null> {
  const next =
    current.step === 'waiting'
      ? { step: 'planning' as const, cycle: 1, stepStartedAt: now }
      : nextPosition({ step: current.step, cycle: current.currentCycle, stepStartedAt: now }, current.totalCycle, now);
  if (!next) return null;
  const [moved] = await db
    .update(study)
    .set({ ...stepColumns(next, current.timePerCycle), updatedAt: now })
    .where(and(eq(study.id, current.id), eq(study.step, current.step), eq(study.currentCycle, current.currentCycle)))
    .returning();
  return moved ?? null;
}

/**
 * Ends a study where it stands: done, no deadline, the cycle and every answer
 * kept. Null when it was already done (ended, finished, or a second tab won).
 */
export async function endStudy(db: Database, current: StudyRow, now: number): Promise<StudyRow | null> {
  const [ended] = await db
    .update(study)
    .set({ step: 'done', stepDeadline: null, updatedAt: now })
    .where(and(eq(study.id, current.id), ne(study.step, 'done')))
    .returning();
  return ended ?? null;
}

/** The statement that makes `participantId` the one host of its study (a host who left hands the role on). */
export function handOverHostStatement(db: Database, studyId: string, participantId: string) {
  return db
    .update(participant)
    .set({ isHost: sql`${participant.id} = ${participantId}` })
    .where(eq(participant.studyId, studyId));
}

/** Makes `participantId` the one host of its study. */
export async function handOverHost(db: Database, studyId: string, participantId: string): Promise<void> {
  await handOverHostStatement(db, studyId, participantId);
}

/** A study with its code, participants in join order, and every answer by cycle. */
export interface StudyDetail {
  study: StudyRow;
  code: string | null;
  participants: ParticipantRow[];
  answers: ContentRow[];
}

/** Everything about one study in one round trip; null when there is no such study. */
export async function readStudy(db: Database, studyId: string): Promise<StudyDetail | null> {
  const [[found], participants, answers] = await db.batch([
    db
      .select({ study, code: participantCode.code })
      .from(study)
      .leftJoin(participantCode, eq(participantCode.studyId, study.id))
      .where(eq(study.id, studyId)),
    db
      .select()
      .from(participant)
      .where(eq(participant.studyId, studyId))
      .orderBy(...joinOrder),
    db
      .select({ content })
      .from(content)
      .innerJoin(participant, eq(participant.id, content.participantId))
      .where(eq(participant.studyId, studyId))
      .orderBy(asc(content.cycle), ...joinOrder),
  ]);
  if (!found) return null;
  return { study: found.study, code: found.code, participants, answers: answers.map((row) => row.content) };
}

/** Which of a member's studies to list: a created-at range (`to` exclusive), after a keyset cursor. */
export interface RecordsPage {
  from?: number;
  to?: number;
  /** The last study of the previous page. */
  after?: { createdAt: number; studyId: string };
  limit: number;
}

/** A member's studies, newest first, each with their participant in it. */
export function recordsOf(db: Database, memberId: string, page: RecordsPage) {
  const { from, to, after, limit } = page;
  return db
    .select({ study, code: participantCode.code, participantId: participant.id, nickname: participant.nickname })
    .from(participant)
    .innerJoin(study, eq(study.id, participant.studyId))
    .leftJoin(participantCode, eq(participantCode.studyId, study.id))
    .where(
      and(
        eq(participant.memberId, memberId),
        from === undefined ? undefined : gte(study.createdAt, from),
        to === undefined ? undefined : lt(study.createdAt, to),
        after
          ? or(
              lt(study.createdAt, after.createdAt),
              and(eq(study.createdAt, after.createdAt), lt(study.id, after.studyId)),
            )
          : undefined,
      ),
    )
    .orderBy(desc(study.createdAt), desc(study.id))
    .limit(limit);
}
