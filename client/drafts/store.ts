/**
 * Drafts: whatever a learner types is saved as they type, so a reload, a
 * crash or a compat update never loses it.
 */
import { effect, signal, type Signal } from '@preact/signals';

const PREFIX = 'haru.draft.';
const drafts = new Map<string, Signal<string>>();

/** The draft under `key`, restored from storage and saved on every change. */
export function draft(key: string): Signal<string> {
  let value = drafts.get(key);
  if (!value) {
    const created = signal(localStorage.getItem(PREFIX + key) ?? '');
    effect(() => localStorage.setItem(PREFIX + key, created.value));
    drafts.set(key, created);
    value = created;
  }
  return value;
}
