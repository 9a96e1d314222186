/** One drizzle handle per request over the D1 binding (creating it is cheap). */
import { drizzle } from 'drizzle-orm/d1';
import * as schema from './schema.ts';

/** drizzle over `env.DB`; queries import their tables from schema.ts. */
export function database(db: D1Database) {
  return drizzle(db, { schema });
}

/** The drizzle handle's type, for query modules. */
export type Database = ReturnType<typeof database>;
