/**
 * A plan or a retrospect, read back: each answered question and its answer.
 * Used on the study page (the plan while studying) and on the record pages.
 */
import type { Plan, Retrospect } from '../../shared/api.ts';
import { messages } from '../i18n/locale.ts';
import { PLAN_FIELDS, RETROSPECT_FIELDS } from './fields.ts';

/** The answers of a plan or a retrospect as a description list; unanswered questions are left out. */
export function Answers(props: { plan: Plan } | { retrospect: Retrospect }) {
  const t = messages();
  const [fields, answers] = 'plan' in props ? [PLAN_FIELDS, props.plan] : [RETROSPECT_FIELDS, props.retrospect];
  const values = answers as Partial<Record<string, string>>;
  return (
    <dl class="answers">
      {fields
        .filter((field) => values[field])
        .map((field) => (
          <div key={field} data-field={field}>
            <dt>{t.questions[field]}</dt>
            <dd>{values[field]}</dd>
          </div>
        ))}
    </dl>
  );
}
