/**
 * The calm "a new version is ready" notice. It never blocks the page: the
 * learner's drafts are already saved, and we reload when they pause.
 */
import { messages } from '../i18n/locale.ts';
import type { CompatModel } from './model.ts';

/** Shows nothing until the server reports a mismatch. */
export function UpdateNotice({ compat }: { compat: CompatModel }) {
  const mismatch = compat.mismatch.value;
  if (!mismatch) return null;
  const t = messages();
  return (
    <div class="notice" role="status" aria-live="polite" data-testid="update-notice">
      <p>
        <strong>{t.updateReady}</strong> {compat.loopGuarded.value ? t.updateReloadWhenever : t.updateReloadSoon}
      </p>
      <button type="button" onClick={() => compat.reloadNow()}>
        {t.updateReloadNow}
      </button>
    </div>
  );
}
