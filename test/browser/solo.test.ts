/**
 * A learner's one-cycle solo study, end to end in Chromium against a real
 * `wrangler dev`: nickname, a 60-minute study, planning (with a reload in the
 * middle of typing), studying past the deadline, looking back, and finding the
 * study in the records. Time is moved, never waited for: the pages and the
 * worker share a fake clock (harness `startWorldClock`), so 80 minutes of
 * study pass in milliseconds, and every deadline is the server's.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { en } from '../../client/i18n/en.ts';
import { newContext, startWorldClock, suiteForFile } from './harness.ts';
import {
  answer,
  createStudy,
  currentStep,
  eventually,
  expectCountdown,
  expectStep,
  expectTitle,
  finishStudying,
  open,
  pickNickname,
  shownAnswers,
  submitPlan,
  submitRetrospect,
  UI_TIMEOUT,
} from './learner.ts';

const MINUTE = 60_000;
/** The world's time when the learner opens the app: a Wednesday morning in Seoul. */
const TIMEZONE = 'Asia/Seoul';
const START = Date.parse('2030-04-17T10:00:00+09:00');

/**
 * Countdowns are checked within 20 seconds: the clocks run at real speed
 * between jumps, and the point is minutes (35:00 left, not 60:00).
 */
const PLAN = { toDo: 'Read chapter 3 of the algebra book', completionCondition: 'All exercises of 3.1 are done' };
const RETROSPECT = {
  doneAsExpected: 'Mostly; 3.1 took longer than planned',
  experiencedDifficulty: 'Exercise 7 needed a second reading',
  lesson: 'Start with the hardest exercise',
};

/** The page background as the browser paints it, e.g. `rgb(253, 236, 234)`. */
const pageBackground = (page: Page) => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);
/** A colour custom property of the stylesheet, painted as a background, e.g. `--time-up-bg`. */
const paletteColour = (page: Page, name: string) =>
  page.evaluate((property) => {
    const probe = document.createElement('div');
    probe.style.backgroundColor = `var(${property})`;
    document.body.append(probe);
    const colour = getComputedStyle(probe).backgroundColor;
    probe.remove();
    return colour;
  }, name);

