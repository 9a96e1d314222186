/**
 * A live group study as one participant lives it: view state over the shared
 * room client (shared/room-client.ts), which keeps the line, the room's state
 * and the unacknowledged submissions. This model turns what the client hears
 * into what the page shows (announcements, focus, the host's pending
 * actions), one batch per message; drafts and answers live beside it.
 *
 * The room is the authority. The page shows what the room said, and never
 * moves anyone by itself: not when time is up, not when a submission is refused.
 */
import { batch, computed, createModel, effect, signal } from '@preact/signals';
import type { RoomInvite } from '../../shared/api.ts';
import { answerFor, CLOSE, type ClientMessage, type RoomState } from '../../shared/room.ts';
import type { ConnectionState, RoomChange } from '../../shared/room-client.ts';
import type { ErrorBody } from '../../shared/schemas.ts';
import type { CompatModel } from '../compat/model.ts';
import type { Api } from '../net/api.ts';
import { navigate, paths } from '../router/router.ts';
import { alertOnTimeUp } from '../study/sound.ts';
import { keepInSync, serverTimeNow, syncWithServer } from '../time/clock.ts';
import { roomAnswers } from './answers.ts';
import { openLine, socketMismatch } from './connection.ts';
import { syncDrafts } from './draft-sync.ts';
import { roomDrafts } from './drafts.ts';
import { missingOf } from './state.ts';

/** What the room page needs from the app. */
export interface RoomDeps {
  api: Api;
  compat: CompatModel;
  /** The learner's guest token, offered as a subprotocol (browsers cannot set socket headers). */
  token: () => string | null;
  /** The learner's nickname, to offer joining under it. */
  nickname: () => string;
}

/** Something worth telling a screen reader user politely: who did what. */
export type Announcement =
  | { kind: 'joined'; nickname: string }
  | { kind: 'submitted'; nickname: string; answer: 'plan' | 'retrospect' }
  | { kind: 'host'; nickname: string; you: boolean }
  | { kind: 'lost'; answer: 'plan' | 'retrospect'; cycle: number };

const stepKey = (state: Pick<RoomState, 'step' | 'cycle'>) => `${state.step}:${state.cycle}`;

/** The invite a 404 for a room the learner is not in carries (worker/group/rooms.ts), checked by hand like every error body. */
function inviteIn(error: ErrorBody): RoomInvite | null {
  const invite = error.invite as Partial<RoomInvite> | undefined;
  return typeof invite === 'object' &&
    invite !== null &&
    typeof invite.code === 'string' &&
    typeof invite.name === 'string' &&
    typeof invite.waiting === 'boolean'
    ? { code: invite.code, name: invite.name, waiting: invite.waiting }
    : null;
}

