/**
 * The shape of one telemetry data point in Workers Analytics Engine. Every
 * query outside the worker (the Grafana dashboard and docs/telemetry-sql.md)
 * names blobs and doubles by position, so the positions are declared once
 * here and test/scripts/dashboard.test.ts holds every query to them.
 */

/** What a data point counts: an API answer, a room socket door's answer, or a room socket's close. */
export type TelemetryKind = 'http' | 'socket' | 'close';

/**
 * Blob positions, in order (`blob1` is `version_id`). `client_build` is ''
 * when the caller sent none and `(unknown)` when it names no published build;
 * `outcome` is the status family (`2xx`, `5xx`, ...) for answers and the
 * close class ({@link closeClass}) for closes.
 */
export const BLOBS = ['version_id', 'version_tag', 'client_build', 'kind', 'outcome', 'worker_build'] as const;

/** Double positions, in order (`double1` is `api_level`); `code` is the HTTP status or the close code. */
export const DOUBLES = ['api_level', 'count', 'code'] as const;

/** The one index (sampling key): the version id, so a rare version keeps its own sample. */
export const INDEX = 'version_id' as const;

/** Every field of a data point, by name. */
export type DataPointFields = Record<(typeof BLOBS)[number], string> & Record<(typeof DOUBLES)[number], number>;

/** An Analytics Engine data point (`AnalyticsEngineDataPoint`, declared here so scripts can import this module without the Workers types). */
export interface DataPoint {
  indexes: string[];
  blobs: string[];
  doubles: number[];
}

/** The Analytics Engine data point of `fields`, positions as declared above. */
export function dataPoint(fields: DataPointFields): DataPoint {
  return {
    indexes: [fields[INDEX]],
    blobs: BLOBS.map((name) => fields[name]),
    doubles: DOUBLES.map((name) => fields[name]),
  };
}

/** Marks a caller's build id that no published build carries: counted, but never its own series. */
export const UNKNOWN_BUILD = '(unknown)';

/**
 * The class of a WebSocket close code: `normal` (1000, 1001, 1005),
 * `dropped` (1006, the connection went away), `error` (1011-1014, the
 * server failed), `refused` (4000-4999, this app's own closes: version
 * mismatch, unauthorised, replaced, rate limited) or `other`.
 */
export function closeClass(code: number): 'normal' | 'dropped' | 'error' | 'refused' | 'other' {
  if (code === 1000 || code === 1001 || code === 1005) return 'normal';
  if (code === 1006) return 'dropped';
  if (code >= 1011 && code <= 1014) return 'error';
  if (code >= 4000 && code <= 4999) return 'refused';
  return 'other';
}

/** The outcome blob of an answer (`2xx` ...) or a close (its {@link closeClass}). */
export function outcomeOf(kind: TelemetryKind, code: number): string {
  return kind === 'close' ? closeClass(code) : `${Math.floor(code / 100)}xx`;
}

/** Whether an outcome is the server's fault: a 5xx answer or a close with a server error. */
export function isServerError(kind: TelemetryKind, code: number): boolean {
  return kind === 'close' ? closeClass(code) === 'error' : code >= 500;
}
