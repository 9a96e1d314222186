/**
 * What the room's state says to the page: what each participant is doing
 * now, and who the host would leave behind by moving on.
 */
import { requiredAnswer } from '../../shared/domain.ts';
import type { RoomParticipant, RoomState, RoomStep } from '../../shared/room.ts';

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
