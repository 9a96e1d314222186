/** Test-only bindings added in vitest.config.ts, on top of wrangler's (worker/env.d.ts). */
import type { D1Migration } from 'cloudflare:test';

declare global {
  namespace Cloudflare {
    interface Env {
      TEST_MIGRATIONS: D1Migration[];
    }
  }
}
