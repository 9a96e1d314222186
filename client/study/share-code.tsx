/**
 * How a group study is passed around: its 6-letter code, and its invite link
 * (`/join/<code>`), copied or handed to the device's share sheet where the
 * browser has one (`navigator.share`, mostly phones).
 */
import { useSignal } from '@preact/signals';
import { messages } from '../i18n/locale.ts';
import { paths } from '../router/router.ts';

type Outcome = 'codeCopied' | 'codeCopyFailed' | 'linkCopied' | 'linkCopyFailed';

/** The code, the invite link's buttons, and the outcome of a copy, announced politely. */
export function ShareCode({ code, name }: { code: string; name: string }) {
  const t = messages();
  const outcome = useSignal<Outcome | null>(null);
  const link = `${location.origin}${paths.join(code)}`;
  const copy = async (text: string, done: Outcome, failed: Outcome) => {
    try {
      await navigator.clipboard.writeText(text);
      outcome.value = done;
    } catch {
      outcome.value = failed;
    }
  };
  const share = async () => {
    outcome.value = null;
    try {
      await navigator.share({ title: name, text: t.shareText(name), url: link });
    } catch {
      // Closed without sharing (AbortError), or not allowed here: the sheet said enough.
    }
  };
  return (
    <div class="share">
      <p class="share-label" id="share-label">
        {t.shareCode}
      </p>
      <div class="share-row">
        <code class="code" data-testid="study-code" aria-describedby="share-label">
          {code}
        </code>
        <button
          type="button"
          class="secondary small"
          onClick={() => void copy(code, 'codeCopied', 'codeCopyFailed')}
          data-testid="copy-code"
        >
          {t.copyCode}
        </button>
      </div>
      <div class="share-row">
        <button
          type="button"
          class="secondary small"
          onClick={() => void copy(link, 'linkCopied', 'linkCopyFailed')}
          data-testid="copy-link"
        >
          {t.copyLink}
        </button>
        {'share' in navigator ? (
          <button type="button" class="secondary small" onClick={() => void share()} data-testid="share-link">
            {t.shareLink}
          </button>
        ) : null}
      </div>
      <p class="hint" role="status" data-testid="share-status">
        {outcome.value ? t[outcome.value] : ''}
      </p>
    </div>
  );
}
