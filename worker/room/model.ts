/**
 * The room's rules as pure functions over its stored state: who may do what,
 * what changes, and which event tells the others. The Durable Object only
 * stores, sends and schedules; everything decidable is decided here, so it is
 * tested without sockets.
 */
import {
  type Answer,
  type ClientMessage,
  type Draft,
  deadlineOf,
  draftHasText,
  HOST_GRACE_MS,
  nextPosition,
  type Plan,
  type RoomErrorCode,
  type RoomEvent,
  type RoomParticipant,
  type RoomState,
  type RoomStep,
  requiredAnswer,
} from '../../shared/index.ts';

/** A participant as the room stores them (online is derived from live sockets). */
export interface StoredParticipant {
  id: string;
  memberId: string;
  nickname: string;
  joinedAt: number;
  /** Cycle and step of the answer they last submitted, so `submitted` resets on a step change. */
  submittedFor: string | null;
  /** They share their plan with the room (level 3); absent: they do not. */
  sharing?: true;
}

/**
 * An answer the room holds for a participant (level 3), kept under its own
 * key so a message writes only what changed: their latest plan and their
 * latest retrospect. `submitted: false` is a draft the room kept when the
 * host moved on before they submitted.
 */
export interface HeldAnswer {
  step: RoomStep;
  cycle: number;
  answer: Answer | Draft;
  submitted: boolean;
}

/** Everything the room keeps between wake-ups. */
export interface RoomData {
  studyId: string;
  name: string;
  totalCycles: number;
  minutesPerCycle: number;
  code: string;
  step: RoomStep;
  cycle: number;
  stepStartedAt: number;
  hostId: string;
  participants: StoredParticipant[];
  /** Number of the last event sent. */
  seq: number;
  /** When the host went offline, for the handover alarm. */
  hostOfflineSince: number | null;
  /** Whether this step's time-up was already announced. */
  timeUpSent: boolean;
}

/** A durable write the room owes D1, kept in the room's storage until D1 has it. */
export type Persist =
  | { op: 'participant'; participant: StoredParticipant; studyId: string; isHost: boolean }
  /** `unsubmitted`: a draft the room kept when the host moved on; D1 marks it so the record can say so. */
  | { op: 'answer'; participantId: string; cycle: number; answer: Answer; unsubmitted?: true }
  | { op: 'step'; studyId: string; step: RoomStep; cycle: number; deadline: number | null; at: number }
  | { op: 'host'; studyId: string; participantId: string }
  /** Tells the operator view about a write D1 refused for good (the room keeps the write itself). */
  | { op: 'set_aside'; studyId: string; key: string; write: Persist; error: string; at: number };

/** A change to the room: the events everyone hears and the writes D1 is owed. */
export interface Change {
  ok: true;
  events: RoomEvent[];
  persist: Persist[];
  /** The submission id to acknowledge once the change is durable. */
  ack?: string;
}

/** What handling a message decided: an error, or a change. */
export type Outcome = { ok: false; code: RoomErrorCode; message: string; missing?: string[] } | Change;

const submittedKey = (step: RoomStep, cycle: number) => `${step}:${cycle}`;

/** The deadline of the room's current step. */
export function roomDeadline(room: RoomData): number | null {
  if (room.step === 'waiting') return null;
  return deadlineOf({ step: room.step, cycle: room.cycle, stepStartedAt: room.stepStartedAt }, room.minutesPerCycle);
}

/** The public view of one participant. */
export function viewParticipant(room: RoomData, p: StoredParticipant, online: boolean): RoomParticipant {
  return {
    id: p.id,
    nickname: p.nickname,
    isHost: p.id === room.hostId,
    online,
    submitted: p.submittedFor === submittedKey(room.step, room.cycle),
  };
}

/**
 * When the host role passes on if the offline host stays away: only while
 * someone online could take it (otherwise the room waits and says nothing).
 */
export function handoverAt(room: RoomData, anyoneElseOnline: boolean): number | null {
  return room.hostOfflineSince === null || room.step === 'done' || !anyoneElseOnline
    ? null
    : room.hostOfflineSince + HOST_GRACE_MS;
}

