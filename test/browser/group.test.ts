/**
 * A v1 group study in Chromium: two learners on two devices (two browser
 * contexts, so two identities) in one study. The host creates it and reads
 * the code off the page, the guest joins with code and nickname, and each
 * then moves at their own pace (Release 1 has no live sync). Both end up on
 * the study's record page, each with their own answers. A wrong code is
 * refused with a clear message.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { Locator, Page } from 'playwright-core';
import { en } from '../../client/i18n/en.ts';
import { newContext, startSuite, type Suite } from './harness.ts';
import {
  answer,
  createStudy,
  currentStep,
  eventually,
  expectStep,
  finishStudying,
  open,
  pickNickname,
  shownAnswers,
  studyIdOf,
  submitJoin,
  submitPlan,
  submitRetrospect,
  UI_TIMEOUT,
} from './learner.ts';

const HOST_PLAN = { toDo: 'Vocabulary list 12', completionCondition: 'I can say all 40 words' };
const HOST_RETRO = { doneAsExpected: 'Yes, 38 of 40', experiencedDifficulty: 'Irregular plurals' };
const GUEST_PLAN = { toDo: 'Grammar drill on particles', completionCondition: 'Two pages without mistakes' };
const GUEST_RETRO = { doneAsExpected: 'One page only', experiencedDifficulty: 'Got distracted by messages', lesson: 'Phone in the other room' };

/** Where the participant list says `nickname` is, e.g. `Cycle 1 · Plan`. */
function whereIs(page: Page, nickname: string): Locator {
  return page.getByTestId('participant').filter({ hasText: nickname }).locator('.where');
}

/** Presses the participant list's refresh button and waits until `nickname` shows as `where`. */
async function refreshUntil(page: Page, nickname: string, where: string): Promise<void> {
  await page.getByTestId('participants').getByRole('button', { name: en.refresh }).click();
  await eventually(() => whereIs(page, nickname).textContent(), (text) => text === where, `${nickname} shows as "${where}"`);
}

/** Another six-letter code than `code`, so it names no study of this fresh database. */
function otherCode(code: string): string {
  return [...code].map((letter) => String.fromCharCode(((letter.charCodeAt(0) - 65 + 13) % 26) + 65)).join('');
}

describe('a v1 group study', { timeout: 150_000 }, () => {
  let suite: Suite | undefined;
  before(async () => void (suite = await startSuite()), { timeout: 90_000 });
  after(() => suite?.close());

  test('two learners join with the code, progress independently and both appear on the record page', { timeout: 90_000 }, async () => {
    assert.ok(suite, 'setup did not finish');
    const { app, browser } = suite;
    const hostDevice = await newContext(browser);
    const guestDevice = await newContext(browser);
    try {
      // The host starts a group study and reads its code off the page.
      const host = await hostDevice.newPage();
      await open(host, app.url);
      await pickNickname(host, 'mina');
      const studyId = await createStudy(host, { name: 'Korean', cycles: 1, minutes: 25, mode: 'group' });
      assert.equal(await host.getByText(en.groupStudy, { exact: true }).count(), 1);
      const code = ((await host.getByTestId('study-code').textContent()) ?? '').trim();
      assert.match(code, /^[A-Z]{6}$/, 'the page shows a 6-letter code');
      assert.equal(await host.getByRole('heading', { name: en.participants(1) }).count(), 1);

      // The guest, on another device, first mistypes the code: a clear message, no study.
      const guest = await guestDevice.newPage();
      await open(guest, app.url);
      await pickNickname(guest, 'jun');
      await submitJoin(guest, otherCode(code), 'junie');
      const error = guest.getByTestId('join-form-error');
      await error.waitFor({ timeout: UI_TIMEOUT });
      assert.equal(await error.getAttribute('role'), 'alert');
      assert.equal(await error.textContent(), en.apiErrors.study_not_found);
      assert.equal(new URL(guest.url()).pathname, '/', 'the guest stays on the home page');

      // With the right code (typed in lower case) and a nickname for this study, they are in.
      await submitJoin(guest, code.toLowerCase(), 'junie');
      await guest.waitForURL(/\/study\/[^/]+$/, { timeout: UI_TIMEOUT });
      assert.equal(studyIdOf(guest), studyId, 'the guest joined the host\'s study');
      await expectStep(guest, 'planning');
      assert.equal(await guest.getByRole('heading', { name: en.participants(2) }).count(), 1);
      assert.equal(await whereIs(guest, 'mina').textContent(), en.cycleAndStep(1, en.stepNames.planning));
      assert.equal(await whereIs(guest, 'junie').textContent(), en.cycleAndStep(1, en.stepNames.planning));

      // The host goes all the way through the cycle; the guest's page stays on the guest's own step.
      await answer(host, HOST_PLAN);
      await submitPlan(host);
      await finishStudying(host);
      await answer(host, HOST_RETRO);
      await submitRetrospect(host, 'done');
      assert.equal(await currentStep(guest), 'planning', "the host's moves do not move the guest");
      await refreshUntil(guest, 'mina', en.stepNames.done);
      assert.equal(await currentStep(guest), 'planning', 'after a refresh the guest is still planning');
      await refreshUntil(host, 'junie', en.cycleAndStep(1, en.stepNames.planning));

      // The host's record page already has the host's answers, and none yet from the guest.
      await host.getByRole('link', { name: en.seeRecords }).click();
      await host.getByTestId('participant-record').nth(1).waitFor({ timeout: UI_TIMEOUT });
      const early = host.getByTestId('participant-record').filter({ hasText: 'junie' });
      assert.equal(await early.getByText(en.noAnswersYet).count(), 1);

      // The guest now goes through the cycle at their own pace.
      await answer(guest, GUEST_PLAN);
      await submitPlan(guest);
      await refreshUntil(guest, 'junie', en.cycleAndStep(1, en.stepNames.studying));
      await finishStudying(guest);
      await answer(guest, GUEST_RETRO);
      await submitRetrospect(guest, 'done');

      // Both learners' record pages list both participants, each with their own answers.
      await guest.getByRole('link', { name: en.seeRecords }).click();
      await host.reload({ timeout: 15_000 });
      for (const page of [host, guest]) {
        const records = page.getByTestId('participant-record');
        await records.nth(1).waitFor({ timeout: UI_TIMEOUT });
        assert.equal(await records.count(), 2);
        const [first, second] = [records.nth(0), records.nth(1)];
        assert.equal((await first.getByRole('heading', { level: 2 }).textContent())?.trim(), `mina ${en.host}`);
        assert.equal((await second.getByRole('heading', { level: 2 }).textContent())?.trim(), 'junie');
        assert.deepEqual(await shownAnswers(first.getByTestId('cycle-record')), { ...HOST_PLAN, ...HOST_RETRO }, "the host's own answers");
        assert.deepEqual(await shownAnswers(second.getByTestId('cycle-record')), { ...GUEST_PLAN, ...GUEST_RETRO }, "the guest's own answers");
      }
    } finally {
      await hostDevice.close();
      await guestDevice.close();
    }
  });
});
