-- Release 1.5 expand step (DESIGN §6): the v2 shape next to the v1 shape.
-- Release 2 reads and writes study, participant, content and participant_code_v2;
-- Release 1 keeps using the pomodoro_* tables and participant_code. Rows keep their
-- primary keys across shapes. The sync_* triggers copy every write of either release
-- to the other shape while both run; a later contract step drops the v1 tables with
-- every sync_* view and trigger, once Release 1 has no traffic.
--
-- In v2 the step lives on the study (everyone in a room moves together); in v1 each
-- progress has its own. A v1 study's step is its host's: step and cycle as they are,
-- deadline = step_started_at + the step's length. Back the other way, every progress
-- of a v2 study gets the study's step; 'waiting' is planning of cycle 1 in v1.
--
-- No loops: recursive_triggers is off by default, and every copied write is guarded
-- anyway (ON CONFLICT DO NOTHING, or an update only when values differ), so a copy that
-- comes back finds nothing to change. Trigger bodies are in the form remote D1
-- accepts: BEGIN / END in upper case, one statement per line, LF line endings.

CREATE TABLE study (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  total_cycle INTEGER NOT NULL CHECK (total_cycle BETWEEN 1 AND 8),
  time_per_cycle INTEGER NOT NULL CHECK (time_per_cycle BETWEEN 20 AND 60),
  current_cycle INTEGER NOT NULL DEFAULT 1,
  step TEXT NOT NULL CHECK (step IN ('waiting', 'planning', 'studying', 'retrospect', 'done')),
  -- Absolute time (ms) the step's time is up; NULL while waiting and once done.
  step_deadline INTEGER,
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);
CREATE INDEX study_created ON study (created_at);

CREATE TABLE participant_code_v2 (
  study_id TEXT PRIMARY KEY NOT NULL REFERENCES study (id),
  code TEXT NOT NULL UNIQUE CHECK (length(code) = 6)
);

CREATE TABLE participant (
  id TEXT PRIMARY KEY NOT NULL,
  study_id TEXT NOT NULL REFERENCES study (id),
  member_id TEXT NOT NULL REFERENCES member (id),
  nickname TEXT NOT NULL,
  is_host INTEGER NOT NULL DEFAULT 0 CHECK (is_host IN (0, 1)),
  -- Also the index for "participants of a study" (its leading column).
  UNIQUE (study_id, member_id)
);
CREATE INDEX participant_member ON participant (member_id);

CREATE TABLE content (
  id TEXT PRIMARY KEY NOT NULL,
  participant_id TEXT NOT NULL REFERENCES participant (id),
  cycle INTEGER NOT NULL,
  plan TEXT,
  retrospect TEXT,
  -- Also the index for "answers of a participant".
  UNIQUE (participant_id, cycle)
);

-- The v2 step of each v1 study, read off its host's progress. The CASE is
-- shared/domain.ts stepMillis (NULL once done, so the deadline is NULL too).
CREATE VIEW sync_host_step AS
SELECT h.id AS progress_id, h.study_id, h.status AS step, h.current_cycle,
  h.step_started_at + CASE h.status WHEN 'planning' THEN 600000 WHEN 'studying' THEN s.time_per_cycle * 60000 WHEN 'retrospect' THEN 600000 END AS step_deadline
FROM pomodoro_progress h JOIN pomodoro_study s ON s.id = h.study_id
WHERE h.is_host = 1;

-- The v1 progress every participant of a v2 study gets: the step started its
-- length before the deadline, or at the study's last update when there is no
-- deadline (waiting, done).
CREATE VIEW sync_study_progress AS
SELECT id AS study_id,
  CASE step WHEN 'waiting' THEN 'planning' ELSE step END AS status,
  CASE step WHEN 'waiting' THEN 1 ELSE current_cycle END AS current_cycle,
  coalesce(step_deadline - CASE step WHEN 'planning' THEN 600000 WHEN 'studying' THEN time_per_cycle * 60000 WHEN 'retrospect' THEN 600000 END, updated_at) AS step_started_at
FROM study;

-- Studies whose host's v1 progress already says what the study says (a waiting
-- study agrees with a host planning cycle 1). A step is copied between shapes only
-- when they disagree: that stops a copy from bouncing back, and it keeps a v1 host's
-- own move from moving the other v1 participants, who progress on their own in v1.
CREATE VIEW sync_study_agrees AS
SELECT s.id AS study_id
FROM study s JOIN sync_host_step h ON h.study_id = s.id
WHERE (s.step = 'waiting' AND h.step = 'planning' AND h.current_cycle = 1)
  OR (s.step = h.step AND s.current_cycle = h.current_cycle AND s.step_deadline IS h.step_deadline);

