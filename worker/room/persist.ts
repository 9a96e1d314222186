/**
 * Writes the room owes D1, in the Release 2 tables. Each is idempotent, so a
 * retry after a failure that happened after D1 committed is harmless.
 */
import type { Persist } from './model.ts';

/** Applies one owed write to D1. Throws when D1 fails; the room retries. */
export async function persistToD1(db: D1Database, op: Persist): Promise<void> {
  switch (op.op) {
    case 'participant':
      await db
        .prepare('INSERT INTO participant (id, study_id, member_id, nickname, is_host) VALUES (?, ?, ?, ?, ?) ON CONFLICT (id) DO NOTHING')
        .bind(op.participant.id, op.studyId, op.participant.memberId, op.participant.nickname, op.isHost ? 1 : 0)
        .run();
      return;
    case 'answer': {
      const column = op.kind === 'plan' ? 'plan' : 'retrospect';
      await db
        .prepare(
          `INSERT INTO content (id, participant_id, cycle, ${column}) VALUES (?, ?, ?, ?) ON CONFLICT (participant_id, cycle) DO UPDATE SET ${column} = excluded.${column}`,
        )
        .bind(crypto.randomUUID(), op.participantId, op.cycle, JSON.stringify(op.answer))
        .run();
      return;
    }
    case 'step':
      await db
        .prepare('UPDATE study SET step = ?, current_cycle = ?, step_deadline = ?, updated_at = ? WHERE id = ?')
        .bind(op.step, op.cycle, op.deadline, op.at, op.studyId)
        .run();
      return;
    case 'host':
      await db.prepare('UPDATE participant SET is_host = (id = ?) WHERE study_id = ?').bind(op.participantId, op.studyId).run();
      return;
  }
}
