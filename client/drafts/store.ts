/**
 * Drafts: whatever a learner types is saved as they type, so a reload, a
 * crash or a compat update never loses it.
 */
import { effect, type Signal, signal, untracked } from '@preact/signals';

const PREFIX = 'haru.draft.';
const drafts = new Map<string, Signal<string>>();

/** The draft under `key`, restored from storage and saved on every change. */
export function draft(key: string): Signal<string> {
  let value = drafts.get(key);
  if (!value) {
    const created = signal(localStorage.getItem(PREFIX + key) ?? '');
    // untracked: a draft outlives the page model that first asked for it, so
    // the model must not own (and dispose) the effect that saves it.
    untracked(() =>
      effect(() => {
        if (created.value) localStorage.setItem(PREFIX + key, created.value);
        else localStorage.removeItem(PREFIX + key);
      }),
    );
    drafts.set(key, created);
    value = created;
  }
  return value;
}

/** One draft per field of a form, each under `prefix` + the field's name. */
export function formDrafts<F extends string>(prefix: string, fields: readonly F[]): Record<F, Signal<string>> {
  return Object.fromEntries(fields.map((field) => [field, draft(prefix + field)])) as Record<F, Signal<string>>;
}

/** The current text of a form's drafts, as a plain object to validate and send. */
export function draftValues<F extends string>(form: Record<F, Signal<string>>): Record<F, string> {
  return Object.fromEntries(
    Object.entries<Signal<string>>(form).map(([field, value]) => [field, value.value]),
  ) as Record<F, string>;
}

/** Forgets every draft under `prefix`, once the server holds what they held. */
export function clearDrafts(prefix: string): void {
  for (const [key, value] of drafts) if (key.startsWith(prefix)) value.value = '';
  for (let i = localStorage.length - 1; i >= 0; i--) {
    const key = localStorage.key(i);
    if (key?.startsWith(PREFIX + prefix)) localStorage.removeItem(key);
  }
}
