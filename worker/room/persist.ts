/**
 * Writes the room owes D1, through the study queries (db/queries.ts). Each is
 * idempotent, so a retry after a failure that happened after D1 committed is
 * harmless.
 */
import { eq } from 'drizzle-orm';
import { database } from '../db/client.ts';
import { handOverHost, saveAnswer } from '../db/queries.ts';
import { participant, roomWriteSetAside, study } from '../db/schema.ts';
import type { Persist } from './model.ts';

/** Applies one owed write to D1. Throws when D1 fails; the room retries. */
export async function persistToD1(d1: D1Database, op: Persist): Promise<void> {
  const db = database(d1);
  switch (op.op) {
    case 'participant':
      await db
        .insert(participant)
        .values({
          id: op.participant.id,
          studyId: op.studyId,
          memberId: op.participant.memberId,
          nickname: op.participant.nickname,
          isHost: op.isHost,
        })
        .onConflictDoNothing();
      return;
    case 'answer':
      await saveAnswer(db, op.participantId, op.cycle, op.answer);
      return;
    case 'step':
      // The room is the authority on its step: D1 follows it, whatever it held.
      await db
        .update(study)
        .set({ step: op.step, currentCycle: op.cycle, stepDeadline: op.deadline, updatedAt: op.at })
        .where(eq(study.id, op.studyId));
      return;
    case 'host':
      await handOverHost(db, op.studyId, op.participantId);
      return;
    case 'set_aside':
      await db
        .insert(roomWriteSetAside)
        .values({
          id: op.key,
          studyId: op.studyId,
          writeJson: JSON.stringify(op.write),
          error: op.error,
          setAsideAt: op.at,
        })
        .onConflictDoNothing();
      return;
  }
}
