/**
 * Keeps the page honest about versions: asks `/api/version` when the page
 * opens, comes back into view or back online, and every few minutes; and
 * lets the compat model reload once the moment is safe.
 */
import type { VersionInfo } from '../../shared/schemas.ts';
import type { Http } from '../net/http.ts';
import type { CompatModel } from './model.ts';

/** How often an open page checks in, even if the learner does nothing. */
export const CHECK_EVERY_MS = 5 * 60_000;

/** Wires the checks to the page's lifecycle events. */
export function watchVersion(http: Http, compat: CompatModel): void {
  const check = () => void http<VersionInfo>('/api/version');
  check();
  document.addEventListener('visibilitychange', () => {
    if (document.visibilityState === 'visible') check();
    compat.tick();
  });
  window.addEventListener('online', check);
  setInterval(check, CHECK_EVERY_MS);
  setInterval(() => compat.tick(), 1_000);
  for (const type of ['keydown', 'pointerdown', 'input'] as const) {
    window.addEventListener(type, () => compat.markActivity(), { capture: true, passive: true });
  }
}
