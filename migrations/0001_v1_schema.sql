-- Release 1 schema (v1). Release 2 expands from it (DESIGN §6); keep these
-- names and columns stable: later migrations and triggers depend on them.

CREATE TABLE member (
  id TEXT PRIMARY KEY NOT NULL,
  nickname TEXT NOT NULL,
  created_at INTEGER NOT NULL
);

CREATE TABLE pomodoro_study (
  id TEXT PRIMARY KEY NOT NULL,
  name TEXT NOT NULL,
  total_cycle INTEGER NOT NULL CHECK (total_cycle BETWEEN 1 AND 8),
  time_per_cycle INTEGER NOT NULL CHECK (time_per_cycle BETWEEN 20 AND 60),
  created_at INTEGER NOT NULL,
  updated_at INTEGER NOT NULL
);

CREATE TABLE participant_code (
  study_id TEXT PRIMARY KEY NOT NULL REFERENCES pomodoro_study (id),
  code TEXT NOT NULL UNIQUE CHECK (length(code) = 6)
);

CREATE TABLE pomodoro_progress (
  id TEXT PRIMARY KEY NOT NULL,
  study_id TEXT NOT NULL REFERENCES pomodoro_study (id),
  member_id TEXT NOT NULL REFERENCES member (id),
  nickname TEXT NOT NULL,
  current_cycle INTEGER NOT NULL DEFAULT 1,
  status TEXT NOT NULL CHECK (status IN ('planning', 'studying', 'retrospect', 'done')),
  step_started_at INTEGER NOT NULL,
  is_host INTEGER NOT NULL DEFAULT 0 CHECK (is_host IN (0, 1)),
  UNIQUE (study_id, member_id)
);
CREATE INDEX pomodoro_progress_member ON pomodoro_progress (member_id);

CREATE TABLE pomodoro_content (
  id TEXT PRIMARY KEY NOT NULL,
  progress_id TEXT NOT NULL REFERENCES pomodoro_progress (id),
  cycle INTEGER NOT NULL,
  plan TEXT,
  retrospect TEXT,
  UNIQUE (progress_id, cycle)
);

CREATE INDEX pomodoro_study_created ON pomodoro_study (created_at);
