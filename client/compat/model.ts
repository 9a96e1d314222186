/**
 * What the client does when the server says it speaks other API levels
 * (DESIGN §4): show a calm notice, keep every draft, reload when the learner
 * is not typing, and never reload in a loop.
 */
import { signal } from '@preact/signals';
import type { CompatError } from '../../shared/schemas.ts';

/** Platform hooks, injectable so tests and the model agree on time and storage. */
export interface CompatDeps {
  now: () => number;
  reload: () => void;
  storage: Pick<Storage, 'getItem' | 'setItem' | 'removeItem'>;
  isHidden: () => boolean;
  /** This page's build id: a reload that lands on the same build did not fix anything. */
  buildId: string;
}

/** How long the learner must be idle before we reload for them. */
export const IDLE_BEFORE_RELOAD_MS = 3_000;
/** A second mismatch this soon after a compat reload means a loop: stop and ask. */
export const LOOP_WINDOW_MS = 5 * 60_000;
const GUARD_KEY = 'haru.compatReloadAt';
/** The build a compat reload left from. */
const FROM_KEY = 'haru.compatReloadFrom';

/** The compat state machine; one per page. */
export function createCompatModel(deps: CompatDeps) {
  /** The mismatch the server reported, or null while all is well. */
  const mismatch = signal<CompatError | null>(null);
  /** True when we already reloaded once for this and must not do it again by ourselves. */
  const loopGuarded = signal(false);
  let lastActivity = deps.now();

  const reloadNow = () => {
    deps.storage.setItem(GUARD_KEY, String(deps.now()));
    deps.storage.setItem(FROM_KEY, deps.buildId);
    deps.reload();
  };

  return {
    mismatch,
    loopGuarded,
    /** Called on every keystroke or click, so we never reload under the learner's hands. */
    markActivity() {
      lastActivity = deps.now();
    },
    /** A 409 (or socket close 4409) arrived. */
    report(error: CompatError) {
      if (mismatch.value) return;
      mismatch.value = error;
      const lastReload = Number(deps.storage.getItem(GUARD_KEY) ?? 0);
      loopGuarded.value = deps.now() - lastReload < LOOP_WINDOW_MS;
    },
    /**
     * The server accepted us: an earlier compat reload worked, so lift the
     * guard, unless it reloaded onto the very build it left. That happens
     * mid-rollout when HTTP reaches the new version but a socket (which cannot
     * send the version key) reaches the old one: lifting the guard then would
     * reload in a loop.
     */
    reportOk() {
      if (mismatch.value || deps.storage.getItem(FROM_KEY) === deps.buildId) return;
      deps.storage.removeItem(GUARD_KEY);
      deps.storage.removeItem(FROM_KEY);
    },
    /** Called periodically: reloads once the moment is safe (idle or hidden). */
    tick() {
      if (!mismatch.value || loopGuarded.value) return;
      if (deps.isHidden() || deps.now() - lastActivity >= IDLE_BEFORE_RELOAD_MS) reloadNow();
    },
    /** The learner pressed "Reload now". */
    reloadNow,
  };
}

/** The compat model's public face. */
export type CompatModel = ReturnType<typeof createCompatModel>;
