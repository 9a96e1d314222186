/**
 * Release 1 queries over the v1 schema. Each API call makes at most two D1
 * round trips: one batched read, then (when it writes) one batched write.
 */
import { and, asc, desc, eq, inArray, sql } from 'drizzle-orm';
import {
  deadlineOf,
  type ParticipantView,
  type ProgressView,
  type StudyView,
} from '../../shared/index.ts';
import type { Database } from '../db/client.ts';
import { member, participantCode, pomodoroContent, pomodoroProgress, pomodoroStudy } from '../db/schema.ts';

/** A progress row as drizzle returns it. */
export type ProgressRow = typeof pomodoroProgress.$inferSelect;
/** A content row as drizzle returns it. */
export type ContentRow = typeof pomodoroContent.$inferSelect;
/** A study row with its participant code (null for solo studies). */
export type StudyRow = typeof pomodoroStudy.$inferSelect & { code: string | null };

/** The columns of a study row with its code, for selects that add more. */
export const studyColumns = {
  id: pomodoroStudy.id,
  name: pomodoroStudy.name,
  totalCycle: pomodoroStudy.totalCycle,
  timePerCycle: pomodoroStudy.timePerCycle,
  createdAt: pomodoroStudy.createdAt,
  updatedAt: pomodoroStudy.updatedAt,
  code: participantCode.code,
};

/** Selects studies with their code; add a `where`. */
export function selectStudies(db: Database) {
  return db.select(studyColumns).from(pomodoroStudy).leftJoin(participantCode, eq(participantCode.studyId, pomodoroStudy.id));
}

/** The study of `studyId` with its code. */
export function studyById(db: Database, studyId: string) {
  return selectStudies(db).where(eq(pomodoroStudy.id, studyId));
}

/** Participant order everywhere: the host first, then in the order they joined. */
export const joinOrder = [desc(pomodoroProgress.isHost), sql`${pomodoroProgress}.rowid`] as const;

/** Every participant of a study, in join order. */
export function progressesOf(db: Database, studyId: string) {
  return db
    .select()
    .from(pomodoroProgress)
    .where(eq(pomodoroProgress.studyId, studyId))
    .orderBy(...joinOrder);
}

/** The caller's nickname, to default a study nickname and to prove the member exists. */
export function memberById(db: Database, memberId: string) {
  return db.select({ id: member.id, nickname: member.nickname }).from(member).where(eq(member.id, memberId));
}

/** The answers of one progress in one cycle. */
export function contentOf(db: Database, progressId: string, cycle: number) {
  return db
    .select()
    .from(pomodoroContent)
    .where(and(eq(pomodoroContent.progressId, progressId), eq(pomodoroContent.cycle, cycle)));
}

/** All answers of a set of progresses, for record pages. */
export function contentsOf(db: Database, progressIds: string[]) {
  return db
    .select()
    .from(pomodoroContent)
    .where(inArray(pomodoroContent.progressId, progressIds.length > 0 ? progressIds : ['']))
    .orderBy(asc(pomodoroContent.cycle));
}

/** The API's view of a study row. */
export function toStudyView(row: StudyRow): StudyView {
  return {
    id: row.id,
    name: row.name,
    totalCycles: row.totalCycle,
    minutesPerCycle: row.timePerCycle,
    mode: row.code ? 'group' : 'solo',
    code: row.code,
    createdAt: row.createdAt,
  };
}

/** The API's view of a participant (what others may see of them). */
export function toParticipant(row: ProgressRow): ParticipantView {
  return { progressId: row.id, nickname: row.nickname, isHost: row.isHost, step: row.status, cycle: row.currentCycle };
}

/** The caller's own progress with its deadline and this cycle's answers. */
export function toProgressView(row: ProgressRow, study: StudyRow, content: ContentRow | undefined): ProgressView {
  return {
    ...toParticipant(row),
    studyId: row.studyId,
    stepStartedAt: row.stepStartedAt,
    deadline: deadlineOf({ step: row.status, cycle: row.currentCycle, stepStartedAt: row.stepStartedAt }, study.timePerCycle),
    plan: content?.plan ?? null,
    retrospect: content?.retrospect ?? null,
  };
}
