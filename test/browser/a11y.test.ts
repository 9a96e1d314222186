/**
 * Accessibility in the browser (issue 3, "Accessible"): axe-core finds no
 * violation on any main page or state of the app, from the nickname step
 * through a whole solo cycle (time's up included) to the records, a live
 * group study's lobby and the update notice; the main flow works from the keyboard;
 * and focus moves to the new step's heading after each step change.
 *
 * axe is injected as a script file, which the page's CSP (no inline or
 * foreign scripts) would refuse, so this file's contexts bypass CSP. They
 * also ask for reduced motion, so colours are checked after, not during, the
 * page's colour transition.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { en } from '../../client/i18n/en.ts';
import { expectNoViolations } from './axe.ts';
import { newContext, type Suite, startWorldClock, suiteForFile } from './harness.ts';
import {
  answer,
  createRoom,
  createStudy,
  eventually,
  expectStep,
  expectTitle,
  open,
  pickNickname,
  type Step,
  submitJoin,
  submitRetrospect,
  UI_TIMEOUT,
} from './learner.ts';

const MINUTE = 60_000;

/** The element that has focus: its tag, id and text. */
function focused(page: Page): Promise<{ tag: string; id: string; text: string }> {
  return page.evaluate(() => {
    const el = document.activeElement;
    return { tag: el?.tagName.toLowerCase() ?? '', id: el?.id ?? '', text: el?.textContent ?? '' };
  });
}

/** Waits until focus is on the element `expected` describes (headings take focus in an effect, after paint). */
async function expectFocus(
  page: Page,
  expected: { tag: string; id: string; text: string },
  why: string,
): Promise<void> {
  await eventually(
    () => focused(page),
    (now) => now.tag === expected.tag && now.id === expected.id && now.text === expected.text,
    `${why}: focus should be on ${JSON.stringify(expected)}`,
  );
}

/** Focus is on the heading of `step`, the one that just appeared. */
async function expectFocusOnStep(page: Page, step: Step): Promise<void> {
  await expectStep(page, step);
  await expectFocus(page, { tag: 'h2', id: 'step-heading', text: en.stepTitles[step] }, `after moving to ${step}`);
}

/** Focuses `name`'s button and presses Enter, as a keyboard user does. */
async function pressButton(page: Page, name: string): Promise<void> {
  const button = page.getByRole('button', { name, exact: true });
  await button.focus();
  await page.keyboard.press('Enter');
}

