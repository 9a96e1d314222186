/**
 * The calm "a new version is ready" notice. It never blocks the page: the
 * learner's drafts are already saved, and we reload when they pause.
 */
import type { CompatModel } from './model.ts';

/** Shows nothing until the server reports a mismatch. */
export function UpdateNotice({ compat }: { compat: CompatModel }) {
  const mismatch = compat.mismatch.value;
  if (!mismatch) return null;
  return (
    <div class="notice" role="status" aria-live="polite" data-testid="update-notice">
      <p>
        <strong>A new version of Haru Study is ready.</strong>{' '}
        {compat.loopGuarded.value
          ? 'Reload when it suits you; everything you typed is kept.'
          : 'We will reload when you pause typing; everything you typed is kept.'}
      </p>
      <button type="button" onClick={() => compat.reloadNow()}>
        Reload now
      </button>
    </div>
  );
}
