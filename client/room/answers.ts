/**
 * This learner's answers in a room: the outbox of their submissions (kept
 * until the room acknowledges them), where the answer on screen stands, what
 * the room says it holds for them (saved from any of their tabs, or the draft
 * it kept when the host moved on), and their plan of the cycle, read from the
 * study's records when this device never had it.
 */
import { computed, effect, type ReadonlySignal, signal } from '@preact/signals';
import type { Plan } from '../../shared/api.ts';
import {
  answerFor,
  type Draft,
  type RoomParticipant,
  type RoomState,
  type ServerMessage,
  type Submission,
} from '../../shared/room.ts';
import type { ConnectionState } from '../../shared/room-client.ts';
import { draftValues } from '../drafts/store.ts';
import { createSubmission } from '../forms/submission.ts';
import type { Api } from '../net/api.ts';
import { answered } from '../study/fields.ts';
import type { AnswerFields, RoomDrafts } from './drafts.ts';
import { createOutbox, type Outbox, type Sent } from './outbox.ts';

/** Where this learner's answer for the step on screen stands. */
export type SaveState = 'saving' | 'queued' | 'saved' | 'changed' | null;

/** A level-3 `answer`: what the room holds for this learner at a step. */
type HeldAnswer = Extract<ServerMessage, { type: 'answer' }>;

/** The fields of an answer or draft, and which answer it is. */
function split(answer: Draft): { kind: 'plan' | 'retrospect'; fields: AnswerFields } {
  return 'plan' in answer ? { kind: 'plan', fields: answer.plan } : { kind: 'retrospect', fields: answer.retrospect };
}

