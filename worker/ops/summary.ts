/**
 * What the operator view shows (DESIGN §8, issue 5 part 2), read from the
 * telemetry aggregate and the v2 study table: traffic per minute by worker
 * version and by client build, studies in progress, and per version whether
 * it is safe to retire. One shape for the JSON and the HTML page.
 */
import type { StuckOutboxes } from './outboxes.ts';
import { minuteOf } from './telemetry.ts';

const MINUTE_MS = 60_000;
/** A study untouched this long is taken as abandoned, not in progress (a whole 8-cycle study takes under 11 hours). */
export const ABANDONED_AFTER_MS = 24 * 60 * MINUTE_MS;

/** "1 study", "2 studies": the reasons and the page are read as sentences. */
export function counted(n: number, one: string, many = `${one}s`): string {
  return `${n} ${n === 1 ? one : many}`;
}

/** Requests per minute of one worker version or client build, aligned with `OpsSummary.minutes`. */
export interface Series {
  name: string;
  counts: number[];
  total: number;
}

/** Solo studies and group rooms not done. */
export interface InProgress {
  solo: number;
  group: number;
}

/** Whether one worker version may be retired, and why (or why not). */
export interface Verdict {
  version: string;
  /** The client build this version ships. */
  build: string;
  current: boolean;
  firstSeen: number;
  lastSeen: number;
  /** Calls it answered in the quiet window. */
  recentRequests: number;
  /** Studies not done that started while it served (approximate, see `attribution`). */
  studiesInProgress: InProgress;
  /** Calls from its client build, to any version, in the quiet window; null when the current version ships the same build. */
  buildRequests: number | null;
  safeToRetire: boolean;
  reasons: string[];
}

/** Room writes D1 refused for good (a constraint), which the rooms set aside and keep: an operator repairs them by hand. */
export interface SetAsideWrites {
  total: number;
  /** The rooms with the most, at most SET_ASIDE_ROOMS of them. */
  rooms: { studyId: string; count: number; oldest: number }[];
}

/** How many rooms the summary lists by name; `total` counts them all. */
const SET_ASIDE_ROOMS = 20;

/** `GET /ops/api/summary`. */
export interface OpsSummary {
  now: number;
  currentVersion: string;
  /** The chart window: `minutes` minute starts, oldest first. */
  window: { minutes: number; from: number; to: number };
  minutes: number[];
  workerVersions: Series[];
  clientBuilds: Series[];
  /** All studies in progress, by mode, and the same per version as far as D1 can tell. */
  inProgress: InProgress & { perVersion: 'approximate'; attribution: string };
  /** The quiet window the verdicts look at. */
  quietMinutes: number;
  verdicts: Verdict[];
  setAsideWrites: SetAsideWrites;
  /** Rooms whose writes to D1 wait longer than a minute (asked of the rooms themselves, outboxes.ts). */
  stuckOutboxes: StuckOutboxes;
}

/** What D1 alone tells: the summary without the rooms' own answers. */
export type D1Summary = Omit<OpsSummary, 'stuckOutboxes'>;

/** How per-version study counts are made: D1 does not record which version created a study. */
export const ATTRIBUTION =
  'D1 does not record which worker version started a study. A study counts for every version that served ' +
  'requests (telemetry) in the minutes around its creation, so during a rollout one study may count for two versions. ' +
  `Studies untouched for ${ABANDONED_AFTER_MS / 3_600_000} hours count as abandoned.`;

interface VersionRow {
  worker_version: string;
  build: string;
  first_minute: number;
  last_minute: number;
}

