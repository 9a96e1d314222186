/**
 * Worker tests run inside workerd (DESIGN §9): the real bindings from
 * wrangler.toml, local and in memory, with D1 migrations applied in setup.
 */
import path from 'node:path';
import { cloudflareTest, readD1Migrations } from '@cloudflare/vitest-plugin';
import { defineConfig } from 'vitest/config';
import { readMigrationFiles } from './scripts/lib/migration-files.ts';

// Offline and quiet: no Cloudflare lookups, no metrics.
process.env.CLOUDFLARE_CF_FETCH_ENABLED = 'false';
process.env.WRANGLER_SEND_METRICS = 'false';

const root = import.meta.dirname;
const migrations = await readD1Migrations(path.join(root, 'migrations'));
// The same files as text, for the migration check and the trigger-form tests.
const migrationSql = readMigrationFiles(path.join(root, 'migrations'));
// The contract step waits outside migrations/ until an operator applies it (npm run contract); tests apply it on purpose.
const contractMigrations = await readD1Migrations(path.join(root, 'migrations-contract'));
const contractSql = readMigrationFiles(path.join(root, 'migrations-contract'));

export default defineConfig({
  // wrangler.toml's [alias] is for wrangler's bundler; the test runner needs its own.
  // `@haru/release-1` is Release 1's own app (npm run releases:extract), for the migration tests;
  // `@haru/previous-release/*` the worker folder of the release this tree rolls out beside, for the contract tests.
  resolve: {
    alias: {
      '@haru/build': path.join(root, 'dist/build.json'),
      '@haru/release-1': path.join(root, '.releases/1.0.0/worker/app.ts'),
      '@haru/previous-release': path.join(root, '.releases/previous/worker'),
    },
  },
  plugins: [
    cloudflareTest({
      wrangler: { configPath: './wrangler.toml' },
      // The real worker plus the previous release's room class (test/worker/contract/entry.ts).
      main: './test/worker/contract/entry.ts',
      miniflare: {
        durableObjects: { PREVIOUS_ROOM: { className: 'PreviousRoom', useSQLite: true } },
        bindings: {
          TEST_MIGRATIONS: migrations,
          MIGRATION_SQL: migrationSql,
          CONTRACT_MIGRATIONS: contractMigrations,
          CONTRACT_SQL: contractSql,
          TOKEN_SECRET: 'test-secret-not-for-production',
          OPS_TOKEN: 'test-ops-token',
        },
      },
    }),
  ],
  test: {
    include: ['test/worker/**/*.test.ts'],
    setupFiles: ['test/worker/setup.ts'],
  },
});
