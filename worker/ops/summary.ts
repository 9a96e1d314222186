/**
 * What the operator view shows (DESIGN §8), read from the telemetry
 * aggregates and the study table: traffic per minute by worker version and by
 * client build, how each version answered (its error rate), studies in
 * progress, and per version and per old API level whether it is safe to
 * retire. One shape for the JSON and the HTML page.
 */
import { isServerError, outcomeOf, type TelemetryKind, UNKNOWN_BUILD } from './data-point.ts';
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
  /** The version id or the build id: what tells series apart. */
  name: string;
  /** What a person reads: a version's tag with the start of its id; the name otherwise. */
  label: string;
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
  /** The version id (rows written before ids were recorded carry the tag here). */
  version: string;
  /** Its tag, '' when it has none or is not known. */
  tag: string;
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

/** How one worker version answered in the error window: its API answers by status, its room sockets by close code. */
export interface VersionOutcomes {
  version: string;
  tag: string;
  current: boolean;
  /** API answers, room socket door answers included. */
  answers: number;
  /** Answers per status family (`2xx`, `4xx` ...) and per status (`404`, `429` ...). */
  families: Record<string, number>;
  statuses: Record<string, number>;
  /** 5xx answers, and their share of the answers (null with no answers). */
  serverErrors: number;
  errorRate: number | null;
  /** Room sockets closed, per close code, and those closed by a server error (1011-1014). */
  closes: number;
  closeCodes: Record<string, number>;
  closeErrors: number;
}

/** Whether the clients of an old API level are gone, judged from what the versions writing telemetry see. */
export interface LevelVerdict {
  apiLevel: number;
  /** Builds published at this level (the KV manifest). */
  builds: string[];
  /** Calls at this level, or from its builds, in the quiet window, to any version. */
  recentRequests: number;
  /** When the first version that writes telemetry started serving; null when none has yet. */
  telemetryBegan: number | null;
  /** Studies not done (and not abandoned) that started before telemetry began, when only older versions served. */
  studiesFromBefore: InProgress;
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
  /**
   * Verdicts per API level below the current one: the only verdict there is
   * for versions that wrote no telemetry (releases before 2.1.0), whose
   * clients the current version still sees.
   */
  levels: LevelVerdict[];
  /** How each version answered in the last `minutes` minutes, the current one first. */
  errors: { minutes: number; versions: VersionOutcomes[] };
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
  tag: string;
}

/** What the summary is asked for: the version answering, and the windows. */
export interface SummaryOptions {
  now: number;
  /** The version answering: its id and tag. */
  current: { id: string; tag: string };
  currentBuild: string;
  currentLevel: number;
  /** Builds published to KV and their API levels. */
  published: Map<string, number>;
  minutes: number;
  quietMinutes: number;
  errorMinutes: number;
}