/** The room page's state and actions. Loads the room and connects as soon as it is created. */
export const RoomModel = createModel((deps: RoomDeps, studyId: string) => {
  const { api, compat } = deps;
  /** The room as last heard (the HTTP answer until the first snapshot). */
  const state = signal<RoomState | null>(null);
  /** This learner's participant id in the room. */
  const me = signal<string | null>(null);
  /** Why the room cannot be shown (`study_not_found`, `network`...). */
  const loadError = signal<string | null>(null);
  /** The room refused this learner for good (not a participant, or not recognised). */
  const refused = signal<string | null>(null);
  /** Set when the learner is not in this live group study: how to join it, or that it has started. */
  const invite = signal<RoomInvite | null>(null);
  /** Who the host role went to last, for the page to say so in view. */
  const handedTo = signal<{ nickname: string; you: boolean } | null>(null);
  const connection = signal<ConnectionState>('connecting');
  /** The step whose time-up the room announced (`step:cycle`). */
  const timeUpKey = signal<string | null>(null);
  /** True once the step changed on this page, so the new step's heading takes focus. */
  const moved = signal(false);
  /** The last change worth announcing. */
  const announcement = signal<Announcement | null>(null);
  /** The last refusal from the room that the learner should see. */
  const actionError = signal<string | null>(null);
  const starting = signal(false);
  const advancing = signal(false);
  /** Non-null while the host is asked to confirm moving on without everyone's answers. */
  const confirming = signal<string[] | null>(null);
  /** What this learner just asked the room about sharing their plan, until the room says it did. */
  const sharing = signal<boolean | null>(null);

  const self = computed(() => state.value?.participants.find((p) => p.id === me.value) ?? null);
  const isHost = computed(() => Boolean(self.value?.isHost));
  /** Milliseconds until the step's deadline (negative once past), or null without one. */
  const remaining = computed(() => {
    const deadline = state.value?.deadline;
    return deadline == null ? null : deadline - serverTimeNow();
  });
  /** Whether the room announced that the step's time is up (its alarm rang). */
  const roomTimeUp = computed(() => state.value !== null && timeUpKey.value === stepKey(state.value));
  /** Whether the step's time is up (the deadline passed here, or the room said so); null without a deadline. */
  const timeUp = computed(() => {
    const left = remaining.value;
    if (left === null || !state.value) return null;
    return left <= 0 || roomTimeUp.value;
  });

  const drafts = roomDrafts(state, me);
  const answers = roomAnswers({
    api,
    studyId,
    state,
    me,
    self,
    connection,
    drafts,
    send: (submission) => void line.submit(submission),
  });
  const line = openLine({ studyId, token: deps.token, outbox: answers.outbox });
  syncDrafts({ state, self, drafts, send: (message) => line.draft(message) });

  const useParticipant = (participantId: string) => {
    me.value = participantId;
    answers.use(participantId);
  };

  /** Shows `next`; a step change moves focus, forgets the old step's drafts, and on done opens the records. */
  function show(next: RoomState): void {
    const before = state.value;
    state.value = next;
    if (before && stepKey(before) === stepKey(next)) return;
    timeUpKey.value = null;
    confirming.value = null;
    advancing.value = false;
    starting.value = false;
    actionError.value = null;
    handedTo.value = null;
    answers.submission.reset();
    if (before && me.value) {
      moved.value = true;
      drafts.forget(before);
    }
    answers.moved(next);
    if (next.step === 'done') navigate(paths.studyRecords(studyId), { replace: true });
  }

  /** Makes one change the client heard into what the page shows. */
  function apply(change: RoomChange): void {
    switch (change.type) {
      case 'snapshot':
        syncWithServer(change.serverNow);
        if (me.value !== change.you) useParticipant(change.you);
        // Whatever was in flight was answered or lost with the old line; the room's state says which.
        starting.value = false;
        advancing.value = false;
        sharing.value = null;
        show(change.state);
        return;
      case 'event': {
        const { event, before } = change;
        const who = (id: string) => before.participants.find((p) => p.id === id)?.nickname ?? '';
        if (event.kind === 'joined') announcement.value = { kind: 'joined', nickname: event.participant.nickname };
        if (event.kind === 'submitted' && event.participantId !== me.value) {
          const answer = answerFor(event.step);
          if (answer) announcement.value = { kind: 'submitted', nickname: who(event.participantId), answer };
        }
        if (event.kind === 'host') {
          const handed = { nickname: who(event.participantId), you: event.participantId === me.value };
          announcement.value = { kind: 'host', ...handed };
          handedTo.value = handed;
        }
        if (event.kind === 'time_up' && event.step === before.step && event.cycle === before.cycle)
          timeUpKey.value = stepKey(before);
        show(change.state);
        return;
      }
      case 'lost':
        announcement.value = {
          kind: 'lost',
          answer: change.submission.type === 'submit' ? 'plan' : 'retrospect',
          cycle: change.submission.cycle,
        };
        return;
      case 'error':
        starting.value = false;
        advancing.value = false;
        if (change.code === 'not_all_submitted') {
          confirming.value = change.missing ?? [];
          return;
        }
        // The room is not where this page thought: ask where it is (the state never changes on an error).
        if (
          change.code === 'stale_step' ||
          change.code === 'wrong_step' ||
          change.code === 'already_started' ||
          change.code === 'not_host'
        )
          line.sync();
        actionError.value = change.code;
        return;
      case 'connection':
        connection.value = change.connection;
        return;
      case 'close':
        closed(change.code, change.reason);
        return;
      case 'answer':
        answers.hear(change.message);
        return;
      case 'shared':
        if (change.participantId === me.value) sharing.value = null;
        state.value = change.state;
        return;
      case 'ack':
        // The outbox marked it; the save state follows.
        return;
    }
  }

  /** What a close the client will not retry by itself means for the page. */
  function closed(code: number, reason: string): void {
    // The page stays as it was (drafts and all) under the notice, until the reload.
    if (code === CLOSE.versionMismatch)
      void socketMismatch(reason).then((mismatch) => mismatch && compat.report(mismatch));
    if (code === CLOSE.unauthorized) {
      // Ask over HTTP why: a token the server no longer takes sends the learner back
      // to the nickname step (the HTTP client does that on 401); not being in the room is an error to show.
      void api.room(studyId).then((result) => {
        refused.value = result.ok
          ? 'unauthorized'
          : result.error.error === 'study_not_found'
            ? 'not_a_participant'
            : result.error.error;
      });
    }
    // Opened in more tabs than the room keeps: this one waits until the learner picks it again.
    if (code === CLOSE.replaced) refused.value = 'replaced';
  }

  line.listen((changes) => batch(() => changes.forEach(apply)));

  /** Loads the room over HTTP (so a refusal has a status to read), then opens the line. */
  async function load(): Promise<void> {
    loadError.value = null;
    const result = await api.room(studyId);
    if (!result.ok) {
      // No live room of yours has this id: a group study without a room, or not yours.
      // The study page knows both and says which; a live one the learner is not in comes with its invite.
      if (result.error.error === 'study_not_found') {
        invite.value = inviteIn(result.error);
        if (!invite.value) navigate(paths.study(studyId), { replace: true });
        return;
      }
      loadError.value = result.error.error;
      return;
    }
    batch(() => {
      if (me.value !== result.data.participantId) useParticipant(result.data.participantId);
      // A snapshot may already have arrived on an open line; it is newer than this answer.
      if (!state.value) show(result.data.state);
    });
    line.connect();
  }

  alertOnTimeUp(timeUp, () => state.value?.name ?? null);
  // Leaving the page closes the line (the room marks this learner offline).
  effect(() => () => line.dispose());
  // A snapshot carries the room's clock: asked for now and then, and at once after the device clock jumps.
  effect(() => keepInSync(() => line.sync()));

  void load();

  /** Sends a host command, busy until the room answers; a line that is down shows as a network error. */
  function command(busy: typeof starting, message: ClientMessage): void {
    actionError.value = null;
    busy.value = true;
    if (!line.send(message)) {
      busy.value = false;
      actionError.value = 'network';
    }
  }

  function advance(confirm: boolean): void {
    const s = state.value;
    if (!s || !isHost.value) return;
    confirming.value = null;
    command(advancing, {
      type: 'advance',
      from: { step: s.step, cycle: s.cycle },
      ...(confirm ? { confirm: true } : {}),
    });
  }

  return {
    state,
    me,
    self,
    isHost,
    loadError,
    refused,
    invite,
    handedTo,
    nickname: deps.nickname,
    connection,
    remaining,
    timeUp,
    roomTimeUp,
    moved,
    announcement,
    actionError,
    starting,
    advancing,
    confirming,
    submission: answers.submission,
    planDrafts: drafts.plan,
    retrospectDrafts: drafts.retrospect,
    saveState: answers.saveState,
    myPlan: answers.myPlan,
    /** A saved answer from another of this learner's tabs that differs from what this tab typed. */
    conflict: answers.conflict,
    /** Counts the submits held back while `conflict` waits for the learner's choice. */
    asked: answers.asked,
    /** Set when the host moved on before this learner submitted and the room kept what they wrote. */
    kept: answers.kept,
    keepSaved: answers.keepSaved,
    replaceSaved: answers.replaceSaved,
    /** Whether this learner shares their plan, as they last chose (before the room confirms) or as the room says. */
    sharing: computed(() => sharing.value ?? Boolean(self.value?.sharing)),
    /** Shares this learner's plan with the room, or stops. */
    share(on: boolean): void {
      actionError.value = null;
      if (line.send({ type: 'share', on })) sharing.value = on;
      else actionError.value = 'network';
    },
    /** Retries a failed load. */
    load,
    /** Takes the room back in this tab after another one replaced it. */
    resume(): void {
      refused.value = null;
      line.connect();
    },
    /** Host: starts cycle 1 for everyone. */
    start(): void {
      if (!isHost.value || state.value?.step !== 'waiting') return;
      command(starting, { type: 'start' });
    },
    /** Host: moves everyone on, after asking when someone has not submitted yet. */
    next(): void {
      const s = state.value;
      if (!s || !isHost.value || advancing.value) return;
      const missing = missingOf(s);
      if (missing.length > 0) confirming.value = missing.map((p) => p.id);
      else advance(false);
    },
    /** Host: moves on although not everyone has submitted. */
    confirmNext: () => advance(true),
    /** Host: keeps waiting. */
    cancelNext(): void {
      confirming.value = null;
    },
    /**
     * Leaves the room for now and goes home: the room marks this learner away
     * and, if they host, hands the role on at once instead of after the
     * grace period. They stay a participant and can come back with the link.
     * A line that is down cannot say it; the room then counts them as dropped.
     */
    leave(): void {
      line.send({ type: 'leave' });
      line.dispose();
      navigate(paths.home());
    },
    submitPlan: () => answers.submit('plan'),
    submitRetrospect: () => answers.submit('retrospect'),
  };
});

/** The room model's public face. */
export type RoomModelInstance = InstanceType<typeof RoomModel>;
