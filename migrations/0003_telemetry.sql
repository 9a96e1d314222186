-- Version telemetry for the operator view (DESIGN §8). Additive only: Release 1
-- and Release 2 without telemetry keep working beside it.
--
-- telemetry_minute: API requests and room socket connections per minute, per worker
-- version, client build and API level. Written off the hot path: each isolate
-- batches its counts in memory and upserts them in one D1 batch every few seconds
-- (worker/ops/telemetry.ts), so a row's count only ever grows.
CREATE TABLE telemetry_minute (
  -- Epoch milliseconds of the minute's start.
  minute INTEGER NOT NULL,
  worker_version TEXT NOT NULL,
  -- '' when the caller sent no (valid) build id.
  client_build TEXT NOT NULL,
  -- 0 when the caller's API level could not be read.
  api_level INTEGER NOT NULL,
  kind TEXT NOT NULL CHECK (kind IN ('http', 'socket')),
  count INTEGER NOT NULL,
  PRIMARY KEY (minute, worker_version, client_build, api_level, kind)
);

-- Each worker version seen: the client build it ships and the minutes it served,
-- first to last. The retire verdict reads which studies started while it served.
CREATE TABLE telemetry_version (
  worker_version TEXT PRIMARY KEY NOT NULL,
  build TEXT NOT NULL,
  first_minute INTEGER NOT NULL,
  last_minute INTEGER NOT NULL
);
