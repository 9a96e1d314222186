/**
 * Writes the room owes D1, through the study queries (db/queries.ts). Each is
 * idempotent, so a retry after a failure that happened after D1 committed is
 * harmless; each is one statement, so a batch of them goes to D1 in one round
 * trip, all or none.
 */
import { eq } from 'drizzle-orm';
import { type Answer, UNSUBMITTED } from '../../shared/index.ts';
import { type Database, database } from '../db/client.ts';
import { handOverHostStatement, saveAnswerStatement } from '../db/queries.ts';
import { participant, roomWriteSetAside, study } from '../db/schema.ts';
import type { Persist } from './model.ts';

/** Applies one owed write to D1. Throws when D1 fails; the room retries. */
export async function persistToD1(d1: D1Database, op: Persist): Promise<void> {
  await statementOf(database(d1), op);
}

/**
 * Applies owed writes to D1 in order, in one round trip: a D1 batch is one
 * transaction, so when it throws none of them was applied.
 */
export async function persistAllToD1(d1: D1Database, ops: readonly Persist[]): Promise<void> {
  const db = database(d1);
  const [first, ...rest] = ops.map((op) => statementOf(db, op));
  if (first) await db.batch([first, ...rest]);
}

/**
 * A kept draft as D1 stores it: the answer's JSON says `unsubmitted: true`,
 * so records show it as written but not submitted (readers that do not know
 * the mark show the text as it is).
 */
function markUnsubmitted(answer: Answer): Answer {
  const mark = { [UNSUBMITTED]: true };
  return (
    'plan' in answer ? { plan: { ...answer.plan, ...mark } } : { retrospect: { ...answer.retrospect, ...mark } }
  ) as Answer;
}

/** The one statement that applies `op` (answers and hosts through the study queries' own statements). */
function statementOf(db: Database, op: Persist) {
  switch (op.op) {
    case 'participant':
      return db
        .insert(participant)
        .values({
          id: op.participant.id,
          studyId: op.studyId,
          memberId: op.participant.memberId,
          nickname: op.participant.nickname,
          isHost: op.isHost,
        })
        .onConflictDoNothing();
    case 'answer':
      return saveAnswerStatement(
        db,
        op.participantId,
        op.cycle,
        op.unsubmitted ? markUnsubmitted(op.answer) : op.answer,
      );
    case 'step':
      // The room is the authority on its step: D1 follows it, whatever it held.
      return db
        .update(study)
        .set({ step: op.step, currentCycle: op.cycle, stepDeadline: op.deadline, updatedAt: op.at })
        .where(eq(study.id, op.studyId));
    case 'host':
      return handOverHostStatement(db, op.studyId, op.participantId);
    case 'set_aside':
      return db
        .insert(roomWriteSetAside)
        .values({
          id: op.key,
          studyId: op.studyId,
          writeJson: JSON.stringify(op.write),
          error: op.error,
          setAsideAt: op.at,
        })
        .onConflictDoNothing();
  }
}
