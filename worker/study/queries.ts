/**
 * The v1 API's views over the Release 2 tables (migrations/0002): in v2 the
 * step lives on the study, and a solo study's one participant is its
 * progress. Release 2 reads and writes only these tables; the sync triggers
 * keep the v1 tables in step for a Release 1.5 worker still serving.
 */
import { and, eq } from 'drizzle-orm';
import { stepMillis, type ParticipantView, type ProgressView, type Step, type StudyView } from '../../shared/index.ts';
import type { Database } from '../db/client.ts';
import type { ContentRowV2, ParticipantRow, StudyRowV2 } from '../db/queries-v2.ts';
import { member } from '../db/schema.ts';
import { content, participant, participantCodeV2, study } from '../db/schema-v2.ts';

/** A v2 study with its participant code (null for solo studies). */
export type StudyRow = StudyRowV2 & { code: string | null };

/** The caller's nickname, to default a study nickname and to prove the member exists. */
export function memberById(db: Database, memberId: string) {
  return db.select({ id: member.id, nickname: member.nickname }).from(member).where(eq(member.id, memberId));
}

/** A participant with its study, code and the answers of the study's current cycle, in one round trip. */
export async function loadParticipant(db: Database, participantId: string) {
  const [row] = await db
    .select({ participant, study, code: participantCodeV2.code, content })
    .from(participant)
    .innerJoin(study, eq(study.id, participant.studyId))
    .leftJoin(participantCodeV2, eq(participantCodeV2.studyId, study.id))
    .leftJoin(content, and(eq(content.participantId, participant.id), eq(content.cycle, study.currentCycle)))
    .where(eq(participant.id, participantId));
  if (!row) return null;
  return { participant: row.participant, study: { ...row.study, code: row.code }, content: row.content ?? undefined };
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

/**
 * Where a study stands as the v1 API says it: the study's step is everyone's,
 * and v1 knows no lobby, so a room still waiting shows as planning cycle 1.
 */
export function positionOf(row: StudyRowV2): { step: Step; cycle: number } {
  return { step: row.step === 'waiting' ? 'planning' : row.step, cycle: row.currentCycle };
}

/** The API's view of a participant (what others may see of them). */
export function toParticipant(p: ParticipantRow, s: StudyRowV2): ParticipantView {
  return { progressId: p.id, nickname: p.nickname, isHost: p.isHost, ...positionOf(s) };
}

/** The caller's own progress with its deadline and this cycle's answers. */
export function toProgressView(p: ParticipantRow, s: StudyRowV2, answers: ContentRowV2 | undefined): ProgressView {
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
