/** Times and dates as the learner's language writes them. */
import { locale } from './locale.ts';

/** `mm:ss` of a remaining time, rounded up so the display reaches 00:00 exactly at the deadline. */
export function formatRemaining(millis: number): string {
  const seconds = Math.max(0, Math.ceil(millis / 1000));
  const pad = (n: number) => String(n).padStart(2, '0');
  return `${pad(Math.floor(seconds / 60))}:${pad(seconds % 60)}`;
}

/** A day and time, e.g. "Mar 3, 2025, 14:05" or "2025. 3. 3. 오후 2:05". */
export function formatDateTime(epochMs: number): string {
  return new Intl.DateTimeFormat(locale.value, { dateStyle: 'medium', timeStyle: 'short' }).format(epochMs);
}

/** A full date, for a calendar day's accessible name. */
export function formatDate(epochMs: number): string {
  return new Intl.DateTimeFormat(locale.value, { dateStyle: 'full' }).format(epochMs);
}

/** A month's title, e.g. "March 2025" or "2025년 3월". */
export function formatMonth(epochMs: number): string {
  return new Intl.DateTimeFormat(locale.value, { year: 'numeric', month: 'long' }).format(epochMs);
}

/** Short weekday names, Sunday first, for a calendar's column headers. */
export function weekdayNames(): { short: string; long: string }[] {
  const short = new Intl.DateTimeFormat(locale.value, { weekday: 'short' });
  const long = new Intl.DateTimeFormat(locale.value, { weekday: 'long' });
  // 2023-01-01 was a Sunday.
  return Array.from({ length: 7 }, (_, day) => {
    const date = new Date(2023, 0, 1 + day);
    return { short: short.format(date), long: long.format(date) };
  });
}
