/**
 * A small History API router: the worker serves the page for any path
 * without a file extension, so a deep link or a reload lands here and the
 * path decides the page. Back and forward work because we listen to popstate.
 */
import { computed, signal } from '@preact/signals';

/** The pages of the app, with what their path carries. */
export type Route =
  | { name: 'home' }
  | { name: 'study'; studyId: string }
  | { name: 'studyRecords'; studyId: string }
  | { name: 'room'; studyId: string }
  | { name: 'join'; code: string }
  | { name: 'myRecords' }
  | { name: 'notFound' };

/** Paths of the pages, so no component spells one by hand. */
export const paths = {
  home: () => '/',
  study: (studyId: string) => `/study/${encodeURIComponent(studyId)}`,
  studyRecords: (studyId: string) => `/study/${encodeURIComponent(studyId)}/records`,
  /** A live group study: its lobby, steps and everyone's progress. */
  room: (studyId: string) => `/room/${encodeURIComponent(studyId)}`,
  /** An invite: whoever opens it picks a nickname if they have none, then joins the group study with `code`. */
  join: (code: string) => `/join/${encodeURIComponent(code)}`,
  myRecords: () => '/records',
};

/** Where a study is lived: a group study in its live room, a solo study on the study page. */
export function studyHref(study: { id: string; mode: 'solo' | 'group' }): string {
  return study.mode === 'group' ? paths.room(study.id) : paths.study(study.id);
}

/** Which page a path shows. */
export function matchRoute(path: string): Route {
  if (path === '/' || path === '') return { name: 'home' };
  if (path === '/records' || path === '/records/') return { name: 'myRecords' };
  const study = /^\/study\/([^/]+)(\/records)?\/?$/.exec(path);
  if (study?.[1]) {
    const studyId = decodeURIComponent(study[1]);
    return study[2] ? { name: 'studyRecords', studyId } : { name: 'study', studyId };
  }
  const room = /^\/room\/([^/]+)\/?$/.exec(path);
  if (room?.[1]) return { name: 'room', studyId: decodeURIComponent(room[1]) };
  const join = /^\/join\/([^/]+)\/?$/.exec(path);
  if (join?.[1]) return { name: 'join', code: decodeURIComponent(join[1]) };
  return { name: 'notFound' };
}

const path = signal(location.pathname);

/** The page to show now. */
export const route = computed(() => matchRoute(path.value));

/**
 * In-app navigations so far. Zero means the page was just loaded, when focus
 * should stay where the browser put it; after a navigation the new page's
 * heading takes focus so keyboard and screen reader users know where they are.
 */
export const navigations = signal(0);

/** Shows the page at `to`, adding a history entry unless `replace`. */
export function navigate(to: string, options: { replace?: boolean } = {}): void {
  history[options.replace ? 'replaceState' : 'pushState'](null, '', to);
  path.value = location.pathname;
  navigations.value++;
  scrollTo(0, 0);
}

addEventListener('popstate', () => {
  path.value = location.pathname;
  navigations.value++;
});
