/** Proves the test setup applies every migration in migrations/, in order, so D1 tests run on the real schema. */
import { env } from 'cloudflare:test';
import { expect, it } from 'vitest';

it('records every migration of migrations/ as applied, in order', async () => {
  const { results } = await env.DB.prepare('SELECT name FROM d1_migrations ORDER BY id').all<{ name: string }>();
  expect(results.map((row) => row.name)).toEqual(env.TEST_MIGRATIONS.map((migration) => migration.name));
  expect(env.TEST_MIGRATIONS.every((migration) => /^\d{4}_[a-z0-9_]+\.sql$/.test(migration.name))).toBe(true);
});