-- Backfill before the triggers exist, in insertion order (participants are listed in join order).
INSERT INTO study (id, name, total_cycle, time_per_cycle, current_cycle, step, step_deadline, created_at, updated_at)
SELECT s.id, s.name, s.total_cycle, s.time_per_cycle, coalesce(h.current_cycle, 1), coalesce(h.step, 'planning'), h.step_deadline, s.created_at, s.updated_at
FROM pomodoro_study s LEFT JOIN sync_host_step h ON h.study_id = s.id
ORDER BY s.rowid;

INSERT INTO participant_code_v2 (study_id, code)
SELECT study_id, code FROM participant_code ORDER BY rowid;

INSERT INTO participant (id, study_id, member_id, nickname, is_host)
SELECT id, study_id, member_id, nickname, is_host FROM pomodoro_progress ORDER BY rowid;

INSERT INTO content (id, participant_id, cycle, plan, retrospect)
SELECT id, progress_id, cycle, plan, retrospect FROM pomodoro_content ORDER BY rowid;

-- Release 1 -> v2 shape.

-- A v1 study starts planning cycle 1; its host's progress, inserted next in the same batch, sets the deadline.
CREATE TRIGGER sync_v1_study_insert AFTER INSERT ON pomodoro_study
BEGIN
  INSERT INTO study (id, name, total_cycle, time_per_cycle, current_cycle, step, step_deadline, created_at, updated_at) VALUES (NEW.id, NEW.name, NEW.total_cycle, NEW.time_per_cycle, 1, 'planning', NULL, NEW.created_at, NEW.updated_at) ON CONFLICT DO NOTHING;
END;

CREATE TRIGGER sync_v1_study_update AFTER UPDATE OF name, total_cycle, time_per_cycle, created_at, updated_at ON pomodoro_study
BEGIN
  UPDATE study SET (name, total_cycle, time_per_cycle, created_at, updated_at) = (NEW.name, NEW.total_cycle, NEW.time_per_cycle, NEW.created_at, NEW.updated_at) WHERE id = NEW.id AND (name, total_cycle, time_per_cycle, created_at, updated_at) IS NOT (NEW.name, NEW.total_cycle, NEW.time_per_cycle, NEW.created_at, NEW.updated_at);
END;

CREATE TRIGGER sync_v1_code_insert AFTER INSERT ON participant_code
BEGIN
  INSERT INTO participant_code_v2 (study_id, code) VALUES (NEW.study_id, NEW.code) ON CONFLICT DO NOTHING;
END;

CREATE TRIGGER sync_v1_code_update AFTER UPDATE OF code ON participant_code
BEGIN
  UPDATE participant_code_v2 SET code = NEW.code WHERE study_id = NEW.study_id AND code IS NOT NEW.code;
END;

CREATE TRIGGER sync_v1_progress_insert AFTER INSERT ON pomodoro_progress
BEGIN
  INSERT INTO participant (id, study_id, member_id, nickname, is_host) VALUES (NEW.id, NEW.study_id, NEW.member_id, NEW.nickname, NEW.is_host) ON CONFLICT DO NOTHING;
END;

CREATE TRIGGER sync_v1_progress_update AFTER UPDATE OF nickname, is_host ON pomodoro_progress
BEGIN
  UPDATE participant SET (nickname, is_host) = (NEW.nickname, NEW.is_host) WHERE id = NEW.id AND (nickname, is_host) IS NOT (NEW.nickname, NEW.is_host);
END;

-- A host's progress moves the study; the WHEN clause is the guard (they disagree, so the update changes something).
CREATE TRIGGER sync_v1_host_step_insert AFTER INSERT ON pomodoro_progress
WHEN NEW.is_host = 1 AND NOT EXISTS (SELECT 1 FROM sync_study_agrees WHERE study_id = NEW.study_id)
BEGIN
  UPDATE study SET (step, current_cycle, step_deadline) = (SELECT step, current_cycle, step_deadline FROM sync_host_step WHERE progress_id = NEW.id) WHERE id = NEW.study_id;
END;

CREATE TRIGGER sync_v1_host_step_update AFTER UPDATE OF status, current_cycle, step_started_at ON pomodoro_progress
WHEN NEW.is_host = 1 AND NOT EXISTS (SELECT 1 FROM sync_study_agrees WHERE study_id = NEW.study_id)
BEGIN
  UPDATE study SET (step, current_cycle, step_deadline) = (SELECT step, current_cycle, step_deadline FROM sync_host_step WHERE progress_id = NEW.id) WHERE id = NEW.study_id;
