/**
 * The live room protocol (DESIGN §7), written once: one discriminated union
 * each way, parsed at both edges, the types inferred from the schemas, and
 * the pure `applyEvent` every client keeps the room with. A (re)connecting client
 * gets a full snapshot, then small numbered events; a gap in the numbers
 * means "ask for a snapshot again". Timer ticks are never sent: clients count
 * down to `deadline`.
 */
import * as z from 'zod/mini';
import { cycleSchema, planSchema, retrospectSchema } from './api.ts';
import { LIMITS, requiredAnswer } from './domain.ts';

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
/**
 * How long a host may be offline before the role moves on: long enough for a
 * reload or a dropped connection to come back (a client retries within about
 * 15 s, most often within one), short enough that a group waiting to move on
 * is not stalled. A host who presses Leave hands the role on at once.
 */
export const HOST_GRACE_MS = 20_000;

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
  /** Whether they share their plan with the room (off unless they turn it on); absent means no. */
  sharing: z.optional(z.boolean()),
  /** Their submitted plan of the current cycle, while they share it. */
  plan: z.optional(z.nullable(planSchema)),
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
  /**
   * When the host role passes on if the offline host does not come back
   * (room clock); null while the host is online or nobody could take it.
   * Optional: rooms before 2.2 do not send it.
   */
  handoverAt: z.optional(z.nullable(z.number())),
});
export type RoomState = z.infer<typeof roomStateSchema>;

const draftText = z.optional(z.string().check(z.maxLength(LIMITS.answer.max)));

/**
 * A plan or retrospect as typed so far, any field empty (API level 3). The
 * room keeps each learner's latest so a host who moves on anyway keeps what
 * they wrote, marked as not submitted.
 */
export const draftSchema = z.union([
  z.strictObject({
    plan: z.strictObject({
      toDo: draftText,
      completionCondition: draftText,
      expectedProbability: draftText,
      expectedDifficulty: draftText,
      whatCanYouDo: draftText,
    }),
  }),
  z.strictObject({
    retrospect: z.strictObject({ doneAsExpected: draftText, experiencedDifficulty: draftText, lesson: draftText }),
  }),
]);
export type Draft = z.infer<typeof draftSchema>;

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
  /** Level 3: what the learner has typed for the step on screen; no answer, the latest wins. */
  z.strictObject({ type: z.literal('draft'), cycle: cycleSchema, draft: draftSchema }),
  /** Level 3: share (or stop sharing) my plan with the room. */
  z.strictObject({ type: z.literal('share'), on: z.boolean() }),
]);
export type ClientMessage = z.infer<typeof clientMessageSchema>;

/** Why the room refused a message. The state never changes on an error. */
export const ROOM_ERROR_CODES = [
  'invalid_message',
  'too_large',
  'not_host',
  'stale_step',
  'not_all_submitted',
  'wrong_step',
  'already_started',
] as const;
export type RoomErrorCode = (typeof ROOM_ERROR_CODES)[number];

/** A change to the room, numbered so a client can tell it missed one. */
export const roomEventSchema = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('joined'), participant: roomParticipantSchema }),
  z.object({
    kind: z.literal('presence'),
    participantId: z.string(),
    online: z.boolean(),
    /** Sent with the host's own presence: when the role passes on (see `RoomState.handoverAt`). */
    handoverAt: z.optional(z.nullable(z.number())),
  }),
  /**
   * API level 3: every presence change of a short window in one event, each
   * participant once with where they ended up. It stands for
   * `online.length + offline.length` numbers (see `eventSpan`), the single
   * `presence` events a level-2 page gets instead.
   */
  z.object({
    kind: z.literal('presences'),
    online: z.array(z.string()),
    offline: z.array(z.string()),
    handoverAt: z.optional(z.nullable(z.number())),
  }),
  z.object({
    kind: z.literal('submitted'),
    participantId: z.string(),
    cycle: z.int(),
    step: roomStepSchema,
    /** The plan itself, when its writer shares it (see `RoomParticipant.plan`). */
    plan: z.optional(planSchema),
  }),
  z.object({ kind: z.literal('step'), step: roomStepSchema, cycle: z.int(), deadline: z.nullable(z.int()) }),
  z.object({ kind: z.literal('host'), participantId: z.string() }),
  z.object({ kind: z.literal('time_up'), step: roomStepSchema, cycle: z.int() }),
]);
export type RoomEvent = z.infer<typeof roomEventSchema>;

const seqSchema = z.int().check(z.nonnegative());

/**
 * What the room sends. Error codes are read as strings, so a code a newer
 * room adds reads as an unknown error rather than as nothing; the room itself
 * only sends a `RoomErrorCode`.
 */
export const serverMessageSchema = z.discriminatedUnion('type', [
  z.object({
    type: z.literal('snapshot'),
    seq: seqSchema,
    you: z.string(),
    state: roomStateSchema,
    serverNow: z.number(),
  }),
  z.object({ type: z.literal('event'), seq: seqSchema, event: roomEventSchema }),
  /**
   * Level 3, instead of a snapshot, to a socket that came back at a `since`
   * after which only presence changed: who is online now, one character per
   * participant in the state's order (`1` online, `0` not), and when the
   * host role passes on. A reconnect storm then costs a few bytes per
   * learner, not the whole room (see `applyResume`).
   */
  z.object({
    type: z.literal('resume'),
    seq: seqSchema,
    you: z.string(),
    serverNow: z.number(),
    online: z.string().check(z.regex(/^[01]*$/)),
    handoverAt: z.nullable(z.number()),
  }),
  z.object({ type: z.literal('ack'), id: z.string() }),
  /**
   * Level 3, to one learner's own sockets only: the answer the room holds
   * for them at this step, so every tab shows what was saved. `submitted`
   * false: the host moved on before they submitted and the room kept their
   * draft as their answer.
   */
  z.object({
    type: z.literal('answer'),
    step: roomStepSchema,
    cycle: z.int(),
    answer: draftSchema,
    submitted: z.boolean(),
  }),
  /**
   * Level 3, not numbered (it sets, so a missed one is made good by the next
   * snapshot): a participant started or stopped sharing; `plan` is what
   * everyone now sees of theirs.
   */
  z.object({
    type: z.literal('shared'),
    participantId: z.string(),
    sharing: z.boolean(),
    plan: z.nullable(planSchema),
  }),
  z.object({
    type: z.literal('error'),
    code: z.string(),
    message: z.string(),
    missing: z.optional(z.array(z.string())),
  }),
]);
export type ServerMessage = z.infer<typeof serverMessageSchema>;

