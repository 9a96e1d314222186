/**
 * Migration test helpers: a database at a chosen migration, and a full
 * comparison of the v1 and v2 shapes written from the mapping rules in
 * shared/domain.ts, independently of the SQL views that implement them.
 */
import { applyD1Migrations, env, reset } from 'cloudflare:test';
import { expect } from 'vitest';
import { deadlineOf, type RoomStep, type Step, stepMillis } from '../../../shared/index.ts';

/**
 * Empties this test file's storage (every file has its own) and applies
 * migrations up to and including `name`; later calls apply only what is new.
 */
export async function migrateTo(name: string, { fresh = false } = {}): Promise<void> {
  const upTo = env.TEST_MIGRATIONS.findIndex((migration) => migration.name === name);
  if (upTo === -1) throw new Error(`no migration ${name}`);
  if (fresh) await reset();
  await applyD1Migrations(env.DB, env.TEST_MIGRATIONS.slice(0, upTo + 1));
}

export const V1 = '0001_v1_schema.sql';
export const EXPAND_V2 = '0002_expand_v2.sql';

/** Rows as SQLite stores them (snake case, 0/1 booleans, JSON as text). */
type Row = Record<string, string | number | null>;

export interface V1Study extends Row {
  id: string;
  name: string;
  total_cycle: number;
  time_per_cycle: number;
  created_at: number;
  updated_at: number;
}
export interface V1Progress extends Row {
  id: string;
  study_id: string;
  member_id: string;
  nickname: string;
  current_cycle: number;
  status: Step;
  step_started_at: number;
  is_host: number;
}
export interface V2Study extends Row {
  id: string;
  name: string;
  total_cycle: number;
  time_per_cycle: number;
  current_cycle: number;
  step: RoomStep;
  step_deadline: number | null;
  created_at: number;
  updated_at: number;
}

/** Every row of both shapes, each table in insertion (rowid) order. */
export async function readShapes(db: D1Database = env.DB) {
  const all = <T extends Row>(table: string) =>
    db
      .prepare(`SELECT * FROM ${table} ORDER BY rowid`)
      .all<T>()
      .then((r) => r.results);
  const [studies, codes, progresses, contents, v2Studies, v2Codes, participants, v2Contents] = await Promise.all([
    all<V1Study>('pomodoro_study'),
    all('participant_code'),
    all<V1Progress>('pomodoro_progress'),
    all('pomodoro_content'),
    all<V2Study>('study'),
    all('participant_code_v2'),
    all('participant'),
    all('content'),
  ]);
  return {
    v1: { studies, codes, progresses, contents },
    v2: { studies: v2Studies, codes: v2Codes, participants, contents: v2Contents },
  };
}

/** Row counts of both shapes (`v1.studies`, `v2.participants`, ...), to see a write added exactly what it should. */
export async function countRows(db: D1Database = env.DB): Promise<Record<string, number>> {
  const shapes = await readShapes(db);
  return Object.fromEntries(
    Object.entries(shapes).flatMap(([shape, tables]) =>
      Object.entries(tables).map(([table, rows]) => [`${shape}.${table}`, rows.length]),
    ),
  );
}

/**
 * The v2 step of a v1 study: its host's status and cycle, the deadline from
 * deadlineOf. A v2 study still waiting agrees with a host planning cycle 1.
 */
export function stepFromHost(study: V1Study, host: V1Progress | undefined, v2Step: RoomStep | undefined) {
  if (!host) return { step: 'planning', current_cycle: 1, step_deadline: null };
  if (v2Step === 'waiting' && host.status === 'planning' && host.current_cycle === 1) {
    return { step: 'waiting', current_cycle: 1, step_deadline: null };
  }
  const position = { step: host.status, cycle: host.current_cycle, stepStartedAt: host.step_started_at };
  return {
    step: host.status,
    current_cycle: host.current_cycle,
    step_deadline: deadlineOf(position, study.time_per_cycle),
  };
}

/**
 * The v1 progress every participant of a v2 study has while Release 2 moves
 * them together: 'waiting' is planning of cycle 1; the step started its length
 * before the deadline, or at the study's last update when there is none.
 */
export function progressFromStudy(study: V2Study) {
  const millis = study.step === 'waiting' ? null : stepMillis(study.step, study.time_per_cycle);
  return {
    status: study.step === 'waiting' ? 'planning' : study.step,
    current_cycle: study.step === 'waiting' ? 1 : study.current_cycle,
    step_started_at: study.step_deadline !== null && millis !== null ? study.step_deadline - millis : study.updated_at,
  };
}

/**
 * Asserts the two shapes say the same thing: same ids in the same order,
 * every shared column equal, and each study's step equal to its host's.
 */
export async function expectShapesInStep(db: D1Database = env.DB): Promise<void> {
  const { v1, v2 } = await readShapes(db);
  const v2StepOf = new Map(v2.studies.map((s) => [s.id, s.step]));
  expect(v2.studies).toEqual(
    v1.studies.map((s) => ({
      ...s,
      ...stepFromHost(
        s,
        v1.progresses.find((p) => p.study_id === s.id && p.is_host === 1),
        v2StepOf.get(s.id),
      ),
    })),
  );
  expect(v2.codes).toEqual(v1.codes);
  expect(v2.participants).toEqual(
    v1.progresses.map(({ id, study_id, member_id, nickname, is_host }) => ({
      id,
      study_id,
      member_id,
      nickname,
      is_host,
    })),
  );
  expect(v2.contents).toEqual(
    v1.contents.map(({ progress_id, ...rest }) => ({ ...rest, participant_id: progress_id })),
  );
}

/** Asserts every v1 progress of `studyId` shows the v2 study's step, as after a Release 2 move. */
export async function expectMovingTogether(studyId: string, db: D1Database = env.DB): Promise<void> {
  const { v1, v2 } = await readShapes(db);
  const study = v2.studies.find((s) => s.id === studyId);
  if (!study) throw new Error(`no study ${studyId}`);
  const progresses = v1.progresses.filter((p) => p.study_id === studyId);
  expect(progresses.length).toBeGreaterThan(0);
  for (const progress of progresses) expect(progress).toMatchObject(progressFromStudy(study));
}
