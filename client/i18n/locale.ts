/**
 * The learner's language: follows the browser (ko* -> Korean, else English)
 * until they pick one, then remembers it. Components call `messages()` while
 * rendering, which subscribes them, so a switch re-renders every text.
 *
 * Each catalog is two lazy chunks, so a page carries only the language it
 * speaks, and only what it shows: the entry loads the core part (shell,
 * welcome, home, forms, errors) before it renders (`loadLocale`), and the
 * first lazy page loads the pages part (`loadPageMessages`). Until then
 * `messages()` has only the core keys, which is all the welcome path reads.
 */
import { batch, effect, signal } from '@preact/signals';
import type { Catalog } from './en.ts';
import type { CoreCatalog } from './en-core.ts';
import type { PagesCatalog } from './en-pages.ts';

/** The languages we ship a catalog for. */
export type Locale = 'en' | 'ko';

const cores: Record<Locale, () => Promise<CoreCatalog>> = {
  en: () => import('./en-core.ts').then((m) => m.enCore),
  ko: () => import('./ko-core.ts').then((m) => m.koCore),
};
const parts: Record<Locale, () => Promise<PagesCatalog>> = {
  en: () => import('./en-pages.ts').then((m) => m.enPages),
  ko: () => import('./ko-pages.ts').then((m) => m.koPages),
};
/** Whether a page past the welcome path has asked for its messages (then a switch loads both parts). */
let pagesWanted = false;
/** Loads asked for so far: only the latest one is applied. */
let requests = 0;
let latest: Promise<void> = Promise.resolve();
const KEY = 'haru.locale';

/** The language the page starts in: the stored choice, else the browser's. */
export function initialLocale(): Locale {
  const stored = localStorage.getItem(KEY);
  if (stored === 'en' || stored === 'ko') return stored;
  return navigator.language.toLowerCase().startsWith('ko') ? 'ko' : 'en';
}

/** The language the app speaks now. */
export const locale = signal<Locale>(initialLocale());
const catalog = signal<Catalog | null>(null);
/** The language last asked for: the one loads without a language load (a switch may still be on its way). */
let wanted: Locale = locale.peek();

effect(() => {
  document.documentElement.lang = locale.value;
});

/** Loads the catalog of `next` (the parts needed so far) and then speaks it; the entry awaits this before the first render. */
export function loadLocale(next: Locale = wanted): Promise<void> {
  wanted = next;
  const request = ++requests;
  const done = Promise.all([cores[next](), pagesWanted ? parts[next]() : null]).then(([core, pages]): unknown => {
    // A later switch (or load) wins, whichever arrives first; this one resolves when that one is applied.
    if (request !== requests) return latest;
    // Until the pages part is loaded, only the welcome path renders, and it reads core keys alone.
    const loaded = { ...core, ...pages } as Catalog;
    batch(() => {
      catalog.value = loaded;
      locale.value = next;
    });
  });
  latest = done.then(() => {});
  return latest;
}

/** Adds the pages part of the current language's catalog; lazy pages load it with their code. */
export function loadPageMessages(): Promise<void> {
  pagesWanted = true;
  return loadLocale();
}

/** Switches the language and remembers the choice. */
export function setLocale(next: Locale): Promise<void> {
  localStorage.setItem(KEY, next);
  return loadLocale(next);
}

/** The catalog of the current language; read during render so the text follows a switch. */
export function messages(): Catalog {
  const current = catalog.value;
  if (!current) throw new Error('messages() before loadLocale()');
  return current;
}
