/**
 * Hono typing for the whole app: bindings come from `wrangler types`
 * (worker/env.d.ts); variables are what middleware hands to handlers.
 */
import type { ApiRange } from '../shared/index.ts';

declare global {
  /**
   * The one binding `wrangler types` cannot write: an optional secret. A name
   * in wrangler.toml's `[secrets] required` must be set before every deploy,
   * and this one is set only during a rotation of TOKEN_SECRET (README,
   * "Rotating TOKEN_SECRET"), so it is declared here instead.
   */
  interface Env {
    /** The secret TOKEN_SECRET had before a rotation: tokens it signed still verify, and are renewed onto TOKEN_SECRET. */
    TOKEN_SECRET_PREVIOUS?: string;
  }
}

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
