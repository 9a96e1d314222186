/** The tab title, kept in step with the page (and, on a study, with the clock). */
import { useSignalEffect } from '@preact/signals';
import { messages } from '../i18n/locale.ts';

/** Sets `document.title` to `part · Haru Study`, or just the app name; recomputed when signals read by `part` change. */
export function useTitle(part: () => string | null): void {
  useSignalEffect(() => {
    const text = part();
    const app = messages().appName;
    document.title = text ? `${text} · ${app}` : app;
  });
}
