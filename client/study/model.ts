/**
 * One study as one learner lives it over HTTP (everyone on their own):
 * the page from the server, the countdown to this step's deadline, the
 * drafts of this step's form, and the actions that move the learner on.
 */
import { computed, createModel, effect, signal } from '@preact/signals';
import type { ProgressView, StudyPage } from '../../shared/api.ts';
import { clearDrafts, draftValues, formDrafts } from '../drafts/store.ts';
import { createSubmission } from '../forms/submission.ts';
import type { Api } from '../net/api.ts';
import { navigate, paths } from '../router/router.ts';
import { keepInSync, serverTimeNow, syncWithServer } from '../time/clock.ts';
import { endSolo } from './ending.ts';
import { answered, draftPrefix, PLAN_FIELDS, RETROSPECT_FIELDS } from './fields.ts';
import { alertOnTimeUp } from './sound.ts';

/** Error codes that mean the server's position is not the one on screen: reload it. */
const MOVED_ON = new Set(['stale_step', 'wrong_step']);

/** The study page's state and actions. Loads the study as soon as it is created. */
export const StudyModel = createModel((api: Api, studyId: string) => {
  /** The study as last fetched (or as updated by our own moves). */
  const page = signal<StudyPage | null>(null);
  /** Why the study could not be shown at all (`study_not_found`, `not_a_participant`...). */
  const loadError = signal<string | null>(null);
  /** True while a re-fetch is out. */
  const refreshing = signal(false);
  /** True when the server showed the learner further on than this page did (another device moved on). */
  const movedElsewhere = signal(false);
  /** True once the learner's step changed on this page, so the new step's heading takes focus. */
  const moved = signal(false);
  /** The current step's form submission (or the plain "move on" of studying). */
  const submission = createSubmission();
  /** Ending the study early (solo only). */
  const ending = createSubmission();

  const me = computed(() => page.value?.me ?? null);
  /** Milliseconds until the step's deadline (negative once past), or null without a deadline. */
  const remaining = computed(() => {
    const deadline = me.value?.deadline;
    return deadline == null ? null : deadline - serverTimeNow();
  });
  /** Whether the step's time is up; null while unknown (loading, or done). */
  const timeUp = computed(() => (remaining.value === null ? null : remaining.value <= 0));
  const planDrafts = computed(() => (me.value ? formDrafts(draftPrefix(me.value, 'planning'), PLAN_FIELDS) : null));
  const retrospectDrafts = computed(() =>
    me.value ? formDrafts(draftPrefix(me.value, 'retrospect'), RETROSPECT_FIELDS) : null,
  );

  /** Shows `next`; when the learner's position changed, forgets the drafts of the step left behind. */
  function show(next: StudyPage): void {
    const before = page.value?.me;
    page.value = next;
    const after = next.me;
    if (before && before.step === after.step && before.cycle === after.cycle) return;
    if (before) {
      moved.value = true;
      clearDrafts(draftPrefix(before, before.step));
    }
    submission.reset();
    // Answers the server already has (saved from another device, or before a
    // failed move) fill the fields this device left empty.
    const saved = after.step === 'planning' ? after.plan : after.step === 'retrospect' ? after.retrospect : null;
    const drafts = after.step === 'planning' ? planDrafts.value : retrospectDrafts.value;
    if (saved && drafts) {
      for (const [field, value] of Object.entries(drafts))
        value.value ||= (saved as Record<string, string | undefined>)[field] ?? '';
    }
  }

  /** Fetches the study; a failed re-fetch keeps showing what we had. */
  async function load(): Promise<void> {
    refreshing.value = true;
    const result = await api.study(studyId);
    refreshing.value = false;
    if (result.ok) {
      syncWithServer(result.data.serverNow);
      loadError.value = null;
      const first = !page.value;
      show(result.data);
      // A live group study is lived in its room; an old link lands here.
      if (first && result.data.study.mode === 'group') void openRoomIfLive();
    } else if (!page.value) {
      // Not in a live group study: its room page offers to join it (or says it started).
      if (result.error.error === 'not_a_participant' && (await openRoomIfLive())) return;
      loadError.value = result.error.error;
    }
  }

  /**
   * Moves to the study's live room when it has one (group studies made at API
   * level 1 have none and stay here), for a participant or, with an invite in
   * the answer, for someone who may join it. True when it moved.
   */
  async function openRoomIfLive(): Promise<boolean> {
    const room = await api.room(studyId);
    if (!room.ok && !('invite' in room.error)) return false;
    navigate(paths.room(studyId), { replace: true });
    return true;
  }

  /** Applies our own move, or re-fetches when the server says the page was out of date. */
  async function settle(progress: ProgressView | null): Promise<boolean> {
    const current = page.value;
    if (progress && current) {
      show({
        ...current,
        me: progress,
        participants: current.participants.map((p) =>
          p.progressId === progress.progressId ? { ...p, step: progress.step, cycle: progress.cycle } : p,
        ),
      });
      movedElsewhere.value = false;
      return true;
    }
    if (submission.error.value && MOVED_ON.has(submission.error.value)) {
      await load();
      movedElsewhere.value = true;
    }
    return false;
  }

  /** Moves on from the step on screen; `from` makes a double click or a second device harmless. */
  const advanceFrom = (current: ProgressView) =>
    api.advance(current.progressId, { from: { step: current.step, cycle: current.cycle } });

  // Sound once, when the time runs out while the learner is here.
  alertOnTimeUp(timeUp, () => page.value?.study.name ?? null);

  // No live sync here: coming back to the tab re-fetches the study,
  // so other participants' progress and another device's moves show up.
  effect(() => {
    const refresh = () => void load();
    addEventListener('focus', refresh);
    return () => removeEventListener('focus', refresh);
  });
  // The re-fetch also brings the server's clock: the countdown keeps to it
  // every few minutes and right after the device clock jumps.
  effect(() => keepInSync(() => void load()));

  void load();

  return {
    page,
    loadError,
    refreshing,
    movedElsewhere,
    moved,
    submission,
    ending,
    me,
    remaining,
    timeUp,
    planDrafts,
    retrospectDrafts,
    /** Re-fetches the study (the participants' refresh button). */
    load,
    /** Saves the plan, then starts studying. */
    async submitPlan(): Promise<boolean> {
      const current = me.value;
      const drafts = planDrafts.value;
      if (!current || !drafts) return false;
      const progress = await submission.run('planSchema', answered(draftValues(drafts)), async (plan) => {
        const saved = await api.savePlan(current.progressId, { cycle: current.cycle, plan });
        return saved.ok ? advanceFrom(current) : saved;
      });
      return settle(progress);
    },
    /** Ends studying (whether or not the time is up: moving on is the learner's call). */
    async finishStudying(): Promise<boolean> {
      const current = me.value;
      if (!current) return false;
      const progress = await submission.run(
        'advanceBody',
        { from: { step: current.step, cycle: current.cycle } },
        (body) => api.advance(current.progressId, body),
      );
      return settle(progress);
    },
    /** Saves the retrospect, then moves to the next cycle's planning, or to done. */
    async submitRetrospect(): Promise<boolean> {
      const current = me.value;
      const drafts = retrospectDrafts.value;
      if (!current || !drafts) return false;
      const progress = await submission.run('retrospectSchema', answered(draftValues(drafts)), async (retrospect) => {
        const saved = await api.saveRetrospect(current.progressId, { cycle: current.cycle, retrospect });
        return saved.ok ? advanceFrom(current) : saved;
      });
      return settle(progress);
    },
    /** Ends the solo study where it stands, keeping what was written; the page then shows it done. */
    async end(): Promise<boolean> {
      const current = me.value;
      if (!current) return false;
      return settle(await ending.run('endStudyBody', {}, () => endSolo(api, current)));
    },
  };
});

/** The study model's public face, for the step views. */
export type StudyModelInstance = InstanceType<typeof StudyModel>;