/**
 * What the room stores beside its value so a `resume` outlives hibernation
 * and restarts: `from` is the lowest event number after which only presence
 * changed. It holds only while the room value is still at `seq` and the code
 * that wrote it is `version`: a room another version has written since (a
 * rollback, a gradual deployment's other side) resumes nobody until its next
 * change, since that code may change what a snapshot says without telling.
 */
export interface ResumeMark {
  from: number;
  seq: number;
  version: string;
}

/** The lowest `since` a resume may start from, as read back from the stored mark (see `ResumeMark`). */
export function resumableFrom(mark: ResumeMark | undefined, seq: number, version: string): number {
  return mark && mark.seq === seq && mark.version === version ? mark.from : seq + 1;
}

/**
 * Who is online and when the host role passes on: all a `resume` carries,
 * one character per participant in the room's order.
 */
export function presenceOf(
  room: RoomData,
  isOnline: (participantId: string) => boolean,
): { online: string; handoverAt: number | null } {
  const online = room.participants.map((p) => (isOnline(p.id) ? '1' : '0')).join('');
  const anyoneElseOnline = room.participants.some((p, i) => p.id !== room.hostId && online[i] === '1');
  return { online, handoverAt: handoverAt(room, anyoneElseOnline) };
}

/** The snapshot a (re)connecting client gets; `planOf` gives a participant's plan of the current cycle, if any. */
export function snapshotOf(
  room: RoomData,
  isOnline: (participantId: string) => boolean,
  planOf: (participantId: string) => Plan | null = () => null,
): RoomState {
  const presence = presenceOf(room, isOnline);
  return {
    studyId: room.studyId,
    name: room.name,
    totalCycles: room.totalCycles,
    minutesPerCycle: room.minutesPerCycle,
    code: room.code,
    step: room.step,
    cycle: room.cycle,
    deadline: roomDeadline(room),
    participants: room.participants.map((p, i) => {
      const view = viewParticipant(room, p, presence.online[i] === '1');
      return p.sharing ? { ...view, sharing: true, plan: planOf(p.id) } : view;
    }),
    handoverAt: presence.handoverAt,
  };
}

/** Who has not yet submitted what the current step asks for. */
export function missingAnswers(room: RoomData): string[] {
  if (room.step === 'waiting' || !requiredAnswer(room.step)) return [];
  return room.participants.filter((p) => p.submittedFor !== submittedKey(room.step, room.cycle)).map((p) => p.id);
}

/** Moves the room to its next step (mutates `room`); the events and writes that follow. */
function moveTo(room: RoomData, step: RoomStep, cycle: number, now: number): Change {
  room.step = step;
  room.cycle = cycle;
  room.stepStartedAt = now;
  room.timeUpSent = false;
  const deadline = roomDeadline(room);
  return {
    ok: true,
    events: [{ kind: 'step', step, cycle, deadline }],
    persist: [{ op: 'step', studyId: room.studyId, step, cycle, deadline, at: now }],
  };
}

/**
 * Applies one client message from `participantId` to `room` (mutating it only
 * on success). Errors leave the room exactly as it was.
 */
