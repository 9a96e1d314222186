/**
 * See each other (issue 15), in Chromium against `wrangler dev`: sharing a
 * plan with the room is off until a learner turns it on, and the room page
 * says so, in English and in Korean. A guest who shares shows their plan (what
 * to do, and when it counts as done) beside their status on the host's page
 * without a reload, and it goes when they stop; a host who turned sharing on
 * in the lobby shows their plan on the guest's page the moment they submit it.
 * axe checks the list with a shared plan in it.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { en } from '../../client/i18n/en.ts';
import { ko } from '../../client/i18n/ko.ts';
import { expectNoViolations } from './axe.ts';
import { newContext, suiteForFile } from './harness.ts';
import {
  answer,
  createRoom,
  expectParticipant,
  expectRoomStep,
  joinByLink,
  open,
  participant,
  pickNickname,
  UI_TIMEOUT,
} from './learner.ts';

const MINA_PLAN = { toDo: 'Grammar drill', completionCondition: 'Two pages without mistakes' };
const SORA_PLAN = { toDo: '단어 40개 외우기', completionCondition: '모두 말할 수 있을 때' };

/** The plan `nickname` shares, as the participant list on `page` shows it (waits for it). */
async function sharedPlanOf(page: Page, nickname: string): Promise<string | null> {
  const shown = participant(page, nickname).getByTestId('shared-plan');
  await shown.waitFor({ timeout: UI_TIMEOUT });
  return shown.textContent();
}

describe('shared plans', { timeout: 240_000 }, () => {
  const suite = suiteForFile();

  test('off unless turned on (the page says so, English and Korean); shown live beside the status, and gone when stopped', {
    timeout: 150_000,
  }, async () => {
    const { app, browser } = suite();
    const device = (locale: string) => newContext(browser, { locale, bypassCSP: true, reducedMotion: 'reduce' });
    const devices = [await device('en-US'), await device('ko-KR')] as const;
    try {
      const [minaDevice, soraDevice] = devices;
      const mina = await minaDevice.newPage();
      await open(mina, app.url);
      await pickNickname(mina, 'mina');
      await createRoom(mina, { name: 'Together', cycles: 1, minutes: 25 });
      const code = ((await mina.getByTestId('study-code').textContent()) ?? '').trim();
      const sora = await soraDevice.newPage();
      await open(sora, app.url);
      await pickNickname(sora, '소라', ko);
      await joinByLink(sora, app.url, code);

      // Off by default, and each page says so in its language, by the switch it labels.
      for (const [page, t] of [
        [mina, en],
        [sora, ko],
      ] as const) {
        const toggle = page.getByRole('checkbox', { name: t.sharePlan, exact: true });
        await toggle.waitFor({ timeout: UI_TIMEOUT });
        assert.equal(await toggle.isChecked(), false, 'sharing starts off');
        assert.equal(await page.getByTestId('share-plan-hint').textContent(), t.sharePlanHint);
        assert.equal(await page.getByTestId('shared-plan').count(), 0);
      }

      // The host turns sharing on in the lobby; nothing shows until she has a plan in.
      await mina.getByRole('checkbox', { name: en.sharePlan, exact: true }).check();
      await mina.getByRole('button', { name: en.startRoom, exact: true }).click();
      await expectRoomStep(mina, 'planning');
      await sora.locator('main[data-testid="room-page"][data-step="planning"]').waitFor({ timeout: UI_TIMEOUT });
      assert.equal(await mina.getByRole('checkbox', { name: en.sharePlan, exact: true }).isChecked(), true);
      assert.equal(await participant(sora, 'mina').getByTestId('shared-plan').count(), 0);
      await answer(mina, MINA_PLAN);
      await mina.getByRole('button', { name: en.submitPlan, exact: true }).click();
      assert.equal(
        await sharedPlanOf(sora, 'mina'),
        ko.sharedPlan(MINA_PLAN.toDo, MINA_PLAN.completionCondition),
        "the host's plan shows on the guest's page as she submits it",
      );

      // sora submits without sharing: mina sees that she did, not what.
      await answer(sora, SORA_PLAN, ko);
      await sora.getByRole('button', { name: ko.submitPlan, exact: true }).click();
      await expectParticipant(mina, '소라', { activity: 'planSubmitted' });
      assert.equal(await participant(mina, '소라').getByTestId('shared-plan').count(), 0);

      // sora turns sharing on: her plan shows beside her status on mina's page, live, and on her own.
      await sora.getByRole('checkbox', { name: ko.sharePlan, exact: true }).check();
      assert.equal(await sharedPlanOf(mina, '소라'), en.sharedPlan(SORA_PLAN.toDo, SORA_PLAN.completionCondition));
      assert.equal(await sharedPlanOf(sora, '소라'), ko.sharedPlan(SORA_PLAN.toDo, SORA_PLAN.completionCondition));
      await expectNoViolations(mina, 'a participant list with shared plans');

      // And off again: gone from mina's page without a reload.
      await sora.getByRole('checkbox', { name: ko.sharePlan, exact: true }).uncheck();
      await participant(mina, '소라').getByTestId('shared-plan').waitFor({ state: 'detached', timeout: UI_TIMEOUT });
      assert.equal(await sora.getByRole('checkbox', { name: ko.sharePlan, exact: true }).isChecked(), false);
      assert.equal(await participant(mina, 'mina').getByTestId('shared-plan').count(), 1, 'mina still shares hers');
    } finally {
      for (const context of devices) await context.close();
    }
  });
});
