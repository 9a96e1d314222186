/**
 * The client's compat model on its own (no page needed): it reloads once
 * when idle, and its loop guard holds when a reload lands on the very build
 * it left (mid-rollout, HTTP on the new version but a socket on the old one).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createCompatModel, IDLE_BEFORE_RELOAD_MS } from '../../client/compat/model.ts';

const MISMATCH = {
  error: 'client_outdated',
  message: 'Reload.',
  serverVersion: 'v2',
  apiRange: { min: 2, max: 2 },
} as const;

/** A page of build `buildId` sharing `storage` (sessionStorage survives reloads). */
function page(buildId: string, storage: Map<string, string>, clock: { t: number }) {
  let reloads = 0;
  const model = createCompatModel({
    now: () => clock.t,
    reload: () => void reloads++,
    storage: {
      getItem: (k) => storage.get(k) ?? null,
      setItem: (k, v) => void storage.set(k, v),
      removeItem: (k) => void storage.delete(k),
    },
    isHidden: () => false,
    buildId,
  });
  return { model, reloads: () => reloads };
}

describe('compat model', () => {
  test('reloads once the learner is idle, and a reload onto a new build lifts the guard', () => {
    const storage = new Map<string, string>();
    const clock = { t: Date.UTC(2026, 10, 25, 9) };
    const a = page('build-a', storage, clock);
    a.model.report(MISMATCH);
    a.model.tick();
    assert.equal(a.reloads(), 0, 'not while the learner may be typing');
    clock.t += IDLE_BEFORE_RELOAD_MS;
    a.model.tick();
    assert.equal(a.reloads(), 1);
    const b = page('build-b', storage, clock);
    b.model.reportOk();
    assert.equal(storage.size, 0, 'the guard is lifted on the new build');
  });

  test('a reload that lands on the same build keeps the guard, so a socket mismatch asks instead of looping', () => {
    const storage = new Map<string, string>();
    const clock = { t: Date.UTC(2026, 10, 25, 9) };
    const first = page('build-b', storage, clock);
    first.model.report(MISMATCH);
    clock.t += IDLE_BEFORE_RELOAD_MS;
    first.model.tick();
    assert.equal(first.reloads(), 1);
    const again = page('build-b', storage, clock);
    again.model.reportOk();
    again.model.report(MISMATCH);
    assert.equal(again.model.loopGuarded.value, true);
    clock.t += IDLE_BEFORE_RELOAD_MS;
    again.model.tick();
    assert.equal(again.reloads(), 0, 'no second reload by itself');
  });
});
