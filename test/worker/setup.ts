/** Runs before every test file: the D1 schema is the one migrations/ describes. */
import { applyD1Migrations, env } from 'cloudflare:test';

await applyD1Migrations(env.DB, env.TEST_MIGRATIONS);
