-- How each worker version answered (issue 12): API answers by HTTP status and
-- room socket closes by close code, per minute, per worker version id and API
-- level. Additive only: every earlier release keeps working beside it.
--
-- From this release on, worker_version in every telemetry table is the version
-- id (two versions that share a tag stay two series); the tag is a label on
-- telemetry_version. Rows written by Release 2.1.0 carry its tag instead.
CREATE TABLE telemetry_outcome (
  -- Epoch milliseconds of the minute's start.
  minute INTEGER NOT NULL,
  worker_version TEXT NOT NULL,
  -- 0 when the caller's API level could not be read.
  api_level INTEGER NOT NULL,
  -- http: an API answer; socket: the room socket door's answer; close: a room socket closed.
  kind TEXT NOT NULL CHECK (kind IN ('http', 'socket', 'close')),
  -- The HTTP status, or the WebSocket close code for kind 'close'.
  code INTEGER NOT NULL,
  count INTEGER NOT NULL,
  PRIMARY KEY (minute, worker_version, api_level, kind, code)
);

-- The version's tag ('' when it has none, and for versions Release 2.1.0 recorded by tag).
ALTER TABLE telemetry_version ADD COLUMN tag TEXT NOT NULL DEFAULT '';
