/**
 * A plan or a retrospect, read back: each answered question and its answer.
 * Used on the study page (the plan while studying) and on the record pages.
 */
import type { Plan, Retrospect } from '../../shared/api.ts';
import { messages } from '../i18n/locale.ts';
import { PLAN_FIELDS, RETROSPECT_FIELDS } from './fields.ts';

/**
 * The answers of a plan or a retrospect as a description list. Unanswered
 * questions are left out, or, given `missing` (a draft kept unsubmitted may
 * lack what a submission requires), listed with that text.
 */
export function Answers(props: ({ plan: Plan } | { retrospect: Retrospect }) & { missing?: string }) {
  const t = messages();
  const [fields, answers] = 'plan' in props ? [PLAN_FIELDS, props.plan] : [RETROSPECT_FIELDS, props.retrospect];
  const values = answers as Partial<Record<string, string>>;
  const { missing } = props;
  return (
    <dl class="answers">
      {fields
        .filter((field) => values[field] || missing)
        .map((field) => (
          <div key={field} data-field={field}>
            <dt>{t.questions[field]}</dt>
            {values[field] ? <dd>{values[field]}</dd> : <dd class="hint">{missing}</dd>}
          </div>
        ))}
    </dl>
  );
}
