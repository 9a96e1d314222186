/**
 * The polish a learner sees, in Chromium against a real `wrangler dev`: the
 * icons, manifest and link previews every build serves; dark mode (axe clean
 * in both schemes); Ctrl/Cmd+Enter; the opt-in notification at time up;
 * touch targets of 44 px and the participant list in view on a 390 x 844
 * phone; and "my stats" on My records, in English and Korean.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BrowserContext, BrowserContextOptions, Page } from 'playwright-core';
import { en } from '../../client/i18n/en.ts';
import { ko } from '../../client/i18n/ko.ts';
import { expectNoViolations } from './axe.ts';
import { newContext, startWorldClock, suiteForFile } from './harness.ts';
import {
  answer,
  createRoom,
  createStudy,
  expectRoomStep,
  expectStep,
  finishStudying,
  open,
  pickNickname,
  submitPlan,
  submitRetrospect,
  UI_TIMEOUT,
} from './learner.ts';

const MINUTE = 60_000;
const PHONE = { width: 390, height: 844 };
const PLAN = { toDo: 'Read chapter 3', completionCondition: 'Exercises of 3.1 done' };
const RETROSPECT = { doneAsExpected: 'Mostly', experiencedDifficulty: 'Exercise 7' };

/** The page background as painted, e.g. `rgb(28, 23, 19)`. */
const pageBackground = (page: Page) => page.evaluate(() => getComputedStyle(document.documentElement).backgroundColor);

/** Notifications the page constructed, recorded by the init script of `recordNotifications`. */
const shownNotifications = (page: Page) =>
  page.evaluate(() => (window as unknown as { __notes: { title: string; body: string }[] }).__notes);

/**
 * Wraps the page's `Notification` so the test sees each one constructed and
 * each permission request; with `answer`, a request resolves so (the learner's
 * reply to the prompt) instead of reaching the browser.
 */
async function recordNotifications(context: BrowserContext, answer?: NotificationPermission): Promise<void> {
  await context.addInitScript((reply) => {
    const w = window as unknown as { __notes: unknown[]; __asked: number };
    w.__notes = [];
    w.__asked = 0;
    const Real = window.Notification;
    class Recorded extends Real {
      constructor(title: string, options?: NotificationOptions) {
        w.__notes.push({ title, body: options?.body ?? '' });
        super(title, options);
      }
      static override requestPermission(): Promise<NotificationPermission> {
        w.__asked++;
        return reply ? Promise.resolve(reply) : Real.requestPermission();
      }
    }
    window.Notification = Recorded;
  }, answer ?? null);
}

/**
 * Every visible control on the page smaller than 44 x 44 px: buttons, links
 * styled or placed as buttons, fields, and the labels of radios and checkboxes.
 */
const smallTargets = (page: Page) =>
  page.evaluate(() => {
    const selector = [
      'button',
      'a.button',
      'input:not([type="radio"], [type="checkbox"])',
      'select',
      'textarea',
      'summary',
      'label:has(input[type="radio"])',
      'label:has(input[type="checkbox"])',
      'header a',
      '.record a',
    ].join(',');
    return [...document.querySelectorAll<HTMLElement>(selector)]
      .filter((el) => el.checkVisibility() && !el.matches('.skip-link'))
      .map((el) => ({ el, box: el.getBoundingClientRect() }))
      .filter(({ box }) => box.width < 44 || box.height < 44)
      .map(
        ({ el, box }) =>
          `${el.tagName.toLowerCase()} "${el.textContent?.trim().slice(0, 30)}" ${box.width}x${box.height}`,
      );
  });

async function expectTargets(page: Page, where: string): Promise<void> {
  assert.deepEqual(await smallTargets(page), [], `every target on ${where} is at least 44 x 44 px`);
}

