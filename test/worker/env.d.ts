/** Test-only bindings added in vitest.config.ts, on top of wrangler's (worker/env.d.ts). */
import type { D1Migration } from 'cloudflare:test';
import type { Room as PreviousRoom } from '@haru/previous-release/room/room.ts';
import type { MigrationFile } from '../../scripts/lib/migration-check.ts';

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
      /** migrations/*.sql as written, in apply order. */
      MIGRATION_SQL: MigrationFile[];
      /** migrations-contract/ (not applied by setup): as D1 migrations, and as written. */
      CONTRACT_MIGRATIONS: D1Migration[];
      CONTRACT_SQL: MigrationFile[];
      /** The previous release's room class (test/worker/contract/entry.ts), for the worker-room contract tests. */
      PREVIOUS_ROOM: DurableObjectNamespace<PreviousRoom>;
    }
  }
}