describe('accessibility', { timeout: 170_000 }, () => {
  const suite = suiteForFile({ clock: true });

  const context = async (): Promise<{ context: BrowserContext; suite: Suite }> => {
    const running = suite();
    return { context: await newContext(running.browser, { bypassCSP: true, reducedMotion: 'reduce' }), suite: running };
  };

  test('the axe check sees a violation when there is one', { timeout: 30_000 }, async () => {
    const { context: device, suite: running } = await context();
    try {
      const page = await device.newPage();
      await open(page, running.app.url);
      await page.evaluate(() => {
        const field = document.createElement('input');
        field.id = 'unlabelled';
        document.getElementById('main')?.append(field);
      });
      await assert.rejects(expectNoViolations(page, 'a page with an unlabelled field'), (error: Error) => {
        assert.match(
          error.message,
          /axe found 1 violation\(s\) on a page with an unlabelled field:\nlabel \(critical\): .*\n {2}at #unlabelled/,
        );
        return true;
      });
    } finally {
      await device.close();
    }
  });

  test('a whole solo cycle and the records: no axe violations, keyboard operable, focus follows the step', {
    timeout: 90_000,
  }, async () => {
    const { context: device, suite: running } = await context();
    try {
      const clock = await startWorldClock(device, running.app, Date.now());
      const page = await device.newPage();
      await open(page, running.app.url);
      await page.getByRole('heading', { level: 1, name: en.welcomeTitle }).waitFor({ timeout: UI_TIMEOUT });
      await expectNoViolations(page, 'the nickname step');

      // From the keyboard: Tab to the nickname field (skip link, brand, language come first), type, Enter.
      const nickname = page.getByLabel(en.nickname, { exact: true });
      let tabs = 0;
      while (!(await nickname.evaluate((el) => el === document.activeElement)) && tabs < 8) {
        await page.keyboard.press('Tab');
        tabs++;
      }
      assert.equal((await focused(page)).id, 'nickname', `Tab reaches the nickname field (after ${tabs} presses)`);
      await page.keyboard.press('Enter');
      await page.getByText(en.fieldRequired).waitFor({ timeout: UI_TIMEOUT });
      await expectFocus(
        page,
        { tag: 'input', id: 'nickname', text: '' },
        'an empty nickname keeps focus on the field, now marked invalid',
      );
      assert.equal(await nickname.getAttribute('aria-invalid'), 'true');
      await expectNoViolations(page, 'the nickname step with a field error');
      await page.keyboard.type('hana');
      await page.keyboard.press('Enter');
      await page.getByRole('heading', { level: 1, name: en.homeTitle('hana') }).waitFor({ timeout: UI_TIMEOUT });
      await expectFocus(page, { tag: 'h1', id: '', text: en.homeTitle('hana') }, 'after picking a nickname');
      await expectNoViolations(page, 'the home page');

      // Planning, with the optional questions open.
      await createStudy(page, { name: 'Math', cycles: 1, minutes: 60, mode: 'solo' });
      await page.getByText(en.planMore).click();
      await page.getByLabel(en.questions.whatCanYouDo).waitFor({ timeout: UI_TIMEOUT });
      await expectNoViolations(page, 'the planning step');
      await pressButton(page, en.startStudying);
      await page.getByText(en.fieldRequired).first().waitFor({ timeout: UI_TIMEOUT });
      await expectFocus(page, { tag: 'textarea', id: 'plan-toDo', text: '' }, 'the first missing answer takes focus');
      await expectNoViolations(page, 'the planning step with field errors');
      await answer(page, { toDo: 'Chapter 3', completionCondition: 'Exercises done', whatCanYouDo: 'Phone away' });

      // Studying, then past its deadline (the time-up colours must keep their contrast).
      await pressButton(page, en.startStudying);
      await expectFocusOnStep(page, 'studying');
      await expectNoViolations(page, 'the studying step');
      await clock.fastForward(61 * MINUTE);
      await page.locator('main.time-up').waitFor({ timeout: UI_TIMEOUT });
      await expectTitle(page, new RegExp(`^${en.timeUpTitle}`), 'time is up');
      await expectNoViolations(page, "the studying step when time's up");

      // Retrospect (the plan shown open), then done.
      await pressButton(page, en.finishStudying);
      await expectFocusOnStep(page, 'retrospect');
      await page.getByText(en.yourPlan).click();
      await expectNoViolations(page, 'the retrospect step');
      await answer(page, { doneAsExpected: 'Yes', experiencedDifficulty: 'Exercise 7', lesson: 'Start early' });
      await submitRetrospect(page, 'done');
      await expectFocus(page, { tag: 'h2', id: 'step-heading', text: en.stepTitles.done }, 'after moving to done');
      await expectNoViolations(page, 'the done step');

      // The records: the study's page, my records as a list and as a calendar.
      await page.getByRole('link', { name: en.seeRecords }).click();
      await page.getByTestId('participant-record').waitFor({ timeout: UI_TIMEOUT });
      await expectFocus(page, { tag: 'h1', id: '', text: 'Math' }, 'after opening the record page');
      await expectNoViolations(page, "the study's record page");
      await page.getByRole('link', { name: en.myRecords }).first().click();
      await page.getByTestId('record-item').waitFor({ timeout: UI_TIMEOUT });
      await expectNoViolations(page, 'my records (list)');
      await page.getByRole('button', { name: en.calendarView }).click();
      await page.getByTestId('calendar-day-with-study').waitFor({ timeout: UI_TIMEOUT });
      await expectNoViolations(page, 'my records (calendar)');
    } finally {
      await device.close();
    }
  });

  test('group study, join error, not-found page and the update notice: no axe violations', {
    timeout: 60_000,
  }, async () => {
    const { context: device, suite: running } = await context();
    try {
      const page = await device.newPage();
      await open(page, running.app.url);
      await pickNickname(page, 'mina');

      // A wrong code: the form's alert.
      await submitJoin(page, 'QQQQQQ', 'mina');
      await page.getByTestId('join-form-error').waitFor({ timeout: UI_TIMEOUT });
      await expectNoViolations(page, 'the home page with a join error');

      // A live group study's lobby: the share code, the host's Start and the live participant list
      // (test/browser/live.test.ts checks the live steps with three learners).
      await createRoom(page, { name: 'Korean', cycles: 2, minutes: 25 });
      await page.getByTestId('participants').waitFor({ timeout: UI_TIMEOUT });
      await expectNoViolations(page, "a live group study's lobby");

      await open(page, running.app.url, '/no/such/page');
      await page.getByRole('heading', { level: 1, name: en.notFoundTitle }).waitFor({ timeout: UI_TIMEOUT });
      await expectNoViolations(page, 'the not-found page');

      // The update notice, as a deployment that no longer speaks this page's API level shows it.
      // The loop guard is set, so the page asks instead of reloading away under axe.
      await open(page, running.app.url);
      await page.evaluate(() => sessionStorage.setItem('haru.compatReloadAt', String(Date.now())));
      await page.route('**/api/version', (route) =>
        route.fulfill({
          status: 409,
          headers: { 'Content-Type': 'application/json', 'X-Haru-Compat': 'reload', 'X-Haru-Api-Range': '2-3' },
          body: JSON.stringify({
            error: 'client_outdated',
            message: 'Reload.',
            serverVersion: 'next',
            apiRange: { min: 2, max: 3 },
          }),
        }),
      );
      await page.evaluate(() => window.dispatchEvent(new Event('online')));
      const notice = page.getByTestId('update-notice');
      await notice.waitFor({ timeout: UI_TIMEOUT });
      assert.match((await notice.textContent()) ?? '', new RegExp(en.updateReady));
      await expectNoViolations(page, 'the home page with the update notice');
    } finally {
      await device.close();
    }
  });
});