export function handle(room: RoomData, participantId: string, message: ClientMessage, now: number): Outcome {
  const isHost = participantId === room.hostId;
  switch (message.type) {
    case 'sync':
    case 'leave':
    case 'draft':
    case 'share':
      // Answered by the object itself: they change no numbered state.
      return { ok: true, events: [], persist: [] };
    case 'start':
      if (!isHost) return { ok: false, code: 'not_host', message: 'Only the host starts the study.' };
      if (room.step !== 'waiting')
        return { ok: false, code: 'already_started', message: 'The study has already started.' };
      return moveTo(room, 'planning', 1, now);
    case 'advance': {
      if (!isHost) return { ok: false, code: 'not_host', message: 'Only the host moves the group on.' };
      if (room.step !== message.from.step || room.cycle !== message.from.cycle) {
        return { ok: false, code: 'stale_step', message: 'The room has already moved on.' };
      }
      if (room.step === 'waiting' || room.step === 'done') {
        return {
          ok: false,
          code: 'wrong_step',
          message: room.step === 'waiting' ? 'Start the study first.' : 'The study is done.',
        };
      }
      const missing = missingAnswers(room);
      if (missing.length > 0 && !message.confirm) {
        return { ok: false, code: 'not_all_submitted', message: 'Some participants have not submitted yet.', missing };
      }
      const next = nextPosition(
        { step: room.step, cycle: room.cycle, stepStartedAt: room.stepStartedAt },
        room.totalCycles,
        now,
      );
      return next
        ? moveTo(room, next.step, next.cycle, now)
        : { ok: false, code: 'wrong_step', message: 'The study is done.' };
    }
    case 'submit':
    case 'retro': {
      const kind = message.type === 'submit' ? 'plan' : 'retrospect';
      if (room.step === 'waiting' || requiredAnswer(room.step) !== kind || room.cycle !== message.cycle) {
        return { ok: false, code: 'wrong_step', message: `A ${kind} is not asked for now.` };
      }
      const participant = room.participants.find((p) => p.id === participantId);
      if (!participant) return { ok: false, code: 'invalid_message', message: 'You are not in this room.' };
      participant.submittedFor = submittedKey(room.step, room.cycle);
      const answer: Answer = message.type === 'submit' ? { plan: message.plan } : { retrospect: message.retrospect };
      return {
        ok: true,
        ack: message.id,
        events: [
          {
            kind: 'submitted',
            participantId,
            cycle: room.cycle,
            step: room.step,
            ...(participant.sharing && message.type === 'submit' ? { plan: message.plan } : {}),
          },
        ],
        persist: [{ op: 'answer', participantId, cycle: room.cycle, answer }],
      };
    }
  }
}

/**
 * The host role moves to the longest-present online participant when the
 * host has been offline longer than the grace period. Null when it stays.
 */
export function handOver(room: RoomData, now: number, isOnline: (id: string) => boolean): Change | null {
  if (room.hostOfflineSince === null || now - room.hostOfflineSince < HOST_GRACE_MS) return null;
  const heir = room.participants
    .filter((p) => p.id !== room.hostId && isOnline(p.id))
    .sort((a, b) => a.joinedAt - b.joinedAt)[0];
  if (!heir) return null;
  room.hostId = heir.id;
  room.hostOfflineSince = null;
  return {
    ok: true,
    events: [{ kind: 'host', participantId: heir.id }],
    persist: [{ op: 'host', studyId: room.studyId, participantId: heir.id }],
  };
}

/** Announces that the current step's time is up, once per step. */
export function timeUp(room: RoomData, now: number): Change | null {
  const deadline = roomDeadline(room);
  if (deadline === null || now < deadline || room.timeUpSent || room.step === 'done') return null;
  room.timeUpSent = true;
  return { ok: true, events: [{ kind: 'time_up', step: room.step, cycle: room.cycle }], persist: [] };
}

/**
 * Drafts a host's "move on anyway" keeps: each participant the step still
 * waited for who has typed something for it. Their writes mark the answers
 * as not submitted; `held` is what the room then holds for each.
 */
export function keptDrafts(
  room: RoomData,
  drafts: ReadonlyMap<string, { step: RoomStep; cycle: number; draft: Draft }>,
): { participantId: string; held: HeldAnswer; persist: Persist }[] {
  return missingAnswers(room).flatMap((participantId) => {
    const kept = drafts.get(participantId);
    if (!kept || kept.step !== room.step || kept.cycle !== room.cycle || !draftHasText(kept.draft)) return [];
    const held: HeldAnswer = { step: room.step, cycle: room.cycle, answer: kept.draft, submitted: false };
    // A draft may lack what a submission requires; D1 keeps it as typed, marked.
    const answer = kept.draft as Answer;
    return [
      { participantId, held, persist: { op: 'answer', participantId, cycle: room.cycle, answer, unsubmitted: true } },
    ];
  });
}
