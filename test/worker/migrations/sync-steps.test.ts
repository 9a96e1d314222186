/**
 * The step arithmetic in 0002's SQL is shared/domain.ts's: a v1 host's
 * progress gives its study the deadline `deadlineOf` gives, and a v2 study's
 * deadline gives every v1 progress the start `stepMillis` implies, for every
 * step and cycle length, through backfill, inserts and updates.
 */
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { deadlineOf, LIMITS, ROOM_STEPS, STEPS, stepMillis } from '../../../shared/index.ts';
import { EXPAND_V2, migrateTo, progressFromStudy, V1, type V2Study } from './shapes.ts';

const STARTED = Date.UTC(2026, 10, 25, 9, 0, 0);
const MINUTES = [LIMITS.minutesPerCycle.min, 45, LIMITS.minutesPerCycle.max];
const cases = STEPS.flatMap((step) => MINUTES.map((minutes) => ({ step, minutes })));
const v2Cases = ROOM_STEPS.flatMap((step) => MINUTES.map((minutes) => ({ step, minutes })));

function run(sql: string, ...values: unknown[]) {
  return env.DB.prepare(sql)
    .bind(...values)
    .run();
}

/** A v1 study of `minutes`-minute cycles whose host is at `step` of cycle 2 since STARTED. */
async function v1Study(id: string, step: string, minutes: number) {
  await run('INSERT INTO member (id, nickname, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING', 'm', 'm', STARTED);
  await run(
    'INSERT INTO pomodoro_study (id, name, total_cycle, time_per_cycle, created_at, updated_at) VALUES (?, ?, 3, ?, ?, ?)',
    id,
    'arith',
    minutes,
    STARTED,
    STARTED,
  );
  await run(
    'INSERT INTO pomodoro_progress (id, study_id, member_id, nickname, current_cycle, status, step_started_at, is_host) VALUES (?, ?, ?, ?, 2, ?, ?, 1)',
    `${id}-host`,
    id,
    'm',
    'm',
    step,
    STARTED,
  );
}

const studyStep = (id: string) =>
  env.DB.prepare('SELECT step, current_cycle, step_deadline FROM study WHERE id = ?').bind(id).first();

describe('v1 host progress -> v2 study: deadline = deadlineOf', () => {
  beforeAll(async () => {
    await migrateTo(V1, { fresh: true });
    for (const { step, minutes } of cases) await v1Study(`backfill-${step}-${minutes}`, step, minutes);
    await migrateTo(EXPAND_V2);
  });

  it.each(cases)('backfill: $step, $minutes-minute cycles', async ({ step, minutes }) => {
    const deadline = deadlineOf({ step, cycle: 2, stepStartedAt: STARTED }, minutes);
    expect(await studyStep(`backfill-${step}-${minutes}`)).toEqual({ step, current_cycle: 2, step_deadline: deadline });
  });

  it.each(cases)('insert, then update: $step, $minutes-minute cycles', async ({ step, minutes }) => {
    const id = `trigger-${step}-${minutes}`;
    await v1Study(id, step, minutes);
    expect(await studyStep(id)).toEqual({
      step,
      current_cycle: 2,
      step_deadline: deadlineOf({ step, cycle: 2, stepStartedAt: STARTED }, minutes),
    });
    const later = STARTED + 7 * 60_000;
    await run(
      'UPDATE pomodoro_progress SET status = ?, current_cycle = 3, step_started_at = ? WHERE id = ?',
      step,
      later,
      `${id}-host`,
    );
    expect(await studyStep(id)).toEqual({
      step,
      current_cycle: 3,
      step_deadline: deadlineOf({ step, cycle: 3, stepStartedAt: later }, minutes),
    });
  });
});

describe('v2 study -> v1 progress: started = deadline - stepMillis, else the update time', () => {
  beforeAll(() => migrateTo(EXPAND_V2, { fresh: true }));

  /** The step started at STARTED; the study was last written a minute later (so the two rules differ). */
  function v2Row(id: string, step: (typeof ROOM_STEPS)[number], minutes: number): V2Study {
    const millis = step === 'waiting' ? null : stepMillis(step, minutes);
    return {
      id,
      name: 'arith',
      total_cycle: 3,
      time_per_cycle: minutes,
      current_cycle: 2,
      step,
      step_deadline: millis === null ? null : STARTED + millis,
      created_at: STARTED,
      updated_at: STARTED + 60_000,
    };
  }

  const progressOf = (id: string) =>
    env.DB.prepare('SELECT status, current_cycle, step_started_at FROM pomodoro_progress WHERE id = ?')
      .bind(id)
      .first();

  it.each(v2Cases)('$step, $minutes-minute cycles', async ({ step, minutes }) => {
    const id = `v2-${step}-${minutes}`;
    const row = v2Row(id, step, minutes);
    const expected = {
      status: step === 'waiting' ? 'planning' : step,
      current_cycle: step === 'waiting' ? 1 : 2,
      step_started_at: row.step_deadline === null ? row.updated_at : STARTED,
    };
    expect(progressFromStudy(row)).toEqual(expected);
    await run(
      'INSERT INTO member (id, nickname, created_at) VALUES (?, ?, ?) ON CONFLICT DO NOTHING',
      'm',
      'm',
      STARTED,
    );
    // Inserted at this step: a participant joining gets it.
    await run(
      'INSERT INTO study (id, name, total_cycle, time_per_cycle, current_cycle, step, step_deadline, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?)',
      row.id,
      row.name,
      row.total_cycle,
      row.time_per_cycle,
      row.current_cycle,
      row.step,
      row.step_deadline,
      row.created_at,
      row.updated_at,
    );
    await run(
      'INSERT INTO participant (id, study_id, member_id, nickname, is_host) VALUES (?, ?, ?, ?, 1)',
      `${id}-p`,
      id,
      'm',
      'm',
    );
    expect(await progressOf(`${id}-p`)).toEqual(expected);
    // Moved to this step from elsewhere: the existing progress follows.
    await run("UPDATE study SET step = 'studying', current_cycle = 1, step_deadline = ? WHERE id = ?", STARTED - 1, id);
    await run(
      'UPDATE study SET step = ?, current_cycle = ?, step_deadline = ? WHERE id = ?',
      row.step,
      row.current_cycle,
      row.step_deadline,
      id,
    );
    expect(await progressOf(`${id}-p`)).toEqual(expected);
  });
});
