/**
 * The v1 API's views over the study tables (migrations/0002): the step lives
 * on the study, and a solo study's one participant is its progress. The
 * worker reads and writes only these tables; the sync triggers keep the older
 * per-learner tables in step for an older worker still serving.
 */
import { and, eq } from 'drizzle-orm';
import { type ParticipantView, type ProgressView, type Step, type StudyView, stepMillis } from '../../shared/index.ts';
import type { Database } from '../db/client.ts';
import type { ContentRow, ParticipantRow, StudyRow } from '../db/queries.ts';
import { content, participant, participantCode, study } from '../db/schema.ts';

/** A study with its participant code (null for solo studies). */
export type StudyWithCode = StudyRow & { code: string | null };

/** A participant with its study, code and the answers of the study's current cycle, in one round trip. */
export async function loadParticipant(db: Database, participantId: string) {
  const [row] = await db
    .select({ participant, study, code: participantCode.code, content })
    .from(participant)
    .innerJoin(study, eq(study.id, participant.studyId))
    .leftJoin(participantCode, eq(participantCode.studyId, study.id))
    .leftJoin(content, and(eq(content.participantId, participant.id), eq(content.cycle, study.currentCycle)))
    .where(eq(participant.id, participantId));
  if (!row) return null;
  return { participant: row.participant, study: { ...row.study, code: row.code }, content: row.content ?? undefined };
}

/** The API's view of a study row. */
export function toStudyView(row: StudyWithCode): StudyView {
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

/**
 * Where a study stands as the v1 API says it: the study's step is everyone's,
 * and v1 knows no lobby, so a room still waiting shows as planning cycle 1.
 */
export function positionOf(row: StudyRow): { step: Step; cycle: number } {
  return { step: row.step === 'waiting' ? 'planning' : row.step, cycle: row.currentCycle };
}

/** The API's view of a participant (what others may see of them). */
export function toParticipant(p: ParticipantRow, s: StudyRow): ParticipantView {
  return { progressId: p.id, nickname: p.nickname, isHost: p.isHost, ...positionOf(s) };
}

/** The caller's own progress with its deadline and this cycle's answers. */
export function toProgressView(p: ParticipantRow, s: StudyRow, answers: ContentRow | undefined): ProgressView {
  const millis = stepMillis(positionOf(s).step, s.timePerCycle);
  return {
    ...toParticipant(p, s),
    studyId: s.id,
    // v2 keeps the deadline; v1 clients also get when the step began.
    stepStartedAt: s.stepDeadline !== null && millis !== null ? s.stepDeadline - millis : s.updatedAt,
    deadline: s.stepDeadline,
    plan: answers?.plan ?? null,
    retrospect: answers?.retrospect ?? null,
  };
}
