/**
 * drizzle mirror of the v2 tables of migrations/0002 (Release 2's shape, where
 * the step lives on the study). schema.ts holds `member`, which both shapes
 * share. The SQL files are the source of truth.
 */
import { index, integer, sqliteTable, text, unique } from 'drizzle-orm/sqlite-core';
import type { Plan, Retrospect, RoomStep } from '../../shared/index.ts';
import { member } from './schema.ts';

export const study = sqliteTable(
  'study',
  {
    id: text('id').primaryKey(),
    name: text('name').notNull(),
    totalCycle: integer('total_cycle').notNull(),
    timePerCycle: integer('time_per_cycle').notNull(),
    currentCycle: integer('current_cycle').notNull().default(1),
    step: text('step').$type<RoomStep>().notNull(),
    /** Absolute ms the step's time is up; null while waiting and once done. */
    stepDeadline: integer('step_deadline'),
    createdAt: integer('created_at').notNull(),
    updatedAt: integer('updated_at').notNull(),
  },
  (t) => [index('study_created').on(t.createdAt)],
);

export const participantCodeV2 = sqliteTable('participant_code_v2', {
  studyId: text('study_id')
    .primaryKey()
    .references(() => study.id),
  code: text('code').notNull().unique(),
});

export const participant = sqliteTable(
  'participant',
  {
    id: text('id').primaryKey(),
    studyId: text('study_id')
      .notNull()
      .references(() => study.id),
    memberId: text('member_id')
      .notNull()
      .references(() => member.id),
    nickname: text('nickname').notNull(),
    isHost: integer('is_host', { mode: 'boolean' }).notNull().default(false),
  },
  (t) => [unique().on(t.studyId, t.memberId), index('participant_member').on(t.memberId)],
);

export const content = sqliteTable(
  'content',
  {
    id: text('id').primaryKey(),
    participantId: text('participant_id')
      .notNull()
      .references(() => participant.id),
    cycle: integer('cycle').notNull(),
    plan: text('plan', { mode: 'json' }).$type<Plan>(),
    retrospect: text('retrospect', { mode: 'json' }).$type<Retrospect>(),
  },
  (t) => [unique().on(t.participantId, t.cycle)],
);
