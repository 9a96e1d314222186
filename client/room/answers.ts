/**
 * This learner's answers in a room: the outbox of their submissions (kept
 * until the room acknowledges them), where the answer on screen stands, and
 * their plan of the cycle, read from the study's records when this device
 * never had it.
 */
import { computed, effect, type ReadonlySignal, signal } from '@preact/signals';
import type { Plan } from '../../shared/api.ts';
import { answerFor, type RoomParticipant, type RoomState, type Submission } from '../../shared/room.ts';
import type { ConnectionState } from '../../shared/room-client.ts';
import { draftValues } from '../drafts/store.ts';
import { createSubmission } from '../forms/submission.ts';
import type { Api } from '../net/api.ts';
import { answered } from '../study/fields.ts';
import type { RoomDrafts } from './drafts.ts';
import { createOutbox, type Outbox, type Sent } from './outbox.ts';

/** Where this learner's answer for the step on screen stands. */
export type SaveState = 'saving' | 'queued' | 'saved' | 'changed' | null;

/** What the answers need from the room page. */
export interface AnswersDeps {
  api: Api;
  studyId: string;
  state: ReadonlySignal<RoomState | null>;
  me: ReadonlySignal<string | null>;
  self: ReadonlySignal<RoomParticipant | null>;
  connection: ReadonlySignal<ConnectionState>;
  drafts: RoomDrafts;
  /** Hands a submission to the room client (kept until acked, sent when it can be). */
  send: (submission: Submission) => void;
}

/** This learner's answers; `use(participantId)` once the room says who they are. */
export function roomAnswers(deps: AnswersDeps) {
  const { state, drafts } = deps;
  const submission = createSubmission();
  const box = signal<Outbox | null>(null);
  const entries = computed<Sent[]>(() => box.value?.entries.value ?? []);
  /** This learner's plan of the cycle, fetched from the records when this device never had it. */
  const fetchedPlan = signal<{ cycle: number; plan: Plan } | null>(null);

  /** This learner's submission for the step on screen. */
  const current = computed(() => {
    const s = state.value;
    const kind = s ? answerFor(s.step) : null;
    return s && kind ? (entries.value.find((e) => e.kind === kind && e.cycle === s.cycle) ?? null) : null;
  });
  const saveState = computed<SaveState>(() => {
    const s = state.value;
    const kind = s ? answerFor(s.step) : null;
    if (!kind) return null;
    const entry = current.value;
    if (entry && !entry.acked) return deps.connection.value === 'live' ? 'saving' : 'queued';
    if (entry) return drafts.say(kind, entry.answer) ? 'saved' : 'changed';
    return deps.self.value?.submitted ? 'saved' : null;
  });
  /** This learner's plan of the cycle on screen, for the studying and retrospect steps. */
  const myPlan = computed<Plan | null>(() => {
    const s = state.value;
    if (!s) return null;
    const sent = entries.value.find((e) => e.kind === 'plan' && e.cycle === s.cycle);
    if (sent?.kind === 'plan') return sent.answer;
    return fetchedPlan.value?.cycle === s.cycle ? fetchedPlan.value.plan : null;
  });

  // A learner who comes to the studying or retrospect step on a device that never had their
  // plan (another device submitted it) reads it from the study's records.
  effect(() => {
    const s = state.value;
    const id = deps.me.value;
    if (!s || !id || (s.step !== 'studying' && s.step !== 'retrospect') || myPlan.peek()) return;
    if (fetchedPlan.peek()?.cycle === s.cycle) return;
    const cycle = s.cycle;
    void deps.api.studyRecords(deps.studyId).then((result) => {
      if (!result.ok) return;
      const plan = result.data.participants
        .find((p) => p.progressId === id)
        ?.cycles.find((c) => c.cycle === cycle)?.plan;
      if (plan) fetchedPlan.value = { cycle, plan };
    });
  });

  return {
    submission,
    saveState,
    myPlan,
    /** The outbox the room client keeps pending submissions in. */
    outbox: () => box.peek(),
    /** The room says this learner is `participantId`: their outbox from now on. */
    use(participantId: string): void {
      box.value = createOutbox(participantId);
    },
    /**
     * The room moved to `next`: keeps this cycle's acknowledged answers (the
     * plan is shown while studying) and fills empty fields from them. Pending
     * ones are the room client's to drop.
     */
    moved(next: RoomState): void {
      box.peek()?.retain((e) => !e.acked || (next.step !== 'done' && e.cycle === next.cycle));
      const kind = answerFor(next.step);
      const sent = kind && box.peek()?.find(kind, next.cycle);
      if (kind && sent) drafts.fill(kind, sent.answer);
    },
    /** Validates the answer of the step on screen, keeps it in the outbox and sends it. */
    async submit(kind: 'plan' | 'retrospect'): Promise<boolean> {
      const s = state.value;
      const fields = drafts.of(kind);
      if (!s || !fields || !box.value || answerFor(s.step) !== kind) return false;
      const values = answered(draftValues(fields));
      const id = crypto.randomUUID();
      const cycle = s.cycle;
      const sent = (message: Submission) => {
        deps.send(message);
        return Promise.resolve({ ok: true as const, data: message });
      };
      const done =
        kind === 'plan'
          ? await submission.run('planSchema', values, (plan) => sent({ type: 'submit', id, cycle, plan }))
          : await submission.run('retrospectSchema', values, (retrospect) =>
              sent({ type: 'retro', id, cycle, retrospect }),
            );
      return done !== null;
    },
  };
}

/** A room page's answers. */
export type RoomAnswers = ReturnType<typeof roomAnswers>;