/** Reads everything the view needs in one D1 batch. */
export async function opsSummary(
  db: D1Database,
  opts: { now: number; currentVersion: string; currentBuild: string; minutes: number; quietMinutes: number },
): Promise<D1Summary> {
  const to = minuteOf(opts.now);
  const from = to - (opts.minutes - 1) * MINUTE_MS;
  const quietFrom = opts.now - opts.quietMinutes * MINUTE_MS;
  const activeSince = opts.now - ABANDONED_AFTER_MS;
  const notDone = `s.step <> 'done' AND s.updated_at >= ?`;
  const mode = `CASE WHEN EXISTS (SELECT 1 FROM participant_code_v2 c WHERE c.study_id = s.id) THEN 'group' ELSE 'solo' END`;
  const [perMinute, versions, recent, studies, perVersion, setAside] = await db.batch([
    db.prepare(
      `SELECT minute, worker_version, client_build, sum(count) AS n FROM telemetry_minute
       WHERE minute BETWEEN ? AND ? GROUP BY minute, worker_version, client_build`,
    ).bind(from, to),
    db.prepare(`SELECT worker_version, build, first_minute, last_minute FROM telemetry_version`),
    db.prepare(
      `SELECT worker_version, client_build, sum(count) AS n FROM telemetry_minute
       WHERE minute >= ? GROUP BY worker_version, client_build`,
    ).bind(minuteOf(quietFrom)),
    db.prepare(`SELECT ${mode} AS mode, count(*) AS n FROM study s WHERE ${notDone} GROUP BY mode`).bind(activeSince),
    db.prepare(
      `SELECT v.worker_version, ${mode} AS mode, count(*) AS n FROM telemetry_version v
       JOIN study s ON s.created_at >= v.first_minute AND s.created_at < v.last_minute + ${MINUTE_MS}
       WHERE ${notDone} GROUP BY v.worker_version, mode`,
    ).bind(activeSince),
    db.prepare(
      `SELECT study_id AS studyId, count(*) AS count, min(set_aside_at) AS oldest FROM room_write_set_aside
       GROUP BY study_id ORDER BY count DESC, oldest`,
    ),
  ]);
  const rows = <T>(result: D1Result | undefined) => (result?.results ?? []) as T[];

  const minutes = Array.from({ length: opts.minutes }, (_, i) => from + i * MINUTE_MS);
  const minuteRows = rows<{ minute: number; worker_version: string; client_build: string; n: number }>(perMinute);
  const recentRows = rows<{ worker_version: string; client_build: string; n: number }>(recent);

  const inProgressOf = (list: { mode: string; n: number }[]): InProgress => ({
    solo: list.find((r) => r.mode === 'solo')?.n ?? 0,
    group: list.find((r) => r.mode === 'group')?.n ?? 0,
  });
  const versionStudies = rows<{ worker_version: string; mode: string; n: number }>(perVersion);

  const verdicts = rows<VersionRow>(versions)
    .map((v): Verdict => {
      const isCurrent = v.worker_version === opts.currentVersion;
      const recentRequests = sum(recentRows.filter((r) => r.worker_version === v.worker_version));
      const buildRequests = v.build === opts.currentBuild ? null : sum(recentRows.filter((r) => r.client_build === v.build));
      const studiesInProgress = inProgressOf(versionStudies.filter((r) => r.worker_version === v.worker_version));
      const verdict = verdictOf({ isCurrent, recentRequests, buildRequests, studiesInProgress, build: v.build, quietMinutes: opts.quietMinutes });
      return {
        version: v.worker_version,
        build: v.build,
        current: isCurrent,
        firstSeen: v.first_minute,
        lastSeen: v.last_minute,
        recentRequests,
        studiesInProgress,
        buildRequests,
        ...verdict,
      };
    })
    .sort((a, b) => b.lastSeen - a.lastSeen);

  return {
    now: opts.now,
    currentVersion: opts.currentVersion,
    window: { minutes: opts.minutes, from, to },
    minutes,
    workerVersions: seriesOf(minutes, minuteRows, (r) => r.worker_version),
    clientBuilds: seriesOf(minutes, minuteRows, (r) => r.client_build || '(no build)'),
    inProgress: { ...inProgressOf(rows(studies)), perVersion: 'approximate', attribution: ATTRIBUTION },
    quietMinutes: opts.quietMinutes,
    verdicts,
    setAsideWrites: setAsideOf(rows(setAside)),
  };
}

