/**
 * Hono typing for the whole app: bindings come from `wrangler types`
 * (worker/env.d.ts); variables are what middleware hands to handlers.
 */
import type { ApiRange } from '../shared/index.ts';

/** What the compat gate learned about the caller and about this worker. */
export interface CompatContext {
  /** The caller's API level; the current level when it sent none. */
  clientLevel: number;
  /** The caller's build id, when it sent one. */
  clientBuild: string | null;
  range: ApiRange;
}

/** The app's Hono environment. */
export interface AppEnv {
  Bindings: Env;
  Variables: {
    compat: CompatContext;
    /** The clock every handler reads; injectable so tests move through hours in milliseconds. */
    now: () => number;
  };
}

/** Routes behind `requireMember`: the caller is a verified guest learner. */
export interface MemberEnv extends AppEnv {
  Variables: AppEnv['Variables'] & { memberId: string };
}
