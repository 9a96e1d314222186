/**
 * "My stats" on its own (no page needed): what counts as focus time, which
 * studies are this week's, and when a streak holds or breaks, in local days.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { myStats } from '../../client/records/stats.ts';
import type { MyRecord } from '../../shared/api.ts';

/** A record of a study made at local `y-m-d hh:00`, where the learner is now. */
function record(
  at: [number, number, number, number],
  position: Pick<MyRecord, 'step' | 'cycle'>,
  study: { totalCycles?: number; minutesPerCycle?: number } = {},
): Pick<MyRecord, 'step' | 'cycle' | 'study'> {
  const [y, m, d, h] = at;
  return {
    ...position,
    study: {
      id: `${y}-${m}-${d}-${h}`,
      name: 'Math',
      totalCycles: study.totalCycles ?? 2,
      minutesPerCycle: study.minutesPerCycle ?? 30,
      mode: 'solo',
      code: null,
      createdAt: new Date(y, m - 1, d, h).getTime(),
    },
  };
}

// Wednesday 3 December 2025, 10:00 local: its week began on Monday 1 December.
const NOW = new Date(2025, 11, 3, 10).getTime();

describe('my stats', () => {
  test('focus time counts the cycles whose studying is behind the learner, at their planned length', () => {
    const stats = myStats(
      [
        record([2025, 12, 3, 9], { step: 'planning', cycle: 1 }), // nothing studied yet: 0
        record([2025, 12, 3, 8], { step: 'studying', cycle: 2 }), // cycle 1 studied: 30
        record([2025, 12, 2, 9], { step: 'retrospect', cycle: 2 }), // cycles 1-2: 60
        record([2025, 11, 1, 9], { step: 'done', cycle: 3 }, { totalCycles: 3, minutesPerCycle: 25 }), // all: 75
        record([2025, 11, 2, 9], { step: 'done', cycle: 2 }, { totalCycles: 4, minutesPerCycle: 40 }), // ended early in 2: 40
      ],
      NOW,
    );
    assert.equal(stats.focusMinutes, 30 + 60 + 75 + 40);
  });

  test('this week starts on Monday at local midnight and ends today', () => {
    const stats = myStats(
      [
        record([2025, 12, 1, 0], { step: 'done', cycle: 2 }), // Monday 00:00: in
        record([2025, 12, 3, 9], { step: 'planning', cycle: 1 }), // today: in
        record([2025, 11, 30, 23], { step: 'done', cycle: 2 }), // Sunday before: out
      ],
      NOW,
    );
    assert.equal(stats.thisWeek, 2);
    // On a Sunday, the week still began the Monday before.
    const sunday = new Date(2025, 11, 7, 22).getTime();
    assert.equal(myStats([record([2025, 12, 1, 9], { step: 'done', cycle: 2 })], sunday).thisWeek, 1);
    assert.equal(myStats([record([2025, 12, 8, 9], { step: 'done', cycle: 2 })], sunday).thisWeek, 0, 'next week');
  });

  test('a streak counts consecutive days up to today; a gap ends it, today not studied yet does not', () => {
    const on = (d: number, h = 9) => record([2025, 12, d, h], { step: 'done', cycle: 2 });
    assert.equal(myStats([on(3), on(2), on(2, 20), on(1)], NOW).streak, 3, 'Mon-Wed, two on Tuesday');
    assert.equal(myStats([on(3), on(1)], NOW).streak, 1, 'a gap on Tuesday');
    assert.equal(myStats([on(2), on(1)], NOW).streak, 2, 'not yet today: still 2');
    assert.equal(myStats([on(1)], NOW).streak, 0, 'neither today nor yesterday');
    assert.equal(myStats([], NOW).streak, 0);
    // Across a month's end, by local days.
    const first = new Date(2025, 11, 1, 7).getTime();
    assert.equal(myStats([on(1, 6), record([2025, 11, 30, 23], { step: 'done', cycle: 2 })], first).streak, 2);
  });

  test('no records: all zero', () => {
    assert.deepEqual(myStats([], NOW), { focusMinutes: 0, thisWeek: 0, streak: 0 });
  });
});
