/**
 * One learner, many tabs, in Chromium against `wrangler dev`: the room keeps
 * MAX_SOCKETS_PER_PARTICIPANT sockets per learner and closes the oldest with
 * 4410. The oldest tab says calmly that the study is open elsewhere and does
 * not reconnect by itself (two tabs would take turns closing each other);
 * "Try again" takes the room back in that tab.
 *
 * Own tabs agree (issue 15), in English and in Korean: a plan one tab submits
 * shows, text and all, as saved in the other. A tab that has typed something
 * else meanwhile keeps it, shows the saved plan and asks before overwriting
 * it (its submit button asks again rather than sends); replacing updates the
 * other tab, which had nothing unsent, by itself; keeping the saved plan puts
 * it back in the fields.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { type Catalog, en } from '../../client/i18n/en.ts';
import { ko } from '../../client/i18n/ko.ts';
import { MAX_SOCKETS_PER_PARTICIPANT } from '../../shared/index.ts';
import { expectNoViolations } from './axe.ts';
import { newContext, suiteForFile } from './harness.ts';
import {
  answer,
  createRoom,
  eventually,
  expectConnection,
  joinByLink,
  open,
  pickNickname,
  shownAnswers,
  UI_TIMEOUT,
} from './learner.ts';

/** Waits until the plan form's "what to do" field on `page` says `text`. */
async function expectToDo(page: Page, t: Catalog, text: string, why: string): Promise<void> {
  await eventually(
    () => page.getByLabel(t.questions.toDo).inputValue({ timeout: UI_TIMEOUT }),
    (value) => value === text,
    why,
    UI_TIMEOUT,
  );
}

/** Waits until `page` says its plan is saved, in the words of `t`, with no question about another tab's. */
async function expectSaved(page: Page, t: Catalog): Promise<void> {
  const status = page.locator('[data-testid="save-state"][data-state="saved"]');
  await status.waitFor({ timeout: UI_TIMEOUT });
  assert.equal(await status.textContent(), t.saveStates.saved);
  assert.equal(await page.getByTestId('saved-elsewhere').count(), 0);
}

/** Changes the plan's "what to do" on `page` and submits it; resolves once the room saved it. */
async function submitToDo(page: Page, t: Catalog, toDo: string): Promise<void> {
  await answer(page, { toDo }, t);
  await page.getByRole('button', { name: t.submitPlan, exact: true }).click();
  await expectSaved(page, t);
}

