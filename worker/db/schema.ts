/**
 * drizzle mirror of the `member` table (migrations/0001), which every release
 * shares, and of the room's set-aside writes (migrations/0004). Release 2 queries only this and the v2 tables (schema-v2.ts); the
 * other v1 tables live on in SQL until the contract step, kept in step by the
 * sync triggers, and no worker code reads them.
 */
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

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
