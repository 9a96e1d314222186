/**
 * "My stats" from the learner's records as the records API lists them
 * (`GET /me/records`): no extra endpoint, so the numbers are whatever the list
 * says. Pure (no DOM, no storage), so the rules are tested on their own.
 * Days and weeks are the learner's own, in the device's time zone.
 */
import type { MyRecord } from '../../shared/api.ts';

/** The three numbers of "my stats". */
export interface MyStats {
  /**
   * Minutes of study steps completed: for every study, the cycles whose
   * studying step the learner has moved past (to the retrospect or beyond),
   * times the study's minutes per cycle. A cycle counts at its planned length,
   * since the records keep no finish times; a cycle still being studied does
   * not count yet, nor does the cycle a study was ended early in (the record
   * does not say whether its studying was done).
   */
  focusMinutes: number;
  /** Studies started since Monday 00:00 of this week, local time. */
  thisWeek: number;
  /**
   * Consecutive local days, ending today, with at least one study started on
   * each. A day without one ends the streak, except today: until the learner
   * studies today, yesterday's streak still stands (it is not over yet).
   */
  streak: number;
}

/** Cycles whose studying step is behind the learner in `record`. */
function studiedCycles(record: Pick<MyRecord, 'step' | 'cycle' | 'study'>): number {
  switch (record.step) {
    case 'done':
      // One that ran its course studied every cycle. One ended early keeps the cycle it was ended in, but not
      // the step, so only the cycles before it surely were studied.
      return record.cycle >= record.study.totalCycles ? record.study.totalCycles : record.cycle - 1;
    case 'retrospect':
      return record.cycle;
    default:
      return record.cycle - 1;
  }
}

/** Local midnight of the day holding `epochMs`, `offsetDays` days later. */
function dayStart(epochMs: number, offsetDays = 0): number {
  const date = new Date(epochMs);
  return new Date(date.getFullYear(), date.getMonth(), date.getDate() + offsetDays).getTime();
}

/** The stats of `records` (all of the learner's, any order) as of `now`. */
export function myStats(records: readonly Pick<MyRecord, 'step' | 'cycle' | 'study'>[], now: number): MyStats {
  const focusMinutes = records.reduce((sum, r) => sum + studiedCycles(r) * r.study.minutesPerCycle, 0);
  const today = dayStart(now);
  // getDay(): 0 is Sunday; the week starts on Monday.
  const monday = dayStart(now, -((new Date(now).getDay() + 6) % 7));
  const thisWeek = records.filter((r) => r.study.createdAt >= monday && r.study.createdAt < dayStart(now, 1)).length;
  const days = new Set(records.map((r) => dayStart(r.study.createdAt)));
  let day = days.has(today) ? today : dayStart(today, -1);
  let streak = 0;
  while (days.has(day)) {
    streak++;
    day = dayStart(day, -1);
  }
  return { focusMinutes, thisWeek, streak };
}