/** `GET /ops/api/builds`: when clients last asked for each build, for assets:gc. */
export interface BuildsLastRequested {
  days: number;
  /** The window's first minute. */
  from: number;
  /** Latest first; calls without a build id are left out. */
  builds: { build: string; lastRequested: number }[];
}

/** The latest minute with a call from each client build in the last `days` days (one range read of the aggregate). */
export async function buildsLastRequested(db: D1Database, opts: { now: number; days: number }): Promise<BuildsLastRequested> {
  const from = minuteOf(opts.now - opts.days * 24 * 60 * MINUTE_MS);
  const { results } = await db
    .prepare(
      `SELECT client_build AS build, max(minute) AS lastRequested FROM telemetry_minute
       WHERE minute >= ? AND client_build <> '' GROUP BY client_build ORDER BY lastRequested DESC, build`,
    )
    .bind(from)
    .all<{ build: string; lastRequested: number }>();
  return { days: opts.days, from, builds: results };
}

function setAsideOf(rooms: SetAsideWrites['rooms']): SetAsideWrites {
  return { total: rooms.reduce((total, r) => total + r.count, 0), rooms: rooms.slice(0, SET_ASIDE_ROOMS) };
}

function sum(list: { n: number }[]): number {
  return list.reduce((total, r) => total + r.n, 0);
}

/** Dense per-minute counts per name, busiest first. */
function seriesOf<R extends { minute: number; n: number }>(minutes: number[], list: R[], nameOf: (row: R) => string): Series[] {
  const index = new Map(minutes.map((minute, i) => [minute, i]));
  const byName = new Map<string, number[]>();
  for (const row of list) {
    const name = nameOf(row);
    const counts = byName.get(name) ?? minutes.map(() => 0);
    const i = index.get(row.minute);
    if (i !== undefined) counts[i] = (counts[i] ?? 0) + row.n;
    byName.set(name, counts);
  }
  return [...byName]
    .map(([name, counts]) => ({ name, counts, total: counts.reduce((a, b) => a + b, 0) }))
    .sort((a, b) => b.total - a.total || a.name.localeCompare(b.name));
}

/** The rule: retire a version only when nothing uses it or its client build any more. */
export function verdictOf(v: {
  isCurrent: boolean;
  recentRequests: number;
  buildRequests: number | null;
  studiesInProgress: InProgress;
  build: string;
  quietMinutes: number;
}): { safeToRetire: boolean; reasons: string[] } {
  if (v.isCurrent) return { safeToRetire: false, reasons: ['it is the version answering this request'] };
  const blockers: string[] = [];
  if (v.recentRequests > 0) blockers.push(`${counted(v.recentRequests, 'request')} in the last ${counted(v.quietMinutes, 'minute')}`);
  const studies = v.studiesInProgress.solo + v.studiesInProgress.group;
  if (studies > 0) {
    blockers.push(`${counted(studies, 'study', 'studies')} still in progress that started while it served (${v.studiesInProgress.solo} solo, ${v.studiesInProgress.group} group)`);
  }
  if (v.buildRequests !== null && v.buildRequests > 0) {
    blockers.push(`its client build ${v.build} made ${counted(v.buildRequests, 'request')} in the last ${counted(v.quietMinutes, 'minute')}`);
  }
  if (blockers.length > 0) return { safeToRetire: false, reasons: blockers };
  return {
    safeToRetire: true,
    reasons: [
      `no requests in the last ${counted(v.quietMinutes, 'minute')}`,
      'no studies in progress that started while it served',
      v.buildRequests === null ? 'it ships the same client build as the current version' : `its client build ${v.build} was not requested`,
    ],
  };
}
