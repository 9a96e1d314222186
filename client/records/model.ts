/**
 * Records: one study's answers (every participant, every cycle), and the
 * learner's own history as a paginated list and as a month calendar.
 */
import { createModel, signal } from '@preact/signals';
import type { MyRecord, StudyRecords } from '../../shared/api.ts';
import { UNSUBMITTED } from '../../shared/domain.ts';
import type { Api } from '../net/api.ts';
import { paths, studyHref } from '../router/router.ts';
import { now } from '../time/clock.ts';
import { type MyStats, myStats } from './stats.ts';

/** Where a record leads: a finished study to its records, one in progress back to the study (a group's live room). */
export function recordHref(record: MyRecord): string {
  return record.step === 'done' ? paths.studyRecords(record.study.id) : studyHref(record.study);
}

/**
 * Whether a recorded plan or retrospect is a draft the room kept when the
 * host moved on before its writer submitted (the records pass its JSON
 * through, mark and all).
 */
export function unsubmitted(answer: object): boolean {
  return (answer as Record<string, unknown>)[UNSUBMITTED] === true;
}

/** The record page of one study. Loads as soon as it is created. */
export const StudyRecordsModel = createModel((api: Api, studyId: string) => {
  const records = signal<StudyRecords | null>(null);
  const error = signal<string | null>(null);
  void api.studyRecords(studyId).then((result) => {
    if (result.ok) records.value = result.data;
    else error.value = result.error.error;
  });
  return { records, error };
});

/** Local midnight of the first day of the month `offset` months after the one holding `epochMs`. */
function monthStart(epochMs: number, offset = 0): number {
  const date = new Date(epochMs);
  return new Date(date.getFullYear(), date.getMonth() + offset, 1).getTime();
}

/** A list page: enough to fill a screen, small enough to come back fast. */
const LIST_PAGE = 20;
/** The calendar asks for a whole month at the largest page the API allows. */
const MONTH_PAGE = 50;
/** A month with more studies than this is shown in part rather than fetched forever. */
const MONTH_MAX_PAGES = 10;
/** "My stats" reads the whole history at the largest page; past this many pages (5,000 studies) it counts what it has. */
const STATS_MAX_PAGES = 100;

/** "My records": the list (newest first, "load more") and the month calendar. */
export const MyRecordsModel = createModel((api: Api) => {
  const view = signal<'list' | 'calendar'>('list');

  const items = signal<MyRecord[]>([]);
  const nextCursor = signal<string | null>(null);
  const listLoading = signal(false);
  const listLoaded = signal(false);
  const listError = signal<string | null>(null);

  /** Local midnight of the 1st of the month on screen. */
  const month = signal(monthStart(now()));
  /** The month's studies, or null while they load. */
  const monthItems = signal<MyRecord[] | null>(null);
  const monthError = signal<string | null>(null);
  let monthRequest = 0;

  /** "My stats" over the learner's whole history, or null until it is loaded (or when it could not be). */
  const stats = signal<MyStats | null>(null);

  async function loadMore(): Promise<void> {
    if (listLoading.value) return;
    listLoading.value = true;
    const result = await api.myRecords({ limit: LIST_PAGE, cursor: nextCursor.value ?? undefined });
    listLoading.value = false;
    listLoaded.value = true;
    if (!result.ok) {
      listError.value = result.error.error;
      return;
    }
    listError.value = null;
    items.value = [...items.value, ...result.data.items];
    nextCursor.value = result.data.nextCursor;
  }

  /** Fetches every study of the month on screen, page after page; a later month switch wins. */
  async function loadMonth(): Promise<void> {
    const request = ++monthRequest;
    const from = month.value;
    const to = monthStart(from, 1);
    monthItems.value = null;
    monthError.value = null;
    const found: MyRecord[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < MONTH_MAX_PAGES; page++) {
      const result = await api.myRecords({ from, to, limit: MONTH_PAGE, cursor });
      if (request !== monthRequest) return;
      if (!result.ok) {
        monthError.value = result.error.error;
        return;
      }
      found.push(...result.data.items);
      if (!result.data.nextCursor) break;
      cursor = result.data.nextCursor;
    }
    monthItems.value = found;
  }

  async function loadStats(): Promise<void> {
    const all: MyRecord[] = [];
    let cursor: string | undefined;
    for (let page = 0; page < STATS_MAX_PAGES; page++) {
      const result = await api.myRecords({ limit: MONTH_PAGE, cursor });
      // The list says what went wrong; the stats stay out of the way.
      if (!result.ok) return;
      all.push(...result.data.items);
      if (!result.data.nextCursor) break;
      cursor = result.data.nextCursor;
    }
    stats.value = myStats(all, now());
  }

  void loadMore();
  void loadStats();

  return {
    view,
    items,
    nextCursor,
    listLoading,
    listLoaded,
    listError,
    month,
    monthItems,
    monthError,
    stats,
    /** Fetches the next page of the list. */
    loadMore,
    /** Switches between the list and the calendar; the calendar loads its month on first show. */
    show(next: 'list' | 'calendar') {
      view.value = next;
      if (next === 'calendar' && monthRequest === 0) void loadMonth();
    },
    /** Moves the calendar by `offset` months and loads that range. */
    moveMonth(offset: number) {
      month.value = monthStart(month.value, offset);
      void loadMonth();
    },
  };
});