/** Whether two answers say the same. */
function same(a: AnswerFields, b: AnswerFields): boolean {
  return [...new Set([...Object.keys(a), ...Object.keys(b)])].every((field) => (a[field] ?? '') === (b[field] ?? ''));
}

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
  /** This learner's plan of the cycle as the room last said (any tab's, or the draft it kept), or from the records. */
  const knownPlan = signal<{ cycle: number; plan: Plan } | null>(null);
  /** What the room says is saved for the step on screen (from any of this learner's tabs). */
  const saved = signal<AnswerFields | null>(null);
  /** A saved answer from another tab, differing from what this tab typed and has not sent: the learner chooses. */
  const offered = signal<AnswerFields | null>(null);
  /** Set when the room kept this learner's draft as their answer because the host moved on first. */
  const kept = signal(false);
  /** Counts the submits refused while a saved answer from another tab waits for the learner's choice. */
  const asked = signal(0);

  /** This learner's submission for the step on screen. */
  const current = computed(() => {
    const s = state.value;
    const kind = s ? answerFor(s.step) : null;
    return s && kind ? (entries.value.find((e) => e.kind === kind && e.cycle === s.cycle) ?? null) : null;
  });
  /** The saved answer from another tab the learner is asked about, while the fields still differ from it. */
  const conflict = computed(() => {
    const s = state.value;
    const kind = s ? answerFor(s.step) : null;
    const answer = offered.value;
    return kind && answer && !drafts.say(kind, answer) ? { kind, answer } : null;
  });
  const saveState = computed<SaveState>(() => {
    const s = state.value;
    const kind = s ? answerFor(s.step) : null;
    if (!kind) return null;
    const entry = current.value;
    if (entry && !entry.acked) return deps.connection.value === 'live' ? 'saving' : 'queued';
    // The question about another tab's answer says where it stands.
    if (conflict.value) return null;
    const answer = saved.value ?? entry?.answer;
    if (answer) return drafts.say(kind, answer) ? 'saved' : 'changed';
    return deps.self.value?.submitted ? 'saved' : null;
  });
  /** This learner's plan of the cycle on screen, for the studying and retrospect steps. */
  const myPlan = computed<Plan | null>(() => {
    const s = state.value;
    if (!s) return null;
    if (knownPlan.value?.cycle === s.cycle) return knownPlan.value.plan;
    const sent = entries.value.find((e) => e.kind === 'plan' && e.cycle === s.cycle);
    return sent?.kind === 'plan' ? sent.answer : null;
  });

  // A learner who comes to the studying or retrospect step on a device that never had their
  // plan (another device submitted it) reads it from the study's records.
  effect(() => {
    const s = state.value;
    const id = deps.me.value;
    if (!s || !id || (s.step !== 'studying' && s.step !== 'retrospect') || myPlan.peek()) return;
    if (knownPlan.peek()?.cycle === s.cycle) return;
    const cycle = s.cycle;
    void deps.api.studyRecords(deps.studyId).then((result) => {
      if (!result.ok) return;
      const plan = result.data.participants
        .find((p) => p.progressId === id)
        ?.cycles.find((c) => c.cycle === cycle)?.plan;
      if (plan && knownPlan.peek()?.cycle !== cycle) knownPlan.value = { cycle, plan };
    });
  });

  /** Sends the answer of the step on screen, as typed in this tab. */
  async function sendAnswer(kind: 'plan' | 'retrospect'): Promise<boolean> {
    const s = state.value;
    const fields = drafts.of(kind);
    if (!s || !fields || !box.value || answerFor(s.step) !== kind) return false;
    const values = answered(draftValues(fields));
    const id = crypto.randomUUID();
    const cycle = s.cycle;
    const sent = (message: Submission) => {
      // This tab's answer replaces whatever was saved; the room echoes it back.
      saved.value = null;
      offered.value = null;
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
  }

  return {
    submission,
    saveState,
    myPlan,
    conflict,
    kept,
    asked,
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
      saved.value = null;
      offered.value = null;
      kept.value = false;
      box.peek()?.retain((e) => !e.acked || (next.step !== 'done' && e.cycle === next.cycle));
      const kind = answerFor(next.step);
      const sent = kind && box.peek()?.find(kind, next.cycle);
      if (kind && sent) drafts.fill(kind, sent.answer);
    },
    /**
     * The room says what it holds for this learner. A kept draft: they are
     * told. A saved answer for the step on screen (another tab's, or this
     * one's echoed back): the fields show it, unless this tab has typed
     * something else since what it last knew as saved; then it is offered.
     */
    hear(message: HeldAnswer): void {
      const { kind, fields } = split(message.answer);
      if (kind === 'plan') knownPlan.value = { cycle: message.cycle, plan: fields as Plan };
      if (!message.submitted) {
        kept.value = true;
        return;
      }
      const s = state.peek();
      if (!s || s.step !== message.step || s.cycle !== message.cycle) return;
      const entry = current.peek();
      const known = saved.peek();
      const before = known ?? entry?.answer ?? null;
      saved.value = fields;
      // This tab's own latest answer, echoed back (nothing heard since it went): nothing to show or ask.
      if (!known && entry && same(entry.answer, fields)) return;
      const edited = before ? !drafts.say(kind, before) : !drafts.blank(kind);
      if (edited && !drafts.say(kind, fields)) {
        offered.value = fields;
        return;
      }
      offered.value = null;
      drafts.replace(kind, fields);
    },
    /** Validates the answer of the step on screen, keeps it in the outbox and sends it; asks first while another tab's saved answer is offered. */
    submit(kind: 'plan' | 'retrospect'): Promise<boolean> {
      if (!conflict.peek()) return sendAnswer(kind);
      asked.value++;
      return Promise.resolve(true);
    },
    /** Sends what this tab typed over the answer another tab saved. */
    replaceSaved(): Promise<boolean> {
      const offer = conflict.peek();
      return offer ? sendAnswer(offer.kind) : Promise.resolve(false);
    },
    /** Keeps the answer another tab saved: the fields show it again. */
    keepSaved(): void {
      const offer = conflict.peek();
      if (offer) drafts.replace(offer.kind, offer.answer);
      offered.value = null;
    },
  };
}

/** A room page's answers. */
export type RoomAnswers = ReturnType<typeof roomAnswers>;
