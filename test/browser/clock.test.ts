/**
 * The countdown keeps to the server's clock without a reload, in Chromium
 * against a real `wrangler dev`: when the device clock is set forward or back
 * (Date moves, performance.now() does not), the page asks the server at once;
 * and a device clock that drifts is caught by the periodic recheck. Both
 * clocks are Playwright's and the worker's movable ones (harness
 * `startWorldClock`); the page's alone is moved to make it wrong.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { RESYNC_MS } from '../../client/time/clock.ts';
import { newContext, startWorldClock, suiteForFile } from './harness.ts';
import { answer, createStudy, expectCountdown, open, pickNickname, submitPlan, UI_TIMEOUT } from './learner.ts';

const MINUTE = 60_000;
const START = Date.parse('2030-04-17T10:00:00+09:00');
const PLAN = { toDo: 'Read chapter 3', completionCondition: 'All exercises of 3.1 done' };

/** Resolves with the next time the study page asks the server for the study (and so for its clock). */
const nextStudyFetch = (page: Page, studyId: string) =>
  page.waitForResponse(
    (res) => res.request().method() === 'GET' && res.url().endsWith(`/api/v1/studies/${encodeURIComponent(studyId)}`),
    { timeout: UI_TIMEOUT },
  );

/** Sets the page's wall clock `ms` away from where it is, as a learner or the system would: no timers, no performance.now(). */
async function setDeviceClock(page: Page, ms: number): Promise<void> {
  const deviceNow = await page.evaluate(() => Date.now());
  await page.clock.setSystemTime(deviceNow + ms);
}

describe('the countdown keeps to the server clock', { timeout: 150_000 }, () => {
  const suite = suiteForFile({ clock: true });

  test('a device clock set forward or back is caught at once, without a reload', { timeout: 60_000 }, async () => {
    const { app, browser } = suite();
    const context = await newContext(browser);
    try {
      await startWorldClock(context, app, START);
      const page = await context.newPage();
      await open(page, app.url);
      await pickNickname(page, 'hana');
      const studyId = await createStudy(page, { name: 'Math', cycles: 1, minutes: 20, mode: 'solo' });
      await answer(page, PLAN);
      await submitPlan(page);
      await expectCountdown(page, '19:40', '20:00', 'studying starts with its 20 minutes');

      // A mark on this document: a reload would lose it.
      await page.evaluate(() => Object.assign(window, { sameDocument: true }));

      // The device clock jumps 11 minutes ahead: without asking the server this would show 09:00.
      let asked = nextStudyFetch(page, studyId);
      await setDeviceClock(page, 11 * MINUTE);
      await asked;
      await expectCountdown(page, '19:30', '20:00', 'after the device clock jumped forward, the server time');

      // And 40 minutes back: the naive count would pass the step's whole length.
      asked = nextStudyFetch(page, studyId);
      await setDeviceClock(page, -40 * MINUTE);
      await asked;
      await expectCountdown(page, '19:30', '20:00', 'after the device clock jumped back, the server time');
      assert.equal(await page.evaluate(() => 'sameDocument' in window), true, 'no reload');
    } finally {
      await context.close();
    }
  });

  test('a device clock that drifts is corrected by the periodic recheck', { timeout: 60_000 }, async () => {
    const { app, browser } = suite();
    const context = await newContext(browser);
    try {
      const world = await startWorldClock(context, app, START);
      const page = await context.newPage();
      await open(page, app.url);
      await pickNickname(page, 'mina');
      const studyId = await createStudy(page, { name: 'Math', cycles: 1, minutes: 20, mode: 'solo' });
      await answer(page, PLAN);
      await submitPlan(page);
      await expectCountdown(page, '19:40', '20:00', 'studying starts with its 20 minutes');

      // The device runs 3 minutes fast, smoothly (no jump): the page believes 17 minutes are left.
      await page.clock.fastForward(3 * MINUTE);
      await expectCountdown(page, '16:40', '17:00', 'a fast device clock, before the recheck');

      // Once the recheck is due, the page asks the server and counts from its clock again.
      const asked = nextStudyFetch(page, studyId);
      await world.fastForward(RESYNC_MS - 3 * MINUTE + 10_000);
      await asked;
      const serverLeft = 20 * MINUTE - (RESYNC_MS - 3 * MINUTE + 10_000);
      const mmss = (ms: number) =>
        `${String(Math.floor(ms / MINUTE)).padStart(2, '0')}:${String(Math.floor((ms % MINUTE) / 1000)).padStart(2, '0')}`;
      await expectCountdown(page, mmss(serverLeft - 20_000), mmss(serverLeft), 'after the recheck, the server time');
    } finally {
      await context.close();
    }
  });
});
