/**
 * "End study" for a solo study, behind a confirm: a study the learner will not
 * finish becomes done where it stands instead of showing "Time's up" for days.
 * The study page and Home's list of studies in progress both offer it.
 */
import { useRef } from 'preact/hooks';
import type { Submission } from '../forms/submission.ts';
import { messages } from '../i18n/locale.ts';
import { ErrorAlert } from '../ui/alert.tsx';

/** The button and its confirm dialog; `end` resolves true once the server ended the study. */
export function EndStudy({
  name,
  ending,
  end,
  testId = 'end-study',
}: {
  /** The study's name, so the question says which study it ends. */
  name: string;
  ending: Submission;
  end: () => Promise<boolean>;
  testId?: string;
}) {
  const t = messages();
  const dialog = useRef<HTMLDialogElement>(null);
  const titleId = `${testId}-title`;
  return (
    <>
      <button
        type="button"
        class="secondary"
        onClick={() => {
          ending.reset();
          dialog.current?.showModal();
        }}
        data-testid={testId}
      >
        {t.endStudy}
      </button>
      <dialog ref={dialog} aria-labelledby={titleId} data-testid={`${testId}-dialog`}>
        <h2 id={titleId}>{t.endStudyTitle}</h2>
        <p>{t.endStudyLead(name)}</p>
        <ErrorAlert code={ending.error.value} retryAfter={ending.retryAfter.value} testId={`${testId}-error`} />
        <p class="actions">
          <button
            type="button"
            class="primary"
            aria-busy={ending.busy.value}
            onClick={async () => {
              if (await end()) dialog.current?.close();
            }}
            data-testid={`${testId}-confirm`}
          >
            {t.endStudyConfirm}
          </button>
          <button
            type="button"
            class="secondary"
            onClick={() => dialog.current?.close()}
            data-testid={`${testId}-cancel`}
          >
            {t.endStudyCancel}
          </button>
        </p>
      </dialog>
    </>
  );
}
