/**
 * drizzle mirror of the `member` table (migrations/0001), which every release
 * shares. Release 2 queries only this and the v2 tables (schema-v2.ts); the
 * other v1 tables live on in SQL until the contract step, kept in step by the
 * sync triggers, and no worker code reads them.
 */
import { integer, sqliteTable, text } from 'drizzle-orm/sqlite-core';

export const member = sqliteTable('member', {
  id: text('id').primaryKey(),
  nickname: text('nickname').notNull(),
  createdAt: integer('created_at').notNull(),
});
