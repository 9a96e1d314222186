/**
 * drizzle mirror of migrations/0001 (the v1 schema). The SQL files are the
 * source of truth; this file only gives queries their types.
 */
import { index, integer, sqliteTable, text, unique } from 'drizzle-orm/sqlite-core';
import type { Plan, Retrospect, Step } from '../../shared/index.ts';

export const member = sqliteTable('member', {
  id: text('id').primaryKey(),
  nickname: text('nickname').notNull(),
  createdAt: integer('created_at').notNull(),
});

export const pomodoroStudy = sqliteTable(
  'pomodoro_study',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    totalCycle: integer('total_cycle').notNull(),
    timePerCycle: integer('time_per_cycle').notNull(),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('pomodoro_study_created').on(t.createdAt)],
);

export const participantCode = sqliteTable('participant_code', {
  studyId: text('study_id')
    .primaryKey()
    .references(() => pomodoroStudy.id),
  code: text('code').notNull().unique(),
});

export const pomodoroProgress = sqliteTable(
  'pomodoro_progress',
  {
    id: text('id').primaryKey(),
    studyId: text('study_id')
      .notNull()
      .references(() => pomodoroStudy.id),
    memberId: text('member_id')
      .notNull()
      .references(() => member.id),
    nickname: text('nickname').notNull(),
    currentCycle: integer('current_cycle').notNull().default(1),
    status: text('status').$type<Step>().notNull(),
    stepStartedAt: integer('step_started_at').notNull(),
    isHost: integer('is_host', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [unique().on(t.studyId, t.memberId), index('pomodoro_progress_member').on(t.memberId)],
);

export const pomodoroContent = sqliteTable(
  'pomodoro_content',
  {
    id: text('id').primaryKey(),
    progressId: text('progress_id')
      .notNull()
      .references(() => pomodoroProgress.id),
    cycle: integer('cycle').notNull(),
    plan: text('plan', { mode: 'json' }).$type<Plan>(),
    retrospect: text('retrospect', { mode: 'json' }).$type<Retrospect>(),
  },
  (t) => [unique().on(t.progressId, t.cycle)],
);