/** Reads everything the view needs in one D1 batch. */
export async function opsSummary(db: D1Database, opts: SummaryOptions): Promise<D1Summary> {
  const to = minuteOf(opts.now);
  const from = to - (opts.minutes - 1) * MINUTE_MS;
  const quietFrom = opts.now - opts.quietMinutes * MINUTE_MS;
  const activeSince = opts.now - ABANDONED_AFTER_MS;
  const notDone = `s.step <> 'done' AND s.updated_at >= ?`;
  const mode = `CASE WHEN EXISTS (SELECT 1 FROM participant_code_v2 c WHERE c.study_id = s.id) THEN 'group' ELSE 'solo' END`;
  const [perMinute, versions, recent, studies, perVersion, setAside, outcomes, before] = await db.batch([
    db
      .prepare(
        `SELECT minute, worker_version, client_build, sum(count) AS n FROM telemetry_minute
       WHERE minute BETWEEN ? AND ? GROUP BY minute, worker_version, client_build`,
      )
      .bind(from, to),
    db.prepare(`SELECT worker_version, build, first_minute, last_minute, tag FROM telemetry_version`),
    db
      .prepare(
        `SELECT worker_version, client_build, api_level, sum(count) AS n FROM telemetry_minute
       WHERE minute >= ? GROUP BY worker_version, client_build, api_level`,
      )
      .bind(minuteOf(quietFrom)),
    db.prepare(`SELECT ${mode} AS mode, count(*) AS n FROM study s WHERE ${notDone} GROUP BY mode`).bind(activeSince),
    db
      .prepare(
        `SELECT v.worker_version, ${mode} AS mode, count(*) AS n FROM telemetry_version v
       JOIN study s ON s.created_at >= v.first_minute AND s.created_at < v.last_minute + ${MINUTE_MS}
       WHERE ${notDone} GROUP BY v.worker_version, mode`,
      )
      .bind(activeSince),
    db.prepare(
      `SELECT study_id AS studyId, count(*) AS count, min(set_aside_at) AS oldest FROM room_write_set_aside
       GROUP BY study_id ORDER BY count DESC, oldest`,
    ),
    db
      .prepare(
        `SELECT worker_version, kind, code, sum(count) AS n FROM telemetry_outcome
       WHERE minute >= ? GROUP BY worker_version, kind, code`,
      )
      .bind(minuteOf(opts.now - opts.errorMinutes * MINUTE_MS)),
    db
      .prepare(
        `SELECT ${mode} AS mode, count(*) AS n FROM study s
       WHERE ${notDone} AND s.created_at < (SELECT coalesce(min(first_minute), ?) FROM telemetry_version) GROUP BY mode`,
      )
      .bind(activeSince, opts.now),
  ]);
  const rows = <T>(result: D1Result | undefined) => (result?.results ?? []) as T[];

  const minutes = Array.from({ length: opts.minutes }, (_, i) => from + i * MINUTE_MS);
  const minuteRows = rows<{ minute: number; worker_version: string; client_build: string; n: number }>(perMinute);
  const recentRows = rows<{ worker_version: string; client_build: string; api_level: number; n: number }>(recent);
  const versionRows = rows<VersionRow>(versions);
  const tags = new Map(versionRows.map((v) => [v.worker_version, v.tag]));

  const inProgressOf = (list: { mode: string; n: number }[]): InProgress => ({
    solo: list.find((r) => r.mode === 'solo')?.n ?? 0,
    group: list.find((r) => r.mode === 'group')?.n ?? 0,
  });
  const versionStudies = rows<{ worker_version: string; mode: string; n: number }>(perVersion);

  const verdicts = versionRows
    .map((v): Verdict => {
      const isCurrent = v.worker_version === opts.current.id;
      const recentRequests = sum(recentRows.filter((r) => r.worker_version === v.worker_version));
      const buildRequests =
        v.build === opts.currentBuild ? null : sum(recentRows.filter((r) => r.client_build === v.build));
      const studiesInProgress = inProgressOf(versionStudies.filter((r) => r.worker_version === v.worker_version));
      const verdict = verdictOf({
        isCurrent,
        recentRequests,
        buildRequests,
        studiesInProgress,
        build: v.build,
        quietMinutes: opts.quietMinutes,
      });
      return {
        version: v.worker_version,
        tag: v.tag,
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

  const telemetryBegan = versionRows.length > 0 ? Math.min(...versionRows.map((v) => v.first_minute)) : null;
  const levels = levelsBelow(opts.currentLevel, opts.published).map((level) =>
    levelVerdict({
      level,
      builds: [...opts.published].filter(([, l]) => l === level).map(([id]) => id),
      recent: recentRows,
      telemetryBegan,
      studiesFromBefore: inProgressOf(rows(before)),
      quietMinutes: opts.quietMinutes,
      now: opts.now,
    }),
  );

  return {
    now: opts.now,
    currentVersion: opts.current.id,
    window: { minutes: opts.minutes, from, to },
    minutes,
    workerVersions: seriesOf(
      minutes,
      minuteRows,
      (r) => r.worker_version,
      (id) => versionLabel(id, tags.get(id) ?? ''),
    ),
    clientBuilds: seriesOf(
      minutes,
      minuteRows,
      (r) => r.client_build || '(no build)',
      (name) => name,
    ),
    inProgress: { ...inProgressOf(rows(studies)), perVersion: 'approximate', attribution: ATTRIBUTION },
    quietMinutes: opts.quietMinutes,
    verdicts,
    levels,
    errors: { minutes: opts.errorMinutes, versions: outcomesOf(rows(outcomes), tags, opts.current.id) },
    setAsideWrites: setAsideOf(rows(setAside)),
  };
}

/** `v2.2.0 (0a1b2c3d)`: the tag a person knows, and enough of the id to tell two versions with one tag apart. */
export function versionLabel(id: string, tag: string): string {
  return tag && tag !== id ? `${tag} (${id.slice(0, 8)})` : id;
}

/** Each version's answers and closes, the current version first, then by answers. */
function outcomesOf(
  list: { worker_version: string; kind: TelemetryKind; code: number; n: number }[],
  tags: Map<string, string>,
  current: string,
): VersionOutcomes[] {
  const byVersion = new Map<string, VersionOutcomes>();
  for (const row of list) {
    const version = row.worker_version;
    let v = byVersion.get(version);
    if (!v) {
      v = {
        version,
        tag: tags.get(version) ?? '',
        current: version === current,
        answers: 0,
        families: {},
        statuses: {},
        serverErrors: 0,
        errorRate: null,
        closes: 0,
        closeCodes: {},
        closeErrors: 0,
      };
      byVersion.set(version, v);
    }
    const add = (into: Record<string, number>, key: string) => (into[key] = (into[key] ?? 0) + row.n);
    if (row.kind === 'close') {
      v.closes += row.n;
      add(v.closeCodes, String(row.code));
      if (isServerError('close', row.code)) v.closeErrors += row.n;
    } else {
      v.answers += row.n;
      add(v.families, outcomeOf(row.kind, row.code));
      add(v.statuses, String(row.code));
      if (isServerError(row.kind, row.code)) v.serverErrors += row.n;
    }
  }
  for (const v of byVersion.values()) v.errorRate = v.answers > 0 ? v.serverErrors / v.answers : null;
  return [...byVersion.values()].sort(
    (a, b) => Number(b.current) - Number(a.current) || b.answers - a.answers || a.version.localeCompare(b.version),
  );
}

/** The API levels below `current` that clients may still speak: every one from 1, and any a published build has. */
function levelsBelow(current: number, published: Map<string, number>): number[] {
  const levels = new Set([...Array.from({ length: Math.max(0, current - 1) }, (_, i) => i + 1), ...published.values()]);
  return [...levels].filter((l) => l >= 1 && l < current).sort((a, b) => a - b);
}

/**
 * The rule for an old API level, for versions that never wrote telemetry:
 * safe when no call at that level or from its builds came in the quiet
 * window, and no study from before telemetry began is still in progress
 * (it may belong to an old page that has not called for a while).
 */
export function levelVerdict(v: {
  level: number;
  builds: string[];
  recent: { client_build: string; api_level: number; n: number }[];
  telemetryBegan: number | null;
  studiesFromBefore: InProgress;
  quietMinutes: number;
  now: number;
}): LevelVerdict {
  const recentRequests = sum(v.recent.filter((r) => r.api_level === v.level || v.builds.includes(r.client_build)));
  const blockers: string[] = [];
  const quiet = counted(v.quietMinutes, 'minute');
  if (v.telemetryBegan === null)
    blockers.push('no version has written telemetry yet, so nothing tells whether its clients are gone');
  else if (v.now - v.telemetryBegan < v.quietMinutes * MINUTE_MS) {
    blockers.push(
      `telemetry began ${counted(Math.floor((v.now - v.telemetryBegan) / MINUTE_MS), 'minute')} ago, less than the ${quiet} quiet window`,
    );
  }
  if (recentRequests > 0)
    blockers.push(
      `${counted(recentRequests, 'request')} at API level ${v.level} or from its builds in the last ${quiet}`,
    );
  const before = v.studiesFromBefore.solo + v.studiesFromBefore.group;
  if (before > 0) {
    blockers.push(
      `${counted(before, 'study', 'studies')} from before telemetry began still in progress (${v.studiesFromBefore.solo} solo, ${v.studiesFromBefore.group} group)`,
    );
  }
  const verdict =
    blockers.length > 0
      ? { safeToRetire: false, reasons: blockers }
      : {
          safeToRetire: true,
          reasons: [
            `no request at API level ${v.level} or from its builds in the last ${quiet}`,
            'no study from before telemetry began is in progress',
          ],
        };
  return {
    apiLevel: v.level,
    builds: v.builds,
    recentRequests,
    telemetryBegan: v.telemetryBegan,
    studiesFromBefore: v.studiesFromBefore,
    ...verdict,
  };
}

/** `GET /ops/api/builds`: when clients last asked for each build, for assets:gc. */
export interface BuildsLastRequested {
  days: number;
  /** The window's first minute. */
  from: number;
  /** Latest first; calls without a build id, or with one no published build has, are left out. */
  builds: { build: string; lastRequested: number }[];
}

/** The latest minute with a call from each client build in the last `days` days (one range read of the aggregate). */
export async function buildsLastRequested(
  db: D1Database,
  opts: { now: number; days: number },
): Promise<BuildsLastRequested> {
  const from = minuteOf(opts.now - opts.days * 24 * 60 * MINUTE_MS);
  const { results } = await db
    .prepare(
      `SELECT client_build AS build, max(minute) AS lastRequested FROM telemetry_minute
       WHERE minute >= ? AND client_build NOT IN ('', ?) GROUP BY client_build ORDER BY lastRequested DESC, build`,
    )
    .bind(from, UNKNOWN_BUILD)
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
function seriesOf<R extends { minute: number; n: number }>(
  minutes: number[],
  list: R[],
  nameOf: (row: R) => string,
  labelOf: (name: string) => string,
): Series[] {
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
    .map(([name, counts]) => ({ name, label: labelOf(name), counts, total: counts.reduce((a, b) => a + b, 0) }))
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
  if (v.recentRequests > 0)
    blockers.push(`${counted(v.recentRequests, 'request')} in the last ${counted(v.quietMinutes, 'minute')}`);
  const studies = v.studiesInProgress.solo + v.studiesInProgress.group;
  if (studies > 0) {
    blockers.push(
      `${counted(studies, 'study', 'studies')} still in progress that started while it served (${v.studiesInProgress.solo} solo, ${v.studiesInProgress.group} group)`,
    );
  }
  if (v.buildRequests !== null && v.buildRequests > 0) {
    blockers.push(
      `its client build ${v.build} made ${counted(v.buildRequests, 'request')} in the last ${counted(v.quietMinutes, 'minute')}`,
    );
  }
  if (blockers.length > 0) return { safeToRetire: false, reasons: blockers };
  return {
    safeToRetire: true,
    reasons: [
      `no requests in the last ${counted(v.quietMinutes, 'minute')}`,
      'no studies in progress that started while it served',
      v.buildRequests === null
        ? 'it ships the same client build as the current version'
        : `its client build ${v.build} was not requested`,
    ],
  };
}
