/**
 * The room's steps as one participant sees them: the same frame, countdown
 * and questions as solo study, but answers go to the room over the socket
 * and "saved" means the room acknowledged them. Only the host moves on.
 */
import { useEffect, useRef } from 'preact/hooks';
import type { Plan, Retrospect } from '../../shared/api.ts';
import { Form } from '../forms/form.tsx';
import { messages } from '../i18n/locale.ts';
import { Answers } from '../study/answers.tsx';
import { PlanQuestions, RetrospectQuestions } from '../study/questions.tsx';
import { StepFrame } from '../study/step-frame.tsx';
import type { RoomModelInstance } from './model.ts';

type Props = { model: RoomModelInstance };

/** Where this learner's answer stands: saving, waiting for the line, saved (acknowledged), or changed since. */
function SaveStatus({ model }: Props) {
  const t = messages();
  const state = model.saveState.value;
  return (
    <p
      class={`save-state${state ? ` ${state}` : ''}`}
      role="status"
      data-testid="save-state"
      data-state={state ?? 'none'}
    >
      {state ? t.saveStates[state] : ''}
    </p>
  );
}

/**
 * Another of this learner's tabs saved an answer that differs from what this
 * tab typed and has not sent: both are in view (the saved one here, this
 * tab's in the fields), and the learner picks. Submitting the form meanwhile
 * brings focus back to the question instead of overwriting.
 */
function SavedElsewhere({ model }: Props) {
  const t = messages();
  const panel = useRef<HTMLElement>(null);
  const asked = model.asked.value;
  const seen = useRef(asked);
  useEffect(() => {
    if (asked !== seen.current) panel.current?.focus();
    seen.current = asked;
  }, [asked]);
  const conflict = model.conflict.value;
  if (!conflict) return null;
  return (
    <section
      ref={panel}
      class="notice-inline saved-elsewhere"
      tabIndex={-1}
      aria-labelledby="saved-elsewhere-question"
      data-testid="saved-elsewhere"
    >
      <p id="saved-elsewhere-question" role="alert">
        {t.savedElsewhere[conflict.kind]}
      </p>
      {conflict.kind === 'plan' ? (
        <Answers plan={conflict.answer as Plan} />
      ) : (
        <Answers retrospect={conflict.answer as Retrospect} />
      )}
      <p class="actions">
        <button type="button" class="primary" onClick={() => void model.replaceSaved()} data-testid="replace-saved">
          {t.replaceSaved}
        </button>
        <button type="button" class="secondary" onClick={() => model.keepSaved()} data-testid="keep-saved">
          {t.keepSaved}
        </button>
      </p>
    </section>
  );
}

/** Tells a learner whose unsubmitted answer the room kept when the host moved on (a polite status, in view). */
export function DraftKept({ model }: Props) {
  const t = messages();
  return (
    <p class="notice-inline" role="status" data-testid="draft-kept">
      {model.kept.value ? t.draftKept : ''}
    </p>
  );
}

/** The view of the room's current step (not the lobby). */
export function RoomStep({ model }: Props) {
  const t = messages();
  const state = model.state.value;
  if (!state || state.step === 'waiting' || state.step === 'done') return null;
  const frame = {
    step: state.step,
    focus: model.moved.value,
    remaining: model.remaining,
    timeUp: model.timeUp,
    upNote: t.roomTimeUpNote,
  };
  const plan = model.myPlan.value;
  switch (state.step) {
    case 'planning': {
      const drafts = model.planDrafts.value;
      if (!drafts) return null;
      return (
        <StepFrame {...frame} lead={t.roomLeads.planning}>
          <SavedElsewhere model={model} />
          <Form submission={model.submission} onSubmit={model.submitPlan} submitLabel={t.submitPlan} testId="plan-form">
            <PlanQuestions drafts={drafts} errors={model.submission.fields.value} />
          </Form>
          <SaveStatus model={model} />
        </StepFrame>
      );
    }
    case 'studying':
      return (
        <StepFrame {...frame} lead={t.roomLeads.studying}>
          {plan ? (
            <div class="plan-card" data-testid="my-plan">
              <h3>{t.yourPlan}</h3>
              <Answers plan={plan} />
            </div>
          ) : null}
        </StepFrame>
      );
    case 'retrospect': {
      const drafts = model.retrospectDrafts.value;
      if (!drafts) return null;
      return (
        <StepFrame {...frame} lead={t.roomLeads.retrospect}>
          {plan ? (
            <details class="plan-card" data-testid="my-plan">
              <summary>{t.yourPlan}</summary>
              <Answers plan={plan} />
            </details>
          ) : null}
          <SavedElsewhere model={model} />
          <Form
            submission={model.submission}
            onSubmit={model.submitRetrospect}
            submitLabel={t.submitRetrospect}
            testId="retrospect-form"
          >
            <RetrospectQuestions drafts={drafts} errors={model.submission.fields.value} />
          </Form>
          <SaveStatus model={model} />
        </StepFrame>
      );
    }
  }
}

/** The host's "move everyone on"; everyone else is told who does. */
export function HostControls({ model }: Props) {
  const t = messages();
  const state = model.state.value;
  if (!state || state.step === 'waiting' || state.step === 'done') return null;
  if (!model.isHost.value) {
    return (
      <p class="hint host-hint" data-testid="guest-hint">
        {t.guestHint}
      </p>
    );
  }
  const label =
    state.step === 'retrospect' && state.cycle >= state.totalCycles ? t.roomNext.last : t.roomNext[state.step];
  return (
    <section class="card host-controls" aria-label={t.hostControls} data-testid="host-controls">
      <p class="hint">{t.hostHint}</p>
      <button
        type="button"
        class="primary"
        onClick={() => model.next()}
        aria-busy={model.advancing.value}
        disabled={model.connection.value !== 'live'}
        data-testid="room-next"
      >
        {label}
      </button>
    </section>
  );
}
