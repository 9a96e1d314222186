/**
 * The four steps of a cycle as the learner sees them. Each view is keyed by
 * step and cycle, so a move mounts a fresh one whose heading takes focus.
 */
import type { ComponentChildren } from 'preact';
import { endedEarly } from '../../shared/study-end.ts';
import { Form } from '../forms/form.tsx';
import { messages } from '../i18n/locale.ts';
import { Link } from '../router/link.tsx';
import { paths } from '../router/router.ts';
import { ErrorAlert } from '../ui/alert.tsx';
import { Answers } from './answers.tsx';
import type { StudyModelInstance } from './model.ts';
import { PlanQuestions, RetrospectQuestions } from './questions.tsx';
import { StepFrame as Frame } from './step-frame.tsx';

type Props = { model: StudyModelInstance };

/** The view of the learner's current step. */
export function StepView({ model }: Props) {
  const me = model.me.value;
  if (!me) return null;
  switch (me.step) {
    case 'planning':
      return <Planning model={model} />;
    case 'studying':
      return <Studying model={model} />;
    case 'retrospect':
      return <Retrospect model={model} />;
    case 'done':
      return <Done model={model} />;
  }
}

/** The learner's step in the shared frame: heading focused after a move, countdown to the deadline. */
function StepFrame({
  model,
  title,
  lead,
  children,
}: Props & { title?: string; lead: string; children: ComponentChildren }) {
  const me = model.me.value;
  if (!me) return null;
  return (
    <Frame step={me.step} title={title} lead={lead} focus={model.moved.value} remaining={model.remaining}>
      {children}
    </Frame>
  );
}

function Planning({ model }: Props) {
  const t = messages();
  const drafts = model.planDrafts.value;
  if (!drafts) return null;
  return (
    <StepFrame model={model} lead={t.planningLead}>
      <Form submission={model.submission} onSubmit={model.submitPlan} submitLabel={t.startStudying} testId="plan-form">
        <PlanQuestions drafts={drafts} errors={model.submission.fields.value} />
      </Form>
    </StepFrame>
  );
}

function Studying({ model }: Props) {
  const t = messages();
  const plan = model.me.value?.plan;
  return (
    <StepFrame model={model} lead={t.studyingLead}>
      {plan ? (
        <div class="plan-card">
          <h3>{t.yourPlan}</h3>
          <Answers plan={plan} />
        </div>
      ) : null}
      <ErrorAlert code={model.submission.error.value} testId="finish-error" />
      <button
        type="button"
        class="primary"
        onClick={() => void model.finishStudying()}
        aria-busy={model.submission.busy.value}
        data-testid="finish-studying"
      >
        {t.finishStudying}
      </button>
    </StepFrame>
  );
}

function Retrospect({ model }: Props) {
  const t = messages();
  const drafts = model.retrospectDrafts.value;
  const plan = model.me.value?.plan;
  if (!drafts) return null;
  return (
    <StepFrame model={model} lead={t.retrospectLead}>
      {plan ? (
        <details class="plan-card">
          <summary>{t.yourPlan}</summary>
          <Answers plan={plan} />
        </details>
      ) : null}
      <Form
        submission={model.submission}
        onSubmit={model.submitRetrospect}
        submitLabel={t.finishRetrospect}
        testId="retrospect-form"
      >
        <RetrospectQuestions drafts={drafts} errors={model.submission.fields.value} />
      </Form>
    </StepFrame>
  );
}

function Done({ model }: Props) {
  const t = messages();
  const page = model.page.value;
  if (!page) return null;
  const { study, me } = page;
  const ended = study.mode === 'solo' && endedEarly(me, study.totalCycles, me.retrospect !== null);
  return (
    <StepFrame
      model={model}
      title={ended ? t.endedTitle : undefined}
      lead={ended ? t.endedLead(me.cycle, study.totalCycles) : t.doneLead(study.totalCycles)}
    >
      <p class="actions">
        <Link href={paths.studyRecords(study.id)} class="button primary" data-testid="study-records-link">
          {t.seeRecords}
        </Link>
        <Link href={paths.home()} class="button secondary">
          {t.newStudy}
        </Link>
      </p>
    </StepFrame>
  );
}