describe('a solo study', { timeout: 150_000 }, () => {
  const suite = suiteForFile({ clock: true });

  test('one cycle from nickname to records, with drafts surviving a reload and a deadline that waits for the learner', {
    timeout: 90_000,
  }, async () => {
    const running = suite();
    const { app, browser } = running;
    const context = await newContext(browser, { timezoneId: TIMEZONE });
    try {
      const clock = await startWorldClock(context, app, START);
      const page = await context.newPage();
      await open(page, app.url);
      await pickNickname(page, 'hana');
      const studyId = await createStudy(page, { name: 'Math', cycles: 1, minutes: 60, mode: 'solo' });
      assert.equal(await page.getByTestId('study-cycle').textContent(), en.cycleOf(1, 1));

      // Planning: 10 minutes on the clock. The learner types, and 4 minutes pass.
      await expectCountdown(page, '09:40', '10:00', 'planning starts with its 10 minutes');
      await answer(page, PLAN);
      await clock.fastForward(4 * MINUTE);
      await expectCountdown(page, '05:40', '06:00', 'planning after 4 minutes');

      // A reload in the middle of the step: same step, same deadline, the typed text is still there.
      await page.reload({ timeout: 15_000 });
      await expectStep(page, 'planning');
      assert.equal(
        await page.getByLabel(en.questions.toDo).inputValue(),
        PLAN.toDo,
        'the toDo draft survived the reload',
      );
      assert.equal(
        await page.getByLabel(en.questions.completionCondition).inputValue(),
        PLAN.completionCondition,
        'the completionCondition draft survived the reload',
      );
      await expectCountdown(page, '05:40', '06:00', 'after the reload the deadline is the same');

      // Studying: 60 minutes, the countdown big on the page and in the tab title.
      await submitPlan(page);
      const countdown = page.getByTestId('countdown');
      assert.ok(await countdown.isVisible(), 'the countdown is visible while studying');
      await expectCountdown(page, '59:40', '60:00', 'studying starts with the 60 minutes');
      await expectTitle(page, /^(59:[45]\d|60:00) · Haru Study$/, 'the tab title carries the remaining time');
      assert.deepEqual(await shownAnswers(page.getByTestId('step-studying')), PLAN, 'the plan is shown while studying');
      // The colour changes with a short CSS transition, which runs on real time.
      const studyingBackground = await paletteColour(page, '--studying-bg');
      await eventually(
        () => pageBackground(page),
        (colour) => colour === studyingBackground,
        'the page takes the studying colour',
      );

      // 25 minutes in: 35 left, here and in a page opened now at the same point.
      await clock.fastForward(25 * MINUTE);
      await expectCountdown(page, '34:40', '35:00', 'after 25 of 60 minutes');
      await expectTitle(page, /^(34:[45]\d|35:00) · Haru Study$/, 'the tab title follows the clock');
      const again = await context.newPage();
      try {
        await open(again, app.url, `/study/${encodeURIComponent(studyId)}`);
        await expectStep(again, 'studying');
        await expectCountdown(
          again,
          '34:40',
          '35:00',
          'a page opened 25 minutes into studying counts to the same deadline',
        );
      } finally {
        await again.close();
      }

      // Past the deadline: the page says time is up, in the title and in colour, and waits.
      await clock.fastForward(36 * MINUTE);
      await expectTitle(page, new RegExp(`^${en.timeUpTitle} · Haru Study$`), 'the tab title says the time is up');
      await eventually(
        () => countdown.textContent(),
        (text) => text === '00:00',
        'the countdown stops at 00:00',
      );
      assert.equal(await currentStep(page), 'studying', "time's up does not move the learner on");
      await page.locator('main.study.time-up[data-time-up="true"]').waitFor({ timeout: UI_TIMEOUT });
      assert.equal(await page.getByTestId('time-up').textContent(), en.timeUpNote);
      const timeUpBackground = await paletteColour(page, '--time-up-bg');
      assert.notEqual(timeUpBackground, studyingBackground);
      await eventually(
        () => pageBackground(page),
        (colour) => colour === timeUpBackground,
        'the page turns the time-up colour',
      );
      assert.equal(
        await countdown.evaluate((el) => getComputedStyle(el).color),
        await page.evaluate(() => {
          const probe = document.createElement('span');
          probe.style.color = 'var(--time-up)';
          document.body.append(probe);
          const colour = getComputedStyle(probe).color;
          probe.remove();
          return colour;
        }),
        'the countdown turns the time-up colour',
      );

      // Much later still, nothing has moved the learner on: not the page, not the server.
      await clock.fastForward(30 * MINUTE);
      await page.waitForTimeout(600);
      assert.equal(await currentStep(page), 'studying', 'the page does not move on by itself');
      await page.reload({ timeout: 15_000 });
      await expectStep(page, 'studying');
      await expectTitle(page, new RegExp(`^${en.timeUpTitle} · `), 'after a reload the time is still up');
      assert.equal(await page.getByTestId('study-page').getAttribute('data-time-up'), 'true');

      // The learner moves on: retrospect has its own 10 minutes, from now.
      await finishStudying(page);
      await expectCountdown(page, '09:40', '10:00', 'the retrospect starts with its 10 minutes');
      assert.equal(await page.getByTestId('study-page').getAttribute('data-time-up'), 'false');
      await answer(page, RETROSPECT);
      await submitRetrospect(page, 'done');
      assert.equal(await page.getByTestId('study-cycle').textContent(), en.allCyclesDone(1));
      assert.equal(await countdown.count(), 0, 'no countdown once done');
      await expectTitle(page, /^Math · Haru Study$/, 'a finished study is titled by its name');

      // The study's record page: the plan and the retrospect of cycle 1.
      await page.getByRole('link', { name: en.seeRecords }).click();
      await page.waitForURL(`**/study/${encodeURIComponent(studyId)}/records`, { timeout: UI_TIMEOUT });
      await page.getByRole('heading', { level: 1, name: 'Math' }).waitFor({ timeout: UI_TIMEOUT });
      const records = page.getByTestId('participant-record');
      assert.equal(await records.count(), 1);
      assert.match((await records.getByRole('heading', { level: 2 }).textContent()) ?? '', /^hana\b/);
      const cycle = records.getByTestId('cycle-record');
      assert.equal(await cycle.count(), 1);
      assert.equal(await cycle.getAttribute('data-cycle'), '1');
      assert.deepEqual(
        await shownAnswers(cycle),
        { ...PLAN, ...RETROSPECT },
        'the record shows the plan and the retrospect',
      );

      // "My records": the study is in the list...
      await page.getByRole('navigation').getByRole('link', { name: en.myRecords }).click();
      await page.getByRole('heading', { level: 1, name: en.myRecords }).waitFor({ timeout: UI_TIMEOUT });
      const item = page.getByTestId('record-item');
      await item.first().waitFor({ timeout: UI_TIMEOUT });
      assert.equal(await item.count(), 1);
      assert.equal(await item.getAttribute('data-study-id'), studyId);
      assert.equal(await item.getByRole('heading', { level: 2 }).textContent(), 'Math');
      assert.match((await item.textContent()) ?? '', new RegExp(`${en.soloStudy}.*${en.allCyclesDone(1)}`));

      // ...and on the calendar, on today's date, which the calendar marks.
      await page.getByRole('button', { name: en.calendarView }).click();
      const calendar = page.getByTestId('calendar');
      await calendar.waitFor({ timeout: UI_TIMEOUT });
      assert.equal(await page.getByTestId('calendar-month').textContent(), 'April 2030');
      const today = calendar.locator('[aria-current="date"]');
      assert.equal(await today.count(), 1, 'exactly one day is marked as today');
      assert.equal(await today.textContent(), '17');
      const day = page.getByTestId('calendar-day-with-study');
      await day.waitFor({ timeout: UI_TIMEOUT });
      assert.equal(await day.count(), 1);
      assert.equal(await day.locator('[aria-current="date"]').count(), 1, "the study is on today's date");
      const link = day.getByRole('link', { name: /Math$/ });
      assert.equal(await link.getAttribute('href'), `/study/${encodeURIComponent(studyId)}/records`);
    } finally {
      await context.close();
    }
  });
});
