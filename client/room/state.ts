/**
 * The room's state as the page keeps it between snapshots: pure functions
 * that apply one event, and that say what each participant is doing now.
 */
import { requiredAnswer } from '../../shared/domain.ts';
import type { RoomEvent, RoomParticipant, RoomState, RoomStep } from '../../shared/room.ts';

/** `state` after `event`. Never mutates `state`. */
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
    case 'presence':
      return update(event.participantId, { online: event.online });
    case 'submitted':
      // An answer for a step the room has left says nothing about the step on screen.
      return event.step === state.step && event.cycle === state.cycle ? update(event.participantId, { submitted: true }) : state;
    case 'step':
      return {
        ...state,
        step: event.step,
        cycle: event.cycle,
        deadline: event.deadline,
        participants: state.participants.map((p) => ({ ...p, submitted: false })),
      };
    case 'host':
      return { ...state, participants: state.participants.map((p) => ({ ...p, isHost: p.id === event.participantId })) };
    case 'time_up':
      return state;
  }
}

/** What a participant is doing, as the list says it. */
export type Activity =
  | 'waiting'
  | 'writingPlan'
  | 'planSubmitted'
  | 'studying'
  | 'writingRetrospect'
  | 'retrospectSubmitted'
  | 'done';

/** What `participant` is doing in a room at `step`. */
export function activityOf(step: RoomStep, participant: Pick<RoomParticipant, 'submitted'>): Activity {
  switch (step) {
    case 'waiting':
      return 'waiting';
    case 'planning':
      return participant.submitted ? 'planSubmitted' : 'writingPlan';
    case 'studying':
      return 'studying';
    case 'retrospect':
      return participant.submitted ? 'retrospectSubmitted' : 'writingRetrospect';
    case 'done':
      return 'done';
  }
}

/** Who has not yet submitted what the current step asks for (none when it asks for nothing). */
export function missingOf(state: RoomState): RoomParticipant[] {
  if (state.step === 'waiting' || !requiredAnswer(state.step)) return [];
  return state.participants.filter((p) => !p.submitted);
}

/** The answer the room's step asks for, if any. */
export function answerFor(step: RoomStep): 'plan' | 'retrospect' | null {
  return step === 'waiting' ? null : requiredAnswer(step);
}
