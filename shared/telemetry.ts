/** What the worker's telemetry promises the scripts that read it (assets:gc). */

/**
 * Days of per-minute telemetry D1 keeps (older minutes are deleted as new
 * ones are written), so the longest window in which assets:gc can learn
 * whether a client still asked for a build (`GET /ops/api/builds?days=`).
 */
export const TELEMETRY_KEEP_DAYS = 30;
