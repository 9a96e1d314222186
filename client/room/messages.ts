/**
 * What the room sends, checked before the page believes it (DESIGN §7: every
 * edge validates). A snapshot is parsed in full with the shared
 * `roomStateSchema`; events, acks and errors get the small shape checks
 * below. Anything else is dropped: a bad message never breaks the page.
 */
import * as z from 'zod/mini';
import { roomParticipantSchema, roomStateSchema, roomStepSchema, type ServerMessage } from '../../shared/room.ts';

const seq = z.int().check(z.nonnegative());

const eventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('joined'), participant: roomParticipantSchema }),
  z.object({ kind: z.literal('presence'), participantId: z.string(), online: z.boolean() }),
  z.object({ kind: z.literal('submitted'), participantId: z.string(), cycle: z.int(), step: roomStepSchema }),
  z.object({ kind: z.literal('step'), step: roomStepSchema, cycle: z.int(), deadline: z.nullable(z.int()) }),
  z.object({ kind: z.literal('host'), participantId: z.string() }),
  z.object({ kind: z.literal('time_up'), step: roomStepSchema, cycle: z.int() }),
]);

const serverMessageSchema = z.discriminatedUnion('type', [
  z.object({ type: z.literal('snapshot'), seq, you: z.string(), state: roomStateSchema, serverNow: z.number() }),
  z.object({ type: z.literal('event'), seq, event: eventSchema }),
  z.object({ type: z.literal('ack'), id: z.string() }),
  z.object({ type: z.literal('error'), code: z.string(), message: z.string(), missing: z.optional(z.array(z.string())) }),
]);

/**
 * The server message in `text`, or null when it is not one (not JSON, an
 * unknown type, a wrong shape). Error codes are kept as strings, so a code a
 * newer room adds reads as an unknown error rather than as nothing.
 */
export function parseServerMessage(text: string): ServerMessage | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = serverMessageSchema.safeParse(json);
  return parsed.success ? (parsed.data as ServerMessage) : null;
}
