/** A group study's 6-letter code, with a copy button, for the host to pass around. */
import { useSignal } from '@preact/signals';
import { messages } from '../i18n/locale.ts';

/** The code and its copy button; the outcome of a copy is announced politely. */
export function ShareCode({ code }: { code: string }) {
  const t = messages();
  const copied = useSignal<'copied' | 'failed' | null>(null);
  const copy = async () => {
    try {
      await navigator.clipboard.writeText(code);
      copied.value = 'copied';
    } catch {
      copied.value = 'failed';
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
        <button type="button" class="secondary small" onClick={() => void copy()} data-testid="copy-code">
          {t.copyCode}
        </button>
      </div>
      <p class="hint" role="status">
        {copied.value === 'copied' ? t.codeCopied : copied.value === 'failed' ? t.codeCopyFailed : ''}
      </p>
    </div>
  );
}
