/**
 * What this learner is typing in a room: the plan and retrospect fields of
 * the step on screen, kept as drafts (they survive a reload) under the
 * participant, cycle and step they belong to.
 */
import { computed, type ReadonlySignal, type Signal } from '@preact/signals';
import type { RoomState } from '../../shared/room.ts';
import { clearDrafts, formDrafts } from '../drafts/store.ts';
import { PLAN_FIELDS, RETROSPECT_FIELDS } from '../study/fields.ts';

/** Where a participant's drafts for one step of one cycle live. */
const draftPrefix = (participantId: string, cycle: number, step: string) => `room.${participantId}.${cycle}.${step}.`;

/** One form's fields, by name. */
export type DraftFields = Record<string, Signal<string>>;

/** An answer's text by field, any of them missing: a plan, a retrospect, or a draft of one. */
export type AnswerFields = Partial<Record<string, string>>;

/** The drafts of the step on screen, for the learner `me`. */
export function roomDrafts(state: ReadonlySignal<RoomState | null>, me: ReadonlySignal<string | null>) {
  const plan = computed(() => {
    const s = state.value;
    return s && me.value ? formDrafts(draftPrefix(me.value, s.cycle, 'planning'), PLAN_FIELDS) : null;
  });
  const retrospect = computed(() => {
    const s = state.value;
    return s && me.value ? formDrafts(draftPrefix(me.value, s.cycle, 'retrospect'), RETROSPECT_FIELDS) : null;
  });
  /** The fields of the answer `kind`, or null before the room and the learner are known. */
  const of = (kind: 'plan' | 'retrospect' | null): DraftFields | null =>
    kind === 'plan' ? plan.value : kind === 'retrospect' ? retrospect.value : null;
  return {
    plan,
    retrospect,
    of,
    /** The room left `before`: what was typed for it is done with. */
    forget(before: RoomState): void {
      if (me.value && before.step !== 'waiting') clearDrafts(draftPrefix(me.value, before.cycle, before.step));
    },
    /** Fills fields left empty with `answer`, what this learner already submitted (an earlier tab, before a reload). */
    fill(kind: 'plan' | 'retrospect', answer: AnswerFields): void {
      for (const [field, value] of Object.entries(of(kind) ?? {})) value.value ||= answer[field] ?? '';
    },
    /** Sets every field to `answer` (saved from another tab, or chosen over what was typed here); missing fields empty. */
    replace(kind: 'plan' | 'retrospect', answer: AnswerFields): void {
      for (const [field, value] of Object.entries(of(kind) ?? {})) value.value = answer[field] ?? '';
    },
    /** Whether the fields still say `answer` (the room has it trimmed by the schema); false once text was typed since. */
    say(kind: 'plan' | 'retrospect', answer: AnswerFields): boolean {
      const fields = of(kind);
      return !fields || Object.entries(fields).every(([field, value]) => value.value.trim() === (answer[field] ?? ''));
    },
    /** Whether nothing is typed in the fields of `kind`. */
    blank(kind: 'plan' | 'retrospect'): boolean {
      return Object.values(of(kind) ?? {}).every((value) => value.value.trim() === '');
    },
  };
}

/** The drafts of a room page. */
export type RoomDrafts = ReturnType<typeof roomDrafts>;
