/**
 * drizzle mirror of the tables the worker reads and writes: `member`
 * (migrations/0001), the study tables of migrations/0002 (where the step
 * lives on the study) and the room's set-aside writes (migrations/0004). The
 * SQL files are the source of truth. The older per-learner tables of 0001 live
 * on in SQL until the contract step, kept in step by the sync triggers; no
 * worker code reads them.
 */
import { index, integer, sqliteTable, text, unique } from 'drizzle-orm/sqlite-core';
import type { Plan, Retrospect, RoomStep } from '../../shared/index.ts';

export const member = sqliteTable('member', {
  id: text('id').primaryKey(),
  nickname: text('nickname').notNull(),
  createdAt: integer('created_at').notNull(),
});

/** Room writes D1 refused for good (migrations/0004), for the operator view. */
export const roomWriteSetAside = sqliteTable('room_write_set_aside', {
  id: text('id').primaryKey(),
  studyId: text('study_id').notNull(),
  writeJson: text('write_json').notNull(),
  error: text('error').notNull(),
  setAsideAt: integer('set_aside_at').notNull(),
});

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

export const participantCode = sqliteTable('participant_code_v2', {
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
