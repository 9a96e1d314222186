/**
 * Words that say what is true, in English and Korean, in Chromium against a
 * real `wrangler dev`: someone who has not submitted a plan is "not submitted
 * yet" (they may not have typed anything), not "writing"; a learner who joins
 * a study they are already in, under a new nickname, is told they are in it as
 * their old one (which it keeps) instead of being moved on in silence.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { en } from '../../client/i18n/en.ts';
import { ko } from '../../client/i18n/ko.ts';
import { expectNoViolations } from './axe.ts';
import { newContext, suiteForFile } from './harness.ts';
import {
  createRoom,
  eventually,
  expectConnection,
  expectRoomStep,
  open,
  participant,
  pickNickname,
  studyIdOf,
  UI_TIMEOUT,
} from './learner.ts';

/** Signs up in Korean on the welcome page; resolves on Home. */
async function pickNicknameKo(page: Page, nickname: string): Promise<void> {
  await page.getByLabel(ko.nickname, { exact: true }).fill(nickname);
  await page.getByRole('button', { name: ko.nicknameSubmit, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: ko.homeTitle(nickname) }).waitFor({ timeout: UI_TIMEOUT });
}

/** Fills Home's join form in the page's language and submits it. */
async function join(page: Page, t: typeof en, code: string, nickname: string): Promise<void> {
  const form = page.getByTestId('join-form');
  await form.getByLabel(t.joinCode, { exact: true }).fill(code);
  await form.getByLabel(t.joinNickname, { exact: true }).fill(nickname);
  await form.getByRole('button', { name: t.joinSubmit, exact: true }).click();
}

/** What the room page's list says `nickname` is doing. */
const activityOf = (page: Page, nickname: string) =>
  participant(page, nickname).getByTestId('activity').textContent({ timeout: UI_TIMEOUT });

describe('wording', { timeout: 200_000 }, () => {
  const suite = suiteForFile();

  test('not submitted is not "writing", and a rejoin under a new nickname says which name is kept, in both languages', {
    timeout: 120_000,
  }, async () => {
    const { app, browser } = suite();
    const [minaContext, junContext] = [
      await newContext(browser, { bypassCSP: true }),
      await newContext(browser, { locale: 'ko-KR', bypassCSP: true }),
    ];
    try {
      const mina = await minaContext.newPage();
      await open(mina, app.url);
      await pickNickname(mina, 'mina');
      const studyId = await createRoom(mina, { name: 'Algebra', cycles: 1, minutes: 20 });
      const code = ((await mina.getByTestId('study-code').textContent()) ?? '').trim();

      // Jun (Korean) joins as 준, then comes back through Home as 준호: the study keeps 준, and says so.
      const jun = await junContext.newPage();
      await open(jun, app.url);
      await pickNicknameKo(jun, '준');
      await join(jun, ko, code, '준');
      await jun.waitForURL(/\/room\/[^/]+$/, { timeout: UI_TIMEOUT });
      await expectConnection(jun, 'live');
      await jun.getByTestId('home-link').click();
      await join(jun, ko, code, '준호');
      const notice = jun.getByTestId('rejoined');
      await notice.getByText(ko.rejoinedAs('준'), { exact: false }).waitFor({ timeout: UI_TIMEOUT });
      assert.ok(new URL(jun.url()).pathname === '/', 'Jun stays on Home to read it');
      await expectNoViolations(jun, 'Home after a rejoin under a new nickname (Korean)');
      await notice.getByRole('link', { name: ko.backToStudy, exact: true }).click();
      await jun.waitForURL(/\/room\/[^/]+$/, { timeout: UI_TIMEOUT });
      assert.equal(studyIdOf(jun), studyId);
      await participant(mina, '준').waitFor({ timeout: UI_TIMEOUT });
      assert.equal(await participant(mina, '준호').count(), 0, 'the new nickname was not used');

      // The host starts: nobody has submitted a plan, and nobody is said to be writing one.
      await mina.getByRole('button', { name: en.startRoom, exact: true }).click();
      await expectRoomStep(mina, 'planning');
      assert.equal(en.activity.writingPlan, 'Plan not submitted yet');
      assert.equal(ko.activity.writingPlan, '계획 제출 전');
      await eventually(
        () => activityOf(mina, '준'),
        (text) => text === en.activity.writingPlan,
        'Mina sees Jun as not submitted yet',
        UI_TIMEOUT,
      );
      await eventually(
        () => activityOf(jun, 'mina'),
        (text) => text === ko.activity.writingPlan,
        'Jun sees Mina as not submitted yet, in Korean',
        UI_TIMEOUT,
      );

      // Mina (English) rejoins her own study under another name: the English notice names the kept one.
      await mina.getByTestId('home-link').click();
      await join(mina, en, code, 'minji');
      await mina
        .getByTestId('rejoined')
        .getByText(en.rejoinedAs('mina'), { exact: false })
        .waitFor({ timeout: UI_TIMEOUT });
      // The same nickname needs no notice: straight back into the room.
      await join(mina, en, code, 'mina');
      await mina.waitForURL(/\/room\/[^/]+$/, { timeout: UI_TIMEOUT });
      await expectRoomStep(mina, 'planning');
    } finally {
      await minaContext.close();
      await junContext.close();
    }
  });
});
