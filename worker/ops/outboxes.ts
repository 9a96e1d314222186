/**
 * Rooms whose outbox is not draining: writes owed to D1 for longer than a
 * minute mean D1 keeps failing for that room, or its wake-up was lost. Only
 * the room knows (D1 cannot tell what it never got), so this asks the room
 * objects of the group studies D1 shows in progress, the most recently
 * active first, a bounded number per view.
 */
import type { Room } from '../room/room.ts';

/** An outbox is stuck when its oldest write waited this long: the room retries within a minute at most. */
export const STUCK_AFTER_MS = 60_000;
/** Rooms asked per view: each is an RPC that may wake the room, so an operator's reload stays cheap. */
export const ROOMS_ASKED = 50;

/** `stuckOutboxes` in the ops summary. */
export interface StuckOutboxes {
  /** Rooms asked (group studies not done, most recently active first, at most ROOMS_ASKED). */
  asked: number;
  /** Rooms that did not answer (an older room version without the call, or an error). */
  unanswered: number;
  olderThanMs: number;
  rooms: { studyId: string; owed: number; oldestAgeMs: number }[];
}

/** Asks the rooms of group studies active in the last `activeSinceMs` what they still owe D1. */
export async function stuckOutboxes(
  env: { DB: D1Database; ROOM: DurableObjectNamespace<Room> },
  opts: { now: number; activeSince: number },
): Promise<StuckOutboxes> {
  const { results } = await env.DB.prepare(
    `SELECT s.id FROM study s JOIN participant_code_v2 c ON c.study_id = s.id
     WHERE s.step <> 'done' AND s.updated_at >= ? ORDER BY s.updated_at DESC LIMIT ?`,
  )
    .bind(opts.activeSince, ROOMS_ASKED)
    .all<{ id: string }>();
  const answers = await Promise.all(
    results.map(async ({ id }) => {
      try {
        return { studyId: id, status: await env.ROOM.get(env.ROOM.idFromName(id)).outboxStatus() };
      } catch {
        return { studyId: id, status: null };
      }
    }),
  );
  const rooms = answers
    .flatMap(({ studyId, status }) =>
      status && status.oldestQueuedAt !== null && opts.now - status.oldestQueuedAt >= STUCK_AFTER_MS
        ? [{ studyId, owed: status.owed, oldestAgeMs: opts.now - status.oldestQueuedAt }]
        : [],
    )
    .sort((a, b) => b.oldestAgeMs - a.oldestAgeMs);
  return {
    asked: results.length,
    unanswered: answers.filter((a) => a.status === null).length,
    olderThanMs: STUCK_AFTER_MS,
    rooms,
  };
}