describe('one learner in many tabs', { timeout: 150_000 }, () => {
  const suite = suiteForFile();

  test(`the oldest of ${MAX_SOCKETS_PER_PARTICIPANT + 1} tabs pauses with a calm message, and takes the room back when asked`, {
    timeout: 90_000,
  }, async () => {
    const running = suite();
    const { app, browser } = running;
    const context = await newContext(browser);
    try {
      const first = await context.newPage();
      await open(first, app.url);
      await pickNickname(first, 'tabs');
      const studyId = await createRoom(first, { name: 'Tabs', cycles: 1, minutes: 25 });

      // The same learner (one token in this profile) opens the room in more tabs, one after another.
      const others: Page[] = [];
      for (let n = 0; n < MAX_SOCKETS_PER_PARTICIPANT; n += 1) {
        const page = await context.newPage();
        await open(page, app.url, `/room/${encodeURIComponent(studyId)}`);
        await expectConnection(page, 'live');
        others.push(page);
      }

      const alert = first.getByTestId('room-error');
      await alert.waitFor({ timeout: UI_TIMEOUT });
      assert.equal(await alert.getAttribute('data-error'), 'replaced');
      assert.equal(await alert.textContent(), en.apiErrors.replaced);
      for (const page of others) await expectConnection(page, 'live');

      // Back in the first tab, the learner asks for the room again: it is live there, and the oldest other tab pauses instead.
      await first.getByTestId('room-retry').click();
      await expectConnection(first, 'live');
      const oldest = others[0] as Page;
      await oldest.getByTestId('room-error').waitFor({ timeout: UI_TIMEOUT });
      assert.equal(await oldest.getByTestId('room-error').getAttribute('data-error'), 'replaced');
      for (const page of others.slice(1)) await expectConnection(page, 'live');
    } finally {
      await context.close();
    }
  });

  for (const [t, locale, nickname] of [
    [en, 'en-US', 'jun'],
    [ko, 'ko-KR', '준'],
  ] as const) {
    test(`two tabs of one learner agree on the saved plan, and ask before overwriting (${locale})`, {
      timeout: 90_000,
    }, async () => {
      const { app, browser } = suite();
      const hostDevice = await newContext(browser);
      const device = await newContext(browser, { locale, bypassCSP: true, reducedMotion: 'reduce' });
      try {
        const host = await hostDevice.newPage();
        await open(host, app.url);
        await pickNickname(host, 'mina');
        const studyId = await createRoom(host, { name: 'Two tabs', cycles: 1, minutes: 25 });
        const code = ((await host.getByTestId('study-code').textContent()) ?? '').trim();

        const first = await device.newPage();
        await open(first, app.url);
        await pickNickname(first, nickname, t);
        await joinByLink(first, app.url, code);
        const second = await device.newPage();
        await open(second, app.url, `/room/${encodeURIComponent(studyId)}`);
        await expectConnection(second, 'live');
        await host.getByRole('button', { name: en.startRoom, exact: true }).click();
        for (const page of [first, second])
          await page.locator('main[data-testid="room-page"][data-step="planning"]').waitFor({ timeout: UI_TIMEOUT });

        // Tab 1 submits: tab 2, where nothing was typed, shows the saved plan, not "Saved." beside empty fields.
        await answer(first, { toDo: 'Read chapter 3', completionCondition: 'All exercises done' }, t);
        await first.getByRole('button', { name: t.submitPlan, exact: true }).click();
        await expectSaved(first, t);
        await expectToDo(second, t, 'Read chapter 3', 'tab 2 shows the plan tab 1 saved');
        assert.equal(await second.getByLabel(t.questions.completionCondition).inputValue(), 'All exercises done');
        await expectSaved(second, t);

        // Tab 2 types something else; tab 1 saves a change meanwhile. Tab 2 keeps what it typed and is asked.
        await answer(second, { toDo: 'Read chapters 3 and 4' }, t);
        await submitToDo(first, t, 'Read chapter 3 twice');
        const question = second.getByTestId('saved-elsewhere');
        await question.waitFor({ timeout: UI_TIMEOUT });
        assert.equal(await question.getByRole('alert').textContent(), t.savedElsewhere.plan);
        assert.equal((await shownAnswers(question)).toDo, 'Read chapter 3 twice', 'the saved plan is shown');
        assert.equal(await second.getByLabel(t.questions.toDo).inputValue(), 'Read chapters 3 and 4');
        await expectNoViolations(second, 'a tab asked about the plan another tab saved');
        // Submitting the form does not overwrite: it brings the learner back to the question.
        await second.getByRole('button', { name: t.submitPlan, exact: true }).click();
        await eventually(
          () => second.evaluate(() => document.activeElement?.getAttribute('data-testid') ?? null),
          (focused) => focused === 'saved-elsewhere',
          'the question about the saved plan takes focus',
        );
        assert.equal(await second.getByTestId('save-state').getAttribute('data-state'), 'none', 'nothing was sent');
        assert.equal(await second.getByLabel(t.questions.toDo).inputValue(), 'Read chapters 3 and 4');

        // Tab 2 replaces it: tab 1, with nothing unsent, shows tab 2's plan by itself.
        await second.getByRole('button', { name: t.replaceSaved, exact: true }).click();
        await expectSaved(second, t);
        await expectToDo(first, t, 'Read chapters 3 and 4', "tab 1 shows tab 2's plan");
        await expectSaved(first, t);

        // Now tab 1 has unsent text when tab 2 saves: tab 1 keeps the saved plan, and the fields show it again.
        await answer(first, { toDo: 'Something unsent' }, t);
        await submitToDo(second, t, 'Read chapter 4');
        await first.getByTestId('saved-elsewhere').waitFor({ timeout: UI_TIMEOUT });
        assert.equal(await first.getByLabel(t.questions.toDo).inputValue(), 'Something unsent');
        await first.getByRole('button', { name: t.keepSaved, exact: true }).click();
        await expectToDo(first, t, 'Read chapter 4', 'keeping the saved plan puts it back in the fields');
        await expectSaved(first, t);
      } finally {
        await device.close();
        await hostDevice.close();
      }
    });
  }
});
