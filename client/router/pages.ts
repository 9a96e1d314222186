/**
 * The lazily loaded pages, each fetched once: on first visit, or earlier when
 * the learner focuses a form that leads there (home's forms pass a loader as
 * the form's `next`), so the next step is there on submit. Old chunks stay
 * fetchable mid-rollout because KV keeps every build (DESIGN §5).
 */

import { loadPageMessages } from '../i18n/locale.ts';
import { preload } from './preload.ts';

/**
 * A page's module (`source`, its path from the repository root, as the build
 * names it), fetched once together with the pages' messages (client/i18n/locale.ts).
 */
function once<T>(source: string, load: () => Promise<T>): () => Promise<T> {
  let loading: Promise<T> | null = null;
  return () => {
    if (loading === null) preload(source);
    loading ??= Promise.all([load(), loadPageMessages()])
      .then(([page]) => page)
      .catch((error: unknown) => {
        loading = null;
        throw error;
      });
    return loading;
  };
}

/** Loaders of the pages not on the welcome path. */
export const pages = {
  /** A solo study. */
  study: once('client/study/page.tsx', () => import('../study/page.tsx')),
  /** The live room (and its socket and validators): only group studies fetch it. */
  room: once('client/room/page.tsx', () => import('../room/page.tsx')),
  /** An invite link's page: joins, then opens the room. */
  join: once('client/room/join.tsx', () => import('../room/join.tsx')),
  // Records are visited less than the study itself.
  studyRecords: once('client/records/study-records.tsx', () => import('../records/study-records.tsx')),
  myRecords: once('client/records/my-records.tsx', () => import('../records/my-records.tsx')),
};
