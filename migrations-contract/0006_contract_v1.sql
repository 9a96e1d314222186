-- haru:contract: Release 1 and 1.5 retired (npm run contract checked the ops view verdict)
-- Drops the v1 shape and what kept it in step with v2 (0002). Release 2 uses only member and the v2 tables.
DROP TRIGGER sync_v1_study_insert;
DROP TRIGGER sync_v1_study_update;
DROP TRIGGER sync_v1_code_insert;
DROP TRIGGER sync_v1_code_update;
DROP TRIGGER sync_v1_progress_insert;
DROP TRIGGER sync_v1_progress_update;
DROP TRIGGER sync_v1_host_step_insert;
DROP TRIGGER sync_v1_host_step_update;
DROP TRIGGER sync_v1_content_insert;
DROP TRIGGER sync_v1_content_update;
DROP TRIGGER sync_v2_study_insert;
DROP TRIGGER sync_v2_study_update;
DROP TRIGGER sync_v2_study_step;
DROP TRIGGER sync_v2_participant_insert;
DROP TRIGGER sync_v2_participant_update;
DROP TRIGGER sync_v2_content_insert;
DROP TRIGGER sync_v2_content_update;
DROP TRIGGER sync_v2_code_insert;
DROP TRIGGER sync_v2_code_update;
DROP VIEW sync_host_step;
DROP VIEW sync_study_progress;
DROP VIEW sync_study_agrees;
DROP TABLE pomodoro_content;
DROP TABLE pomodoro_progress;
DROP TABLE participant_code;
DROP TABLE pomodoro_study;
