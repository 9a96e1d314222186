/**
 * The plan and retrospect questions as labelled fields bound to drafts. The
 * solo study page and the live room ask the same questions the same way;
 * only where the answers go differs.
 */
import type { Signal } from '@preact/signals';
import { useEffect, useRef } from 'preact/hooks';
import { LIMITS } from '../../shared/domain.ts';
import { TextField } from '../forms/field.tsx';
import type { FieldErrors } from '../forms/validate.ts';
import type { Catalog } from '../i18n/en.ts';
import { messages } from '../i18n/locale.ts';
import type { PLAN_FIELDS, RETROSPECT_FIELDS } from './fields.ts';

type Drafts<F extends string> = Record<F, Signal<string>>;

/** One question, bound to its draft. */
function Question(props: {
  form: 'plan' | 'retro';
  name: keyof Catalog['questions'];
  value: Signal<string>;
  errors: FieldErrors;
  required: boolean;
}) {
  const { form, name, value, errors, required } = props;
  return (
    <TextField
      id={`${form}-${name}`}
      label={messages().questions[name]}
      value={value}
      error={errors[name]}
      maxLength={LIMITS.answer.max}
      multiline
      required={required}
    />
  );
}

/**
 * The line that tells of Ctrl+Enter (Cmd+Enter on a Mac), and the shortcut
 * itself on the form it is in: in these multi-line answers Enter alone starts
 * a new line. Here rather than in the shared form, so the welcome path's first
 * load does not carry it.
 */
function SubmitShortcut() {
  const hint = useRef<HTMLParagraphElement>(null);
  useEffect(() => {
    const form = hint.current?.closest('form');
    if (!form) return;
    const onKeyDown = (event: KeyboardEvent) => {
      if (event.key !== 'Enter' || !(event.ctrlKey || event.metaKey) || event.isComposing) return;
      event.preventDefault();
      form.requestSubmit();
    };
    form.addEventListener('keydown', onKeyDown);
    return () => form.removeEventListener('keydown', onKeyDown);
  }, []);
  return (
    <p class="hint" ref={hint}>
      {messages().submitShortcut}
    </p>
  );
}

/** The plan's questions: two required, three behind "want a more specific goal?". */
export function PlanQuestions({
  drafts,
  errors,
}: {
  drafts: Drafts<(typeof PLAN_FIELDS)[number]>;
  errors: FieldErrors;
}) {
  const t = messages();
  // Open "more specific goal" when it already holds text; after that it is the learner's to open or close.
  const openMore = useRef(
    Boolean(drafts.expectedProbability.value || drafts.expectedDifficulty.value || drafts.whatCanYouDo.value),
  );
  const field = (name: keyof typeof drafts, required: boolean) => (
    <Question form="plan" name={name} value={drafts[name]} errors={errors} required={required} />
  );
  return (
    <>
      {field('toDo', true)}
      {field('completionCondition', true)}
      <details class="more" open={openMore.current} data-testid="plan-more">
        <summary>{t.planMore}</summary>
        {field('expectedProbability', false)}
        {field('expectedDifficulty', false)}
        {field('whatCanYouDo', false)}
      </details>
      <SubmitShortcut />
    </>
  );
}

/** The retrospect's questions. */
export function RetrospectQuestions({
  drafts,
  errors,
}: {
  drafts: Drafts<(typeof RETROSPECT_FIELDS)[number]>;
  errors: FieldErrors;
}) {
  const field = (name: keyof typeof drafts, required: boolean) => (
    <Question form="retro" name={name} value={drafts[name]} errors={errors} required={required} />
  );
  return (
    <>
      {field('doneAsExpected', true)}
      {field('experiencedDifficulty', true)}
      {field('lesson', false)}
      <SubmitShortcut />
    </>
  );
}
