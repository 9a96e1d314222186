-- Room writes that D1 refused for a reason retrying cannot fix (a constraint),
-- set aside by the room so its later writes go on. The room keeps its own copy
-- in its storage; this table is what the operator view counts and where an
-- operator reads the write to repair it by hand. Additive only: every earlier
-- release keeps working beside it.
CREATE TABLE room_write_set_aside (
  -- The outbox key the write had in the room's storage: a retry inserts nothing twice.
  id TEXT PRIMARY KEY NOT NULL,
  study_id TEXT NOT NULL,
  -- The owed write as the room stored it, JSON.
  write_json TEXT NOT NULL,
  -- D1's error message.
  error TEXT NOT NULL,
  set_aside_at INTEGER NOT NULL
);

CREATE INDEX room_write_set_aside_study ON room_write_set_aside (study_id);