END;

CREATE TRIGGER sync_v1_content_insert AFTER INSERT ON pomodoro_content
BEGIN
  INSERT INTO content (id, participant_id, cycle, plan, retrospect) VALUES (NEW.id, NEW.progress_id, NEW.cycle, NEW.plan, NEW.retrospect) ON CONFLICT DO NOTHING;
END;

CREATE TRIGGER sync_v1_content_update AFTER UPDATE OF plan, retrospect ON pomodoro_content
BEGIN
  UPDATE content SET (plan, retrospect) = (NEW.plan, NEW.retrospect) WHERE id = NEW.id AND (plan, retrospect) IS NOT (NEW.plan, NEW.retrospect);
END;

-- Release 2 -> v1 shape.

CREATE TRIGGER sync_v2_study_insert AFTER INSERT ON study
BEGIN
  INSERT INTO pomodoro_study (id, name, total_cycle, time_per_cycle, created_at, updated_at) VALUES (NEW.id, NEW.name, NEW.total_cycle, NEW.time_per_cycle, NEW.created_at, NEW.updated_at) ON CONFLICT DO NOTHING;
END;

CREATE TRIGGER sync_v2_study_update AFTER UPDATE OF name, total_cycle, time_per_cycle, created_at, updated_at ON study
BEGIN
  UPDATE pomodoro_study SET (name, total_cycle, time_per_cycle, created_at, updated_at) = (NEW.name, NEW.total_cycle, NEW.time_per_cycle, NEW.created_at, NEW.updated_at) WHERE id = NEW.id AND (name, total_cycle, time_per_cycle, created_at, updated_at) IS NOT (NEW.name, NEW.total_cycle, NEW.time_per_cycle, NEW.created_at, NEW.updated_at);
END;

-- A study's step moves every progress of the study, unless the host's progress already says it (the move came from v1).
CREATE TRIGGER sync_v2_study_step AFTER UPDATE OF step, current_cycle, step_deadline ON study
WHEN NOT EXISTS (SELECT 1 FROM sync_study_agrees WHERE study_id = NEW.id)
BEGIN
  UPDATE pomodoro_progress SET (status, current_cycle, step_started_at) = (SELECT status, current_cycle, step_started_at FROM sync_study_progress WHERE study_id = NEW.id) WHERE study_id = NEW.id AND (status, current_cycle, step_started_at) IS NOT (SELECT status, current_cycle, step_started_at FROM sync_study_progress WHERE study_id = NEW.id);
END;

CREATE TRIGGER sync_v2_participant_insert AFTER INSERT ON participant
BEGIN
  INSERT INTO pomodoro_progress (id, study_id, member_id, nickname, current_cycle, status, step_started_at, is_host) SELECT NEW.id, NEW.study_id, NEW.member_id, NEW.nickname, current_cycle, status, step_started_at, NEW.is_host FROM sync_study_progress WHERE study_id = NEW.study_id ON CONFLICT DO NOTHING;
END;

CREATE TRIGGER sync_v2_participant_update AFTER UPDATE OF nickname, is_host ON participant
BEGIN
  UPDATE pomodoro_progress SET (nickname, is_host) = (NEW.nickname, NEW.is_host) WHERE id = NEW.id AND (nickname, is_host) IS NOT (NEW.nickname, NEW.is_host);
END;

CREATE TRIGGER sync_v2_content_insert AFTER INSERT ON content
BEGIN
  INSERT INTO pomodoro_content (id, progress_id, cycle, plan, retrospect) VALUES (NEW.id, NEW.participant_id, NEW.cycle, NEW.plan, NEW.retrospect) ON CONFLICT DO NOTHING;
END;

CREATE TRIGGER sync_v2_content_update AFTER UPDATE OF plan, retrospect ON content
BEGIN
  UPDATE pomodoro_content SET (plan, retrospect) = (NEW.plan, NEW.retrospect) WHERE id = NEW.id AND (plan, retrospect) IS NOT (NEW.plan, NEW.retrospect);
END;

CREATE TRIGGER sync_v2_code_insert AFTER INSERT ON participant_code_v2
BEGIN
  INSERT INTO participant_code (study_id, code) VALUES (NEW.study_id, NEW.code) ON CONFLICT DO NOTHING;
END;

CREATE TRIGGER sync_v2_code_update AFTER UPDATE OF code ON participant_code_v2
BEGIN
  UPDATE participant_code SET code = NEW.code WHERE study_id = NEW.study_id AND code IS NOT NEW.code;
END;
