/**
 * The live room protocol (DESIGN §7; Release 2, API level 2): one
 * discriminated union each way, parsed at both edges. A (re)connecting client
 * gets a full snapshot, then small numbered events; a gap in the numbers
 * means "ask for a snapshot again". Timer ticks are never sent: clients count
 * down to `deadline`.
 */
import * as z from 'zod/mini';
import { cycleSchema, planSchema, retrospectSchema } from './api.ts';

/** Steps of a live room: a group waits in the lobby before cycle 1. */
export const ROOM_STEPS = ['waiting', 'planning', 'studying', 'retrospect', 'done'] as const;
export type RoomStep = (typeof ROOM_STEPS)[number];
export const roomStepSchema = z.enum(ROOM_STEPS);

/** Largest message a client may send; a plan is five 500-character answers. */
export const MAX_CLIENT_MESSAGE_BYTES = 8 * 1024;
/**
 * Messages per participant per window, counted across all their sockets (a
 * second tab must not double the allowance), before the room closes the
 * socket that went over with 4429.
 */
export const RATE_LIMIT = { messages: 20, windowMs: 10_000 } as const;
/**
 * Open sockets one participant may hold (tabs and devices). A new one past
 * this closes their oldest with `CLOSE.replaced`, so one token cannot make the
 * room fan every broadcast out to hundreds of sockets.
 */
export const MAX_SOCKETS_PER_PARTICIPANT = 5;
/** How long a host may be offline before the role moves on. */
export const HOST_GRACE_MS = 60_000;

/** WebSocket close codes a client must understand (4409 is DESIGN §4's). */
export const CLOSE = {
  /** The client speaks an API level this worker does not serve: reload. */
  versionMismatch: 4409,
  /** The token is missing or not valid for this room. */
  unauthorized: 4401,
  /** Too many messages, too fast. */
  rateLimited: 4429,
  /**
   * This participant opened more sockets than the room keeps; the oldest goes.
   * Not retried by itself: two tabs would take turns closing each other.
   */
  replaced: 4410,
  /** The room's worker version changed: reconnect with backoff and resync. */
  restart: 4503,
} as const;

/** A participant as everyone in the room sees them. */
export const roomParticipantSchema = z.object({
  id: z.string(),
  nickname: z.string(),
  isHost: z.boolean(),
  online: z.boolean(),
  /** Whether the answer the current step asks for (plan or retrospect) is in. */
  submitted: z.boolean(),
});
export type RoomParticipant = z.infer<typeof roomParticipantSchema>;

/** The room's whole state, as a snapshot carries it. */
export const roomStateSchema = z.object({
  studyId: z.string(),
  name: z.string(),
  totalCycles: z.int(),
  minutesPerCycle: z.int(),
  code: z.string(),
  step: roomStepSchema,
  cycle: z.int(),
  /** When the current step's time is up; null while waiting or done. */
  deadline: z.nullable(z.int()),
  participants: z.array(roomParticipantSchema),
});
export type RoomState = z.infer<typeof roomStateSchema>;

/** What a client may send. `id` on a submission comes back in its `ack`. */
export const clientMessageSchema = z.discriminatedUnion('type', [
  z.strictObject({ type: z.literal('sync') }),
  z.strictObject({ type: z.literal('start') }),
  z.strictObject({
    type: z.literal('advance'),
    from: z.strictObject({ step: roomStepSchema, cycle: cycleSchema }),
    /** The host saw who has not submitted and moves on anyway. */
    confirm: z.optional(z.boolean()),
  }),
  z.strictObject({
    type: z.literal('submit'),
    id: z.string().check(z.minLength(1), z.maxLength(64)),
    cycle: cycleSchema,
    plan: planSchema,
  }),
  z.strictObject({
    type: z.literal('retro'),
    id: z.string().check(z.minLength(1), z.maxLength(64)),
    cycle: cycleSchema,
    retrospect: retrospectSchema,
  }),
  z.strictObject({ type: z.literal('leave') }),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

/** A change to the room, numbered so a client can tell it missed one. */
export type RoomEvent =
  | { kind: 'joined'; participant: RoomParticipant }
  | { kind: 'presence'; participantId: string; online: boolean }
  | { kind: 'submitted'; participantId: string; cycle: number; step: RoomStep }
  | { kind: 'step'; step: RoomStep; cycle: number; deadline: number | null }
  | { kind: 'host'; participantId: string }
  | { kind: 'time_up'; step: RoomStep; cycle: number };

/** What the room sends. */
export type ServerMessage =
  | { type: 'snapshot'; seq: number; you: string; state: RoomState; serverNow: number }
  | { type: 'event'; seq: number; event: RoomEvent }
  | { type: 'ack'; id: string }
  | { type: 'error'; code: RoomErrorCode; message: string; missing?: string[] };

/** Why the room refused a message. The state never changes on an error. */
export type RoomErrorCode =
  | 'invalid_message'
  | 'too_large'
  | 'not_host'
  | 'stale_step'
  | 'not_all_submitted'
  | 'wrong_step'
  | 'already_started';

/** Shape check for server messages on the client (snapshots are parsed in full). */
export const serverMessageTypeSchema = z.object({ type: z.enum(['snapshot', 'event', 'ack', 'error']) });
