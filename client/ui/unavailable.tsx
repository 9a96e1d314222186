/**
 * What a study or room page shows before it has its data: a loading line,
 * or why it could not load, with a retry when trying again can help.
 */
import { messages } from '../i18n/locale.ts';
import { Link } from '../router/link.tsx';
import { paths } from '../router/router.ts';
import { ErrorAlert } from './alert.tsx';
import { Heading } from './heading.tsx';

/** The whole `<main>` of a page still loading (`error` null) or failed to load. */
export function Unavailable(props: { page: 'study' | 'room'; error: string | null; onRetry: (() => void) | null }) {
  const { page, error, onRetry } = props;
  const t = messages();
  return (
    <main id="main" class="page" data-testid={`${page}-page`}>
      {error ? (
        <>
          <Heading level={1} focus>
            {t.studyUnavailable}
          </Heading>
          {/* A study that does not exist stays so: say it of the address, and offer no retry. */}
          {error === 'study_not_found' ? (
            <p role="alert" data-testid={`${page}-error`}>
              {t.studyNotHere}
            </p>
          ) : (
            <ErrorAlert code={error} testId={`${page}-error`} />
          )}
          <p class="actions">
            {onRetry && error !== 'study_not_found' ? (
              <button type="button" class="secondary" onClick={onRetry} data-testid={`${page}-retry`}>
                {t.retry}
              </button>
            ) : null}
            <Link href={paths.home()}>{t.backHome}</Link>
          </p>
        </>
      ) : (
        <p class="loading" role="status">
          {t.loading}
        </p>
      )}
    </main>
  );
}
