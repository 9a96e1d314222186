/**
 * The learner's language: follows the browser (ko* -> Korean, else English)
 * until they pick one, then remembers it. Components call `messages()` while
 * rendering, which subscribes them, so a switch re-renders every text.
 */
import { effect, signal } from '@preact/signals';
import { type Catalog, en } from './en.ts';
import { ko } from './ko.ts';

/** The languages we ship a catalog for. */
export type Locale = 'en' | 'ko';

const catalogs: Record<Locale, Catalog> = { en, ko };
const KEY = 'haru.locale';

function initialLocale(): Locale {
  const stored = localStorage.getItem(KEY);
  if (stored === 'en' || stored === 'ko') return stored;
  return navigator.language.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

/** The language the app speaks now. */
export const locale = signal<Locale>(initialLocale());

effect(() => {
  document.documentElement.lang = locale.value;
});

/** Switches the language and remembers the choice. */
export function setLocale(next: Locale): void {
  localStorage.setItem(KEY, next);
  locale.value = next;
}

/** The catalog of the current language; read during render so the text follows a switch. */
export function messages(): Catalog {
  return catalogs[locale.value];
}
