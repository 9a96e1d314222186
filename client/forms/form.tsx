/**
 * A form that submits through the app (never a page load) and then puts
 * focus where the learner is needed: the first field with an error.
 *
 * It starts fetching the schemas (zod) when it appears, so they are there by
 * the time the learner submits, even offline (the room queues answers). Forms
 * of the welcome path pass `deferSchemas`: they fetch the schemas, and what
 * `next` needs, when the learner first focuses them, so the first load carries neither.
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
  /** Fetch the schemas on first focus instead of when the form appears. */
  deferSchemas?: boolean;
  /** Starts fetching what the page after this form needs (called on each focus; loaders fetch once). */
  next?: () => void;
  children: ComponentChildren;
}) {
  const { submission, onSubmit, submitLabel, testId, deferSchemas, next, children } = props;
  const form = useRef<HTMLFormElement>(null);
  useEffect(() => {
    if (!deferSchemas) loadSchemas().catch(() => {});
  }, [deferSchemas]);
  return (
    <form
      ref={form}
      noValidate
      data-testid={testId}
      onFocusCapture={() => {
        loadSchemas().catch(() => {});
        next?.();
      }}
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