describe('polish a learner sees', { timeout: 600_000 }, () => {
  const suite = suiteForFile({ clock: true });

  /** A fresh device: English, reduced motion (colours checked at rest), axe-ready; `options` adds or overrides. */
  const device = (options: BrowserContextOptions = {}) =>
    newContext(suite().browser, { bypassCSP: true, reducedMotion: 'reduce', ...options });

  test('every build links and serves its favicon, home screen icons and web app manifest', async () => {
    const { app } = suite();
    const context = await device();
    try {
      const page = await context.newPage();
      await open(page, app.url);
      const href = (rel: string) => page.locator(`link[rel="${rel}"]`).getAttribute('href');
      const get = async (path: string | null, type: string) => {
        assert.ok(typeof path === 'string' && path.startsWith('/assets/'), `${path} is a hashed asset`);
        const res = await page.request.get(`${app.url}${path}`);
        assert.equal(res.status(), 200, path);
        assert.equal(res.headers()['content-type'], type, path);
        assert.match(res.headers()['cache-control'] ?? '', /immutable/);
        return res;
      };
      const svg = await get(await href('icon'), 'image/svg+xml');
      assert.match(await svg.text(), /^<svg /);
      await get(await href('apple-touch-icon'), 'image/png');
      const manifest = (await (
        await get(await href('manifest'), 'application/manifest+json; charset=utf-8')
      ).json()) as {
        theme_color: string;
        icons: { src: string; type: string }[];
      };
      assert.ok(manifest.icons.length >= 3);
      for (const icon of manifest.icons) await get(icon.src, icon.type);
      assert.equal(await page.locator('meta[name="theme-color"]').count(), 2);
      assert.equal(await page.locator('meta[name="color-scheme"]').getAttribute('content'), 'light dark');
      for (const meta of ['meta[name="description"]', 'meta[property="og:title"]', 'meta[property="og:description"]'])
        assert.match((await page.locator(meta).getAttribute('content')) ?? '', /[가-힣]/, `${meta} has Korean too`);
    } finally {
      await context.close();
    }
  });

  test('dark and light follow the system; axe finds nothing in either, studying and in the records', {
    timeout: 150_000,
  }, async () => {
    const { app } = suite();
    for (const [scheme, background] of [
      ['light', 'rgb(251, 248, 243)'],
      ['dark', 'rgb(28, 23, 19)'],
    ] as const) {
      const context = await device({ colorScheme: scheme });
      try {
        const clock = await startWorldClock(context, app, Date.now());
        const page = await context.newPage();
        await open(page, app.url);
        assert.equal(await pageBackground(page), background, `the ${scheme} page`);
        await expectNoViolations(page, `the welcome page (${scheme})`);
        await pickNickname(page, `${scheme}`);
        await expectNoViolations(page, `the home page (${scheme})`);
        await createStudy(page, { name: 'Math', cycles: 1, minutes: 20, mode: 'solo' });
        await page.getByTestId('plan-more').locator('summary').click();
        await expectNoViolations(page, `a planning step (${scheme})`);
        await answer(page, PLAN);
        await submitPlan(page);
        await clock.fastForward(21 * MINUTE);
        await page.locator('main.study.time-up').waitFor({ timeout: UI_TIMEOUT });
        await expectNoViolations(page, `a studying step when time is up (${scheme})`);
        await finishStudying(page);
        await answer(page, RETROSPECT);
        await submitRetrospect(page);
        await page.getByTestId('my-records-link').click();
        await page.getByTestId('my-stats').waitFor({ timeout: UI_TIMEOUT });
        await page.getByTestId('record-item').waitFor({ timeout: UI_TIMEOUT });
        await expectNoViolations(page, `my records with my stats (${scheme})`);
        await page.getByRole('button', { name: en.calendarView }).click();
        await page.getByTestId('calendar-day-with-study').waitFor({ timeout: UI_TIMEOUT });
        await expectNoViolations(page, `the records calendar (${scheme})`);
      } finally {
        await context.close();
      }
    }
  });

  test('Ctrl+Enter and Cmd+Enter submit the plan and the retrospect; Enter alone is a new line', {
    timeout: 90_000,
  }, async () => {
    const { app } = suite();
    const english = await device();
    const korean = await device({ locale: 'ko-KR' });
    try {
      const page = await english.newPage();
      await open(page, app.url);
      await pickNickname(page, 'keys');
      await createStudy(page, { name: 'Keys', cycles: 1, minutes: 20, mode: 'solo' });
      assert.equal(await page.getByText(en.submitShortcut, { exact: true }).count(), 1, 'the form tells of it');
      await answer(page, PLAN);
      const toDo = page.getByLabel(en.questions.toDo);
      await toDo.press('Enter');
      assert.equal(await toDo.inputValue(), `${PLAN.toDo}\n`, 'Enter alone starts a new line');
      assert.equal(await page.getByTestId('study-page').getAttribute('data-step'), 'planning');
      await toDo.press('Control+Enter');
      await expectStep(page, 'studying');
      await finishStudying(page);
      await answer(page, RETROSPECT);
      await page.getByLabel(en.questions.experiencedDifficulty).press('Meta+Enter');
      await expectStep(page, 'done');

      // In Korean: the hint says so in Korean, and Cmd+Enter submits the plan.
      const hana = await korean.newPage();
      await open(hana, app.url);
      await hana.getByLabel(ko.nickname, { exact: true }).fill('하나');
      await hana.getByRole('button', { name: ko.nicknameSubmit, exact: true }).click();
      const form = hana.getByTestId('create-form');
      await form.getByRole('radio', { name: ko.modeSolo }).check();
      await form.getByLabel(ko.studyName, { exact: true }).fill('수학');
      await form.getByRole('button', { name: ko.createSubmit, exact: true }).click();
      await hana.locator('main[data-testid="study-page"][data-step="planning"]').waitFor({ timeout: UI_TIMEOUT });
      assert.equal(await hana.getByText(ko.submitShortcut, { exact: true }).count(), 1);
      assert.equal(
        await hana.getByRole('checkbox', { name: ko.notify }).count(),
        1,
        'the notification switch, in Korean',
      );
      await hana.getByLabel(ko.questions.toDo).fill('3장 읽기');
      await hana.getByLabel(ko.questions.completionCondition).fill('연습문제 풀기');
      await hana.getByLabel(ko.questions.completionCondition).press('Meta+Enter');
      await hana
        .getByRole('heading', { level: 2, name: ko.stepTitles.studying, exact: true })
        .waitFor({ timeout: UI_TIMEOUT });
    } finally {
      await english.close();
      await korean.close();
    }
  });

  test('a notification at time up only for a learner who turned it on, asked for only when they do', {
    timeout: 90_000,
  }, async () => {
    const { app } = suite();
    // A learner whose browser allows notifications: one when time is up, none after they turn it off.
    const allowed = await device();
    // A learner who says no when asked.
    const refusing = await device();
    try {
      await allowed.grantPermissions(['notifications'], { origin: app.url });
      await recordNotifications(allowed);
      const clock = await startWorldClock(allowed, app, Date.now());
      const page = await allowed.newPage();
      await open(page, app.url);
      await pickNickname(page, 'ping');
      await createStudy(page, { name: 'Physics', cycles: 1, minutes: 20, mode: 'solo' });
      const toggle = page.getByRole('checkbox', { name: en.notify });
      assert.equal(await toggle.isChecked(), false, 'off until the learner turns it on');
      await toggle.check();
      // Remembered: a reload keeps it on.
      await page.reload();
      await expectStep(page, 'planning');
      assert.equal(await page.getByRole('checkbox', { name: en.notify }).isChecked(), true);
      assert.deepEqual(await shownNotifications(page), []);
      await clock.fastForward(11 * MINUTE);
      await page.locator('main.study.time-up').waitFor({ timeout: UI_TIMEOUT });
      await page.waitForFunction(() => (window as unknown as { __notes: unknown[] }).__notes.length > 0, null, {
        timeout: UI_TIMEOUT,
      });
      assert.deepEqual(await shownNotifications(page), [{ title: `${en.timeUpTitle} · Physics`, body: en.notifyBody }]);

      // Turned off: studying's time up chimes on the page but sends nothing.
      await page.getByRole('checkbox', { name: en.notify }).uncheck();
      await answer(page, PLAN);
      await submitPlan(page);
      await clock.fastForward(21 * MINUTE);
      await page.locator('main.study.time-up').waitFor({ timeout: UI_TIMEOUT });
      assert.equal((await shownNotifications(page)).length, 1, 'no notification once turned off');

      // The live room notifies the same way, in the learner's language.
      await open(page, app.url);
      await createRoom(page, { name: 'Chem', cycles: 1, minutes: 20 });
      await page.getByTestId('start-room').click();
      await expectRoomStep(page, 'planning');
      await page.getByRole('checkbox', { name: en.notify }).check();
      await page.getByTestId('language-switch').click();
      await page.getByRole('checkbox', { name: ko.notify, checked: true }).waitFor({ timeout: UI_TIMEOUT });
      await clock.fastForward(11 * MINUTE);
      await page.locator('main[data-testid="room-page"][data-time-up="true"]').waitFor({ timeout: UI_TIMEOUT });
      await page.waitForFunction(() => (window as unknown as { __notes: unknown[] }).__notes.length > 0, null, {
        timeout: UI_TIMEOUT,
      });
      assert.deepEqual(await shownNotifications(page), [{ title: `${ko.timeUpTitle} · Chem`, body: ko.notifyBody }]);

      // Asked for only on the press; a refusal leaves it off and says where to allow it.
      await recordNotifications(refusing, 'denied');
      const other = await refusing.newPage();
      await open(other, app.url);
      await pickNickname(other, 'nope');
      await createStudy(other, { name: 'Art', cycles: 1, minutes: 20, mode: 'solo' });
      const asked = () => other.evaluate(() => (window as unknown as { __asked: number }).__asked);
      assert.equal(await asked(), 0, 'nobody is asked on load');
      await other.getByRole('checkbox', { name: en.notify }).click();
      await other.getByText(en.notifyBlocked).waitFor({ timeout: UI_TIMEOUT });
      assert.equal(await asked(), 1);
      assert.equal(await other.getByRole('checkbox', { name: en.notify }).isChecked(), false);
      await expectNoViolations(other, 'a planning step after notifications were refused');
    } finally {
      await allowed.close();
      await refusing.close();
    }
  });

  test('on a 390 x 844 phone: targets of 44 px, and the host sees who is here without scrolling', {
    timeout: 150_000,
  }, async () => {
    const { app } = suite();
    const host = await device({ viewport: PHONE, colorScheme: 'dark' });
    const guest = await device({ viewport: PHONE, locale: 'ko-KR' });
    try {
      const page = await host.newPage();
      await open(page, app.url);
      await expectTargets(page, 'the welcome page');
      await pickNickname(page, 'mina');
      await expectTargets(page, 'the home page');

      // A live room: the host's lobby and planning step, in dark mode, with a guest who reads Korean.
      await createRoom(page, { name: 'Korean', cycles: 1, minutes: 25 });
      const code = ((await page.getByTestId('study-code').textContent()) ?? '').trim();
      const jun = await guest.newPage();
      await open(jun, app.url);
      await jun.getByLabel(ko.nickname, { exact: true }).fill('준');
      await jun.getByRole('button', { name: ko.nicknameSubmit, exact: true }).click();
      await submitJoinKo(jun, code, '준');
      await jun.locator('main[data-testid="room-page"][data-step="waiting"]').waitFor({ timeout: UI_TIMEOUT });
      await page.locator('[data-testid="participant"][data-participant="준"]').waitFor({ timeout: UI_TIMEOUT });

      const inView = async (p: Page, where: string) => {
        const list = p.getByTestId('participants');
        const rows = p.getByTestId('participant');
        assert.equal(await rows.count(), 2);
        const listBox = await list.boundingBox();
        const lastRow = await rows.last().boundingBox();
        assert.ok(listBox && lastRow);
        assert.ok(listBox.y >= 0 && listBox.y < PHONE.height, `${where}: the list starts at ${listBox.y} px`);
        assert.ok(
          lastRow.y + lastRow.height <= PHONE.height,
          `${where}: its last row ends at ${lastRow.y + lastRow.height} px`,
        );
        assert.equal(await p.evaluate(() => scrollY), 0, `${where}: without scrolling`);
      };
      await inView(page, 'the host in the lobby');
      await inView(jun, 'a guest in the lobby');
      assert.equal(await jun.getByRole('heading', { level: 2, name: ko.participants(2) }).count(), 1);
      await expectTargets(page, 'the lobby');
      await expectNoViolations(page, 'the lobby on a phone (dark)');

      await page.getByTestId('start-room').click();
      await expectRoomStep(page, 'planning');
      await page.evaluate(() => scrollTo(0, 0));
      await inView(page, 'the host while planning');
      const next = await page.getByTestId('room-next').boundingBox();
      assert.ok(next && next.y + next.height <= PHONE.height, 'and the button that moves everyone on');
      await page.getByTestId('plan-more').locator('summary').click();
      await expectTargets(page, 'a live planning step');
      await expectNoViolations(page, 'a live planning step on a phone (dark)');

      // Solo study and the records, on the phone.
      await open(page, app.url);
      await createStudy(page, { name: 'Math', cycles: 1, minutes: 20, mode: 'solo' });
      await page.getByTestId('plan-more').locator('summary').click();
      await expectTargets(page, 'a solo planning step');
      await answer(page, PLAN);
      await submitPlan(page);
      await expectTargets(page, 'a studying step');
      await page.getByTestId('my-records-link').click();
      await page.getByTestId('record-item').first().waitFor({ timeout: UI_TIMEOUT });
      await expectTargets(page, 'my records');
    } finally {
      await host.close();
      await guest.close();
    }
  });

  test('my stats: focus time, studies this week and the streak, in English and Korean', {
    timeout: 90_000,
  }, async () => {
    const { app } = suite();
    const context = await device({ timezoneId: 'Asia/Seoul' });
    try {
      // A Wednesday morning in Seoul.
      const clock = await startWorldClock(context, app, Date.parse('2030-04-17T10:00:00+09:00'));
      const page = await context.newPage();
      await open(page, app.url);
      await pickNickname(page, 'stats');
      // One study done (20 minutes studied), one still being studied (none yet).
      await createStudy(page, { name: 'Done', cycles: 1, minutes: 20, mode: 'solo' });
      await answer(page, PLAN);
      await submitPlan(page);
      await clock.fastForward(21 * MINUTE);
      await finishStudying(page);
      await answer(page, RETROSPECT);
      await submitRetrospect(page);
      await open(page, app.url);
      await createStudy(page, { name: 'Going', cycles: 2, minutes: 30, mode: 'solo' });
      await answer(page, PLAN);
      await submitPlan(page);

      await page.getByTestId('my-records-link').click();
      const stats = page.getByTestId('my-stats');
      await stats.waitFor({ timeout: UI_TIMEOUT });
      const shown = async () => ({
        title: await stats.getByRole('heading', { level: 2 }).textContent(),
        focus: await stats.getByTestId('stat-focus').locator('dd').textContent(),
        week: await stats.getByTestId('stat-week').locator('dd').textContent(),
        streak: await stats.getByTestId('stat-streak').locator('dd').textContent(),
      });
      assert.deepEqual(await shown(), { title: en.statsTitle, focus: '20 min', week: '2', streak: '1 day' });
      assert.equal(await stats.getByText(en.statFocus, { exact: true }).count(), 1);

      await page.getByTestId('language-switch').click();
      await stats.getByRole('heading', { level: 2, name: ko.statsTitle }).waitFor({ timeout: UI_TIMEOUT });
      assert.deepEqual(await shown(), { title: ko.statsTitle, focus: '20분', week: '2', streak: '1일' });
      assert.equal(await stats.getByText(ko.statStreak, { exact: true }).count(), 1);
    } finally {
      await context.close();
    }
  });
});

/** The home page's join form, by its Korean labels. */
async function submitJoinKo(page: Page, code: string, nickname: string): Promise<void> {
  const form = page.getByTestId('join-form');
  await form.getByLabel(ko.joinCode, { exact: true }).fill(code);
  await form.getByLabel(ko.joinNickname, { exact: true }).fill(nickname);
  await form.getByRole('button', { name: ko.joinSubmit, exact: true }).click();
}
