/**
 * The four steps of a cycle as the learner sees them. Each view is keyed by
 * step and cycle, so a move mounts a fresh one whose heading takes focus.
 */
import type { Signal } from '@preact/signals';
import type { ComponentChildren } from 'preact';
import { useRef } from 'preact/hooks';
import { LIMITS } from '../../shared/domain.ts';
import { TextField } from '../forms/field.tsx';
import { Form } from '../forms/form.tsx';
import type { Catalog } from '../i18n/en.ts';
import { messages } from '../i18n/locale.ts';
import { Link } from '../router/link.tsx';
import { paths } from '../router/router.ts';
import { ErrorAlert } from '../ui/alert.tsx';
import { Heading } from '../ui/heading.tsx';
import { Answers } from './answers.tsx';
import { Countdown } from './countdown.tsx';
import type { StudyModelInstance } from './model.ts';

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

/** A step's frame: its heading (focused after a move), lead text and countdown. */
function StepFrame({ model, lead, children }: Props & { lead: string; children: ComponentChildren }) {
  const t = messages();
  const me = model.me.value;
  if (!me) return null;
  return (
    <section class="step card" aria-labelledby="step-heading" data-testid={`step-${me.step}`}>
      <Heading level={2} id="step-heading" focus={model.moved.value} testId="step-heading">
        {t.stepTitles[me.step]}
      </Heading>
      <p class="hint">{lead}</p>
      <Countdown model={model} big={me.step === 'studying'} />
      {children}
    </section>
  );
}

/** One question of the plan or retrospect form, bound to its draft. */
function Question(props: Props & { form: 'plan' | 'retro'; name: keyof Catalog['questions']; value: Signal<string>; required: boolean }) {
  const { model, form, name, value, required } = props;
  return (
    <TextField
      id={`${form}-${name}`}
      label={messages().questions[name]}
      value={value}
      error={model.submission.fields.value[name]}
      maxLength={LIMITS.answer.max}
      multiline
      required={required}
    />
  );
}

function Planning({ model }: Props) {
  const t = messages();
  const drafts = model.planDrafts.value;
  // Open "more specific goal" when it already holds text; after that it is the learner's to open or close.
  const openMore = useRef(Boolean(drafts && (drafts.expectedProbability.value || drafts.expectedDifficulty.value || drafts.whatCanYouDo.value)));
  if (!drafts) return null;
  const field = (name: keyof typeof drafts, required: boolean) => (
    <Question model={model} form="plan" name={name} value={drafts[name]} required={required} />
  );
  return (
    <StepFrame model={model} lead={t.planningLead}>
      <Form submission={model.submission} onSubmit={model.submitPlan} submitLabel={t.startStudying} testId="plan-form">
        {field('toDo', true)}
        {field('completionCondition', true)}
        <details class="more" open={openMore.current} data-testid="plan-more">
          <summary>{t.planMore}</summary>
          {field('expectedProbability', false)}
          {field('expectedDifficulty', false)}
          {field('whatCanYouDo', false)}
        </details>
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
      <button type="button" class="primary" onClick={() => void model.finishStudying()} aria-busy={model.submission.busy.value} data-testid="finish-studying">
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
  const field = (name: keyof typeof drafts, required: boolean) => (
    <Question model={model} form="retro" name={name} value={drafts[name]} required={required} />
  );
  return (
    <StepFrame model={model} lead={t.retrospectLead}>
      {plan ? (
        <details class="plan-card">
          <summary>{t.yourPlan}</summary>
          <Answers plan={plan} />
        </details>
      ) : null}
      <Form submission={model.submission} onSubmit={model.submitRetrospect} submitLabel={t.finishRetrospect} testId="retrospect-form">
        {field('doneAsExpected', true)}
        {field('experiencedDifficulty', true)}
        {field('lesson', false)}
      </Form>
    </StepFrame>
  );
}

function Done({ model }: Props) {
  const t = messages();
  const study = model.page.value?.study;
  if (!study) return null;
  return (
    <StepFrame model={model} lead={t.doneLead(study.totalCycles)}>
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
