/**
 * An invite link (`/join/<code>`): whoever opens it has just picked a
 * nickname (the app shows that step first to a new learner) or already has
 * one, and joins the group study at once under it, then lands in its room.
 * Joining again is harmless: the room resumes a participant it knows.
 */
import { createModel, signal, useModel } from '@preact/signals';
import { CODE_PATTERN } from '../../shared/domain.ts';
import { messages } from '../i18n/locale.ts';
import type { Api } from '../net/api.ts';
import { Link } from '../router/link.tsx';
import { navigate, navigations, paths } from '../router/router.ts';
import { ErrorAlert } from '../ui/alert.tsx';
import { Heading } from '../ui/heading.tsx';
import { useTitle } from '../ui/title.ts';

/** Refusals that stay so whatever the learner does; the page offers no retry for them. */
const FINAL = new Set(['study_not_found', 'study_started', 'study_done', 'room_full']);

/** Joins the study with `code` as `nickname` as soon as it is created; opens its room on success. */
const JoinModel = createModel((api: Api, code: string, nickname: string) => {
  /** Why joining failed (an API error code), or null while joining. */
  const error = signal<string | null>(null);
  async function join(): Promise<void> {
    error.value = null;
    const upper = code.trim().toUpperCase();
    // A link cut short names no study: say so without asking.
    if (!CODE_PATTERN.test(upper)) {
      error.value = 'study_not_found';
      return;
    }
    const result = await api.joinRoom({ code: upper, nickname });
    if (result.ok) navigate(paths.room(result.data.studyId), { replace: true });
    else error.value = result.error.error;
  }
  void join();
  return { error, join };
});

/** The invite page for `code`, joining as `nickname`. */
export function JoinPage({ api, code, nickname }: { api: Api; code: string; nickname: string }) {
  const model = useModel(() => new JoinModel(api, code, nickname));
  const t = messages();
  useTitle(() => messages().joinLinkTitle);
  const error = model.error.value;
  return (
    <main id="main" class="page" data-testid="join-page" data-error={error ?? ''}>
      <Heading level={1} focus={navigations.value > 0}>
        {t.joinLinkTitle}
      </Heading>
      {error ? (
        <>
          <ErrorAlert code={error} testId="join-error" />
          <p class="actions">
            {FINAL.has(error) ? null : (
              <button type="button" class="secondary" onClick={() => void model.join()} data-testid="join-retry">
                {t.retry}
              </button>
            )}
            <Link href={paths.home()}>{t.backHome}</Link>
          </p>
        </>
      ) : (
        <p class="loading" role="status">
          {t.joiningAs(nickname)}
        </p>
      )}
    </main>
  );
}
