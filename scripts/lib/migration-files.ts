/** Reads migrations/ for the migration check, in the order wrangler applies them. */
import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { MigrationFile } from './migration-check.ts';

/** The `.sql` files of `dir` with their text; names are zero-padded, so name order is apply order. */
export function readMigrationFiles(dir: string): MigrationFile[] {
  return readdirSync(dir)
    .filter((name) => name.endsWith('.sql'))
    .sort()
    .map((name) => ({ name, sql: readFileSync(join(dir, name), 'utf8') }));
}
