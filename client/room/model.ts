/**
 * A live group study as one participant lives it (Release 2): the room's
 * state from its snapshot and numbered events, the line to the room, this
 * learner's drafts and unacknowledged submissions, and the host's actions.
 *
 * The room is the authority. The page shows what the room said, asks it for
 * a snapshot whenever it may have missed an event, and never moves anyone by
 * itself: not when time is up, not when a submission is refused.
 */
import { computed, createModel, effect, signal, type Signal } from '@preact/signals';
import { CLOSE, type RoomState, type ServerMessage } from '../../shared/room.ts';
import { subprotocolFor, TOKEN_SUBPROTOCOL } from '../../shared/compat.ts';
import type { Plan, Retrospect } from '../../shared/api.ts';
import { buildInfo } from '../build-info.ts';
import type { CompatModel } from '../compat/model.ts';
import { clearDrafts, draftValues, formDrafts } from '../drafts/store.ts';
import { createSubmission } from '../forms/submission.ts';
import type { Api } from '../net/api.ts';
import { createSocket, type CloseVerdict, type ConnectionState, type LiveSocket } from '../net/socket.ts';
import { navigate, paths } from '../router/router.ts';
import { answered, PLAN_FIELDS, RETROSPECT_FIELDS } from '../study/fields.ts';
import { chimeOnTimeUp } from '../study/sound.ts';
import { serverTimeNow, syncWithServer } from '../time/clock.ts';
import { parseServerMessage } from './messages.ts';
import { createOutbox, messageOf, type Outbox, type Sent } from './outbox.ts';
import { answerFor, applyEvent, missingOf } from './state.ts';

/** What the room page needs from the app. */
export interface RoomDeps {
  api: Api;
  compat: CompatModel;
  /** The learner's guest token, offered as a subprotocol (browsers cannot set socket headers). */
  token: () => string | null;
}

/** Something worth telling a screen reader user politely: who did what. */
export type Announcement =
  | { kind: 'joined'; nickname: string }
  | { kind: 'submitted'; nickname: string; answer: 'plan' | 'retrospect' }
  | { kind: 'host'; nickname: string; you: boolean }
  | { kind: 'lost'; answer: 'plan' | 'retrospect'; cycle: number };

/** Where this learner's answer for the step on screen stands. */
export type SaveState = 'saving' | 'queued' | 'saved' | 'changed' | null;

/** Where a participant's drafts for one step of one cycle live. */
const draftPrefix = (participantId: string, cycle: number, step: string) => `room.${participantId}.${cycle}.${step}.`;
const stepKey = (state: Pick<RoomState, 'step' | 'cycle'>) => `${state.step}:${state.cycle}`;