/**
 * The server message in `text`, or null when it is not one (not JSON, an
 * unknown type, a wrong shape): a bad message never breaks a client.
 */
export function parseServerMessage(text: string): ServerMessage | null {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return null;
  }
  const parsed = serverMessageSchema.safeParse(json);
  return parsed.success ? parsed.data : null;
}

/** A message the room acknowledges once what it carries is durable. */
export type Submission = Extract<ClientMessage, { type: 'submit' | 'retro' }>;

/** The answer the room's step asks for, if any. */
export function answerFor(step: RoomStep): 'plan' | 'retrospect' | null {
  return step === 'waiting' ? null : requiredAnswer(step);
}

/** Whether the room at `state` still takes `submission` (a step that has moved on never will). */
export function stillAsked(state: Pick<RoomState, 'step' | 'cycle'>, submission: Submission): boolean {
  return (
    answerFor(state.step) === (submission.type === 'submit' ? 'plan' : 'retrospect') && submission.cycle === state.cycle
  );
}

/**
 * How many event numbers `event` stands for: a level-3 `presences` batch takes
 * one per participant in it, so pages of both levels count the same numbers.
 */
export function eventSpan(event: RoomEvent): number {
  return event.kind === 'presences' ? Math.max(1, event.online.length + event.offline.length) : 1;
}

/** `state` after `event`, as every client keeps the room between snapshots. Never mutates `state`. */
export function applyEvent(state: RoomState, event: RoomEvent): RoomState {
  const update = (id: string, change: Partial<RoomParticipant>) => ({
    ...state,
    participants: state.participants.map((p) => (p.id === id ? { ...p, ...change } : p)),
  });
  switch (event.kind) {
    case 'joined':
      return state.participants.some((p) => p.id === event.participant.id)
        ? update(event.participant.id, event.participant)
        : { ...state, participants: [...state.participants, event.participant] };
    case 'presence': {
      const next = update(event.participantId, { online: event.online });
      const isHost = state.participants.some((p) => p.id === event.participantId && p.isHost);
      return isHost ? { ...next, handoverAt: event.handoverAt ?? null } : next;
    }
    case 'presences': {
      const online = new Set(event.online);
      const offline = new Set(event.offline);
      return {
        ...state,
        handoverAt: event.handoverAt ?? null,
        participants: state.participants.map((p) =>
          online.has(p.id) ? { ...p, online: true } : offline.has(p.id) ? { ...p, online: false } : p,
        ),
      };
    }
    case 'submitted': {
      // An answer for a step the room has left says nothing about the step on screen.
      if (event.cycle !== state.cycle) return state;
      const plan = event.plan ? { plan: event.plan } : null;
      if (event.step === state.step) return update(event.participantId, { submitted: true, ...plan });
      return plan ? update(event.participantId, plan) : state;
    }
    case 'step':
      return {
        ...state,
        step: event.step,
        cycle: event.cycle,
        deadline: event.deadline,
        // A new cycle starts with new plans: last cycle's shared ones go.
        participants: state.participants.map((p) => ({
          ...p,
          submitted: false,
          ...(event.cycle !== state.cycle ? { plan: null } : {}),
        })),
      };
    case 'host':
      return {
        ...state,
        handoverAt: null,
        participants: state.participants.map((p) => ({ ...p, isHost: p.id === event.participantId })),
      };
    case 'time_up':
      return state;
  }
}

/** A level-3 `resume` message. */
export type ResumeMessage = Extract<ServerMessage, { type: 'resume' }>;

/**
 * `state` (as the client held it) brought up to a `resume`: only who is
 * online and the handover time differ. Null when the message cannot be about
 * this state (another number of participants): the caller asks for a snapshot.
 */
export function applyResume(state: RoomState, message: Pick<ResumeMessage, 'online' | 'handoverAt'>): RoomState | null {
  if (message.online.length !== state.participants.length) return null;
  return {
    ...state,
    handoverAt: message.handoverAt,
    participants: state.participants.map((p, i) => ({ ...p, online: message.online[i] === '1' })),
  };
}

/** A level-3 `shared` message. */
export type SharedMessage = Extract<ServerMessage, { type: 'shared' }>;

/** `state` after a participant started or stopped sharing their plan. Never mutates `state`. */
export function applyShared(
  state: RoomState,
  message: Pick<SharedMessage, 'participantId' | 'sharing' | 'plan'>,
): RoomState {
  return {
    ...state,
    participants: state.participants.map((p) =>
      p.id === message.participantId ? { ...p, sharing: message.sharing, plan: message.plan } : p,
    ),
  };
}

/** Whether `draft` holds anything typed: an empty one is not worth keeping as an answer. */
export function draftHasText(draft: Draft): boolean {
  const fields: Record<string, string | undefined> = 'plan' in draft ? draft.plan : draft.retrospect;
  return Object.values(fields).some((value) => (value ?? '').trim() !== '');
}
