/**
 * A form that submits through the app (never a page load) and then puts
 * focus where the learner is needed: the first field with an error.
 */
import type { ComponentChildren } from 'preact';
import { useEffect, useRef } from 'preact/hooks';
import { ErrorAlert } from '../ui/alert.tsx';
import { loadSchemas, type Submission } from './submission.ts';

/** A form with its error alert and submit button. */
export function Form(props: {
  submission: Submission;
  /** Resolves true when the server accepted the form. */
  onSubmit: () => Promise<boolean>;
  submitLabel: string;
  testId: string;
  children: ComponentChildren;
}) {
  const { submission, onSubmit, submitLabel, testId, children } = props;
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => void loadSchemas().catch(() => {}), []);
  return (
    <form
      ref={form}
      noValidate
      data-testid={testId}
      onSubmit={async (event) => {
        event.preventDefault();
        if (await onSubmit()) return;
        // After the errors render, so the field is marked when focus arrives.
        setTimeout(() => form.current?.querySelector<HTMLElement>('[aria-invalid="true"]')?.focus());
      }}
    >
      {children}
      <ErrorAlert code={submission.error.value} retryAfter={submission.retryAfter.value} testId={`${testId}-error`} />
      <button type="submit" class="primary" aria-busy={submission.busy.value} data-testid={`${testId}-submit`}>
        {submitLabel}
      </button>
    </form>
  );
}