/** The room page's state and actions. Loads the room and connects as soon as it is created. */
export const RoomModel = createModel((deps: RoomDeps, studyId: string) => {
  const { api, compat } = deps;
  /** The room as last heard (snapshot plus events since). */
  const state = signal<RoomState | null>(null);
  /** This learner's participant id in the room. */
  const me = signal<string | null>(null);
  /** Why the room cannot be shown (`study_not_found`, `network`...). */
  const loadError = signal<string | null>(null);
  /** The room refused this learner for good (not a participant, or not recognised). */
  const refused = signal<string | null>(null);
  const socket = signal<LiveSocket | null>(null);
  /** True once the current connection delivered its snapshot. */
  const synced = signal(false);
  let everSynced = false;
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
  /** This learner's plan of the cycle, fetched from the records when this device never had it. */
  const fetchedPlan = signal<{ cycle: number; plan: Plan } | null>(null);
  const submission = createSubmission();
  /** This learner's submissions, once the room said who they are. */
  const box = signal<Outbox | null>(null);
  const outboxEntries = computed<Sent[]>(() => box.value?.entries.value ?? []);

  /** Sequence number of the last event applied; events at or below it are old news. */
  let lastSeq = 0;
  /** True from (re)connecting or asking for a sync until the snapshot arrives: events wait for it. */
  let awaitingSnapshot = true;

  const connection = computed<ConnectionState>(() => {
    const line = socket.value?.state.value ?? 'connecting';
    if (line === 'live' && !synced.value) return everSynced ? 'reconnecting' : 'connecting';
    return line;
  });
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
  const planDrafts = computed(() => {
    const s = state.value;
    return s && me.value ? formDrafts(draftPrefix(me.value, s.cycle, 'planning'), PLAN_FIELDS) : null;
  });
  const retrospectDrafts = computed(() => {
    const s = state.value;
    return s && me.value ? formDrafts(draftPrefix(me.value, s.cycle, 'retrospect'), RETROSPECT_FIELDS) : null;
  });
  /** This learner's submission for the step on screen. */
  const current = computed(() => {
    const s = state.value;
    const kind = s ? answerFor(s.step) : null;
    return s && kind ? (outboxEntries.value.find((e) => e.kind === kind && e.cycle === s.cycle) ?? null) : null;
  });
  const saveState = computed<SaveState>(() => {
    const s = state.value;
    const kind = s ? answerFor(s.step) : null;
    if (!kind) return null;
    const entry = current.value;
    if (entry && !entry.acked) return connection.value === 'live' ? 'saving' : 'queued';
    if (entry) {
      const drafts: Record<string, Signal<string>> | null = kind === 'plan' ? planDrafts.value : retrospectDrafts.value;
      const sent = entry.answer as Partial<Record<string, string>>;
      // The room has what was sent (trimmed by the schema); text typed since is not saved yet.
      const same = !drafts || Object.entries(drafts).every(([field, value]) => value.value.trim() === (sent[field] ?? ''));
      return same ? 'saved' : 'changed';
    }
    return self.value?.submitted ? 'saved' : null;
  });
  /** This learner's plan of the cycle on screen, for the studying and retrospect steps. */
  const myPlan = computed<Plan | null>(() => {
    const s = state.value;
    if (!s) return null;
    const sent = outboxEntries.value.find((e) => e.kind === 'plan' && e.cycle === s.cycle);
    if (sent?.kind === 'plan') return sent.answer;
    return fetchedPlan.value?.cycle === s.cycle ? fetchedPlan.value.plan : null;
  });

  const send = (message: object): boolean => socket.value?.send(JSON.stringify(message)) ?? false;

  const requestSync = () => {
    awaitingSnapshot = true;
    send({ type: 'sync' });
  };

  /** Re-sends what the room has not acknowledged, if the step on screen still asks for it. */
  const resendPending = () => {
    const s = state.value;
    const outbox = box.peek();
    if (!outbox || !s) return;
    for (const entry of outbox.pending()) if (answerFor(s.step) === entry.kind && entry.cycle === s.cycle) send(messageOf(entry));
  };

  /**
   * Keeps this cycle's submissions (the plan is shown while studying) and
   * drops the rest. A submission still unacknowledged when the room left its
   * step cannot be taken any more: the learner is told.
   */
  const pruneOutbox = (s: RoomState) => {
    const outbox = box.peek();
    if (!outbox) return;
    const kind = answerFor(s.step);
    const keep = (e: Sent) => s.step !== 'done' && e.cycle === s.cycle && (e.acked || e.kind === kind);
    const lost = outbox.pending().find((e) => !keep(e));
    if (lost) announcement.value = { kind: 'lost', answer: lost.kind, cycle: lost.cycle };
    outbox.retain(keep);
  };

  /** Shows `next`; a step change moves focus, forgets the old step's drafts, and on done opens the records. */
  function show(next: RoomState): void {
    const before = state.value;
    state.value = next;
    pruneOutbox(next);
    if (before && stepKey(before) === stepKey(next)) return;
    timeUpKey.value = null;
    confirming.value = null;
    advancing.value = false;
    starting.value = false;
    actionError.value = null;
    submission.reset();
    if (before && me.value) {
      moved.value = true;
      if (before.step !== 'waiting') clearDrafts(draftPrefix(me.value, before.cycle, before.step));
    }
    if (next.step === 'done') {
      navigate(paths.studyRecords(studyId), { replace: true });
      return;
    }
    // What this learner already submitted (an earlier tab, before a reload) fills fields left empty.
    const kind = answerFor(next.step);
    const sent = kind && box.peek()?.find(kind, next.cycle);
    const drafts = kind === 'plan' ? planDrafts.value : kind === 'retrospect' ? retrospectDrafts.value : null;
    if (sent && drafts) {
      for (const [field, value] of Object.entries(drafts)) value.value ||= (sent.answer as Record<string, string | undefined>)[field] ?? '';
    }
  }

  function onMessage(message: ServerMessage): void {
    switch (message.type) {
      case 'snapshot': {
        syncWithServer(message.serverNow);
        if (me.value !== message.you) useParticipant(message.you);
        lastSeq = message.seq;
        awaitingSnapshot = false;
        synced.value = true;
        everSynced = true;
        // Whatever was in flight was answered or lost with the old line; the room's state says which.
        starting.value = false;
        advancing.value = false;
        show(message.state);
        resendPending();
        return;
      }
      case 'event': {
        const s = state.value;
        if (awaitingSnapshot || !s || message.seq <= lastSeq) return;
        if (message.seq !== lastSeq + 1) return requestSync();
        lastSeq = message.seq;
        const { event } = message;
        const who = (id: string) => s.participants.find((p) => p.id === id)?.nickname ?? '';
        if (event.kind === 'joined') announcement.value = { kind: 'joined', nickname: event.participant.nickname };
        if (event.kind === 'submitted' && event.participantId !== me.value && event.step !== 'waiting') {
          const answer = answerFor(event.step);
          if (answer) announcement.value = { kind: 'submitted', nickname: who(event.participantId), answer };
        }
        if (event.kind === 'host') announcement.value = { kind: 'host', nickname: who(event.participantId), you: event.participantId === me.value };
        if (event.kind === 'time_up' && event.step === s.step && event.cycle === s.cycle) timeUpKey.value = stepKey(s);
        show(applyEvent(s, event));
        return;
      }
      case 'ack':
        box.peek()?.ack(message.id);
        return;
      case 'error':
        starting.value = false;
        advancing.value = false;
        if (message.code === 'not_all_submitted') {
          confirming.value = message.missing ?? [];
          return;
        }
        // The room is not where this page thought: ask where it is (the state never changes on an error).
        if (message.code === 'stale_step' || message.code === 'wrong_step' || message.code === 'already_started' || message.code === 'not_host') {
          requestSync();
        }
        actionError.value = message.code;
        return;
    }
  }

  function useParticipant(participantId: string): void {
    me.value = participantId;
    box.value = createOutbox(participantId);
  }

  function onClose(code: number, reason: string): CloseVerdict {
    synced.value = false;
    awaitingSnapshot = true;
    if (code === CLOSE.versionMismatch) {
      // Reported at once, before any other answer could lift the reload-loop guard.
      // The socket has no version or range to give; the notice does not need them.
      const error = reason === 'client_too_new' ? 'client_too_new' : 'client_outdated';
      compat.report({ error, message: reason, serverVersion: '', apiRange: { min: 0, max: 0 } });
      // The page stays as it was (drafts and all) under the notice, until the reload.
      return 'stop';
    }
    if (code === CLOSE.unauthorized) {
      // Ask over HTTP why: a token the server no longer takes sends the learner back
      // to the nickname step (the HTTP client does that on 401); not being in the room is an error to show.
      void api.room(studyId).then((result) => {
        refused.value = result.ok ? 'unauthorized' : result.error.error === 'study_not_found' ? 'not_a_participant' : result.error.error;
      });
      return 'stop';
    }
    if (code === CLOSE.rateLimited) return 'slow';
    // Opened in more tabs than the room keeps: this one waits until the learner picks it again.
    if (code === CLOSE.replaced) {
      refused.value = 'replaced';
      return 'stop';
    }
    return 'retry';
  }

  function connect(): void {
    if (socket.value) return;
    socket.value = createSocket({
      url: () => {
        const scheme = location.protocol === 'https:' ? 'wss:' : 'ws:';
        return `${scheme}//${location.host}/api/v2/studies/${encodeURIComponent(studyId)}/socket?build=${encodeURIComponent(buildInfo.id)}`;
      },
      protocols: () => [subprotocolFor(buildInfo.apiLevel), `${TOKEN_SUBPROTOCOL}${deps.token() ?? ''}`],
      onOpen: () => {
        synced.value = false;
        awaitingSnapshot = true;
      },
      onMessage: (text) => {
        const message = parseServerMessage(text);
        if (message) onMessage(message);
      },
      onClose,
    });
  }

  /** Loads the room over HTTP (so a refusal has a status to read), then opens the line. */
  async function load(): Promise<void> {
    loadError.value = null;
    const result = await api.room(studyId);
    if (!result.ok) {
      // No live room of yours has this id: a Release 1 group study (no room) or not yours.
      // The study page knows both and says which.
      if (result.error.error === 'study_not_found') return navigate(paths.study(studyId), { replace: true });
      loadError.value = result.error.error;
      return;
    }
    if (me.value !== result.data.participantId) useParticipant(result.data.participantId);
    // A snapshot may already have arrived on an open line; it is newer than this answer.
    if (!state.value) show(result.data.state);
    connect();
  }

  // A learner who comes to the studying or retrospect step on a device that never had their
  // plan (another device submitted it) reads it from the study's records.
  effect(() => {
    const s = state.value;
    const id = me.value;
    if (!s || !id || (s.step !== 'studying' && s.step !== 'retrospect') || myPlan.peek()) return;
    if (fetchedPlan.peek()?.cycle === s.cycle) return;
    const cycle = s.cycle;
    void api.studyRecords(studyId).then((result) => {
      if (!result.ok) return;
      const plan = result.data.participants.find((p) => p.progressId === id)?.cycles.find((c) => c.cycle === cycle)?.plan;
      if (plan) fetchedPlan.value = { cycle, plan };
    });
  });

  chimeOnTimeUp(timeUp);
  // Leaving the page closes the line (the room marks this learner offline).
  effect(() => () => socket.peek()?.close());

  void load();

  /** Validates the answer of the step on screen, keeps it in the outbox and sends it. */
  async function submit(kind: 'plan' | 'retrospect'): Promise<boolean> {
    const s = state.value;
    const drafts: Record<string, Signal<string>> | null = kind === 'plan' ? planDrafts.value : retrospectDrafts.value;
    const outbox = box.value;
    if (!s || !drafts || !outbox || answerFor(s.step) !== kind) return false;
    const values = answered(draftValues(drafts));
    const cycle = s.cycle;
    const sent = await submission.run(kind === 'plan' ? 'planSchema' : 'retrospectSchema', values, async (answer) => {
      const entry = outbox.put(kind === 'plan' ? { kind, cycle, answer: answer as Plan } : { kind, cycle, answer: answer as Retrospect });
      // Sent now if the line is up; otherwise the next snapshot re-sends it.
      send(messageOf(entry));
      return { ok: true as const, data: entry };
    });
    return sent !== null;
  }

  function advance(confirm: boolean): void {
    const s = state.value;
    if (!s || !isHost.value) return;
    confirming.value = null;
    actionError.value = null;
    advancing.value = true;
    if (!send({ type: 'advance', from: { step: s.step, cycle: s.cycle }, ...(confirm ? { confirm: true } : {}) })) {
      advancing.value = false;
      actionError.value = 'network';
    }
  }

  return {
    state,
    me,
    self,
    isHost,
    loadError,
    refused,
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
    submission,
    planDrafts,
    retrospectDrafts,
    saveState,
    myPlan,
    /** Retries a failed load. */
    load,
    /** Takes the room back in this tab after another one replaced it. */
    resume(): void {
      refused.value = null;
      socket.value = null;
      connect();
    },
    /** Host: starts cycle 1 for everyone. */
    start(): void {
      if (!isHost.value || state.value?.step !== 'waiting') return;
      actionError.value = null;
      starting.value = true;
      if (!send({ type: 'start' })) {
        starting.value = false;
        actionError.value = 'network';
      }
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
    submitPlan: () => submit('plan'),
    submitRetrospect: () => submit('retrospect'),
  };
});

/** The room model's public face, for the views. */
export type RoomModelInstance = InstanceType<typeof RoomModel>;
