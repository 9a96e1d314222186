/**
 * The app in Korean and in English (issue 3, "ko + en"): it follows the
 * browser's language, the language switch changes every text at once, and the
 * choice is remembered across a reload. Texts are checked against the
 * catalogs themselves, so a test fails when the page stops using them.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { type Catalog, en } from '../../client/i18n/en.ts';
import { ko } from '../../client/i18n/ko.ts';
import { newContext, suiteForFile } from './harness.ts';
import { eventually, open, UI_TIMEOUT } from './learner.ts';

const htmlLang = (page: Page) => page.evaluate(() => document.documentElement.lang);

/** The nickname step speaks `t`: title, heading, label, hint and button. */
async function expectWelcome(page: Page, t: Catalog, lang: string): Promise<void> {
  await page.getByRole('heading', { level: 1, name: t.welcomeTitle }).waitFor({ timeout: UI_TIMEOUT });
  assert.equal(await htmlLang(page), lang, `<html lang="${lang}">`);
  assert.equal(await page.title(), t.appName);
  assert.equal(await page.getByText(t.welcomeLead, { exact: true }).count(), 1);
  assert.equal(await page.getByLabel(t.nickname, { exact: true }).count(), 1);
  assert.equal(await page.getByText(t.nicknameHint, { exact: true }).count(), 1);
  assert.equal(await page.getByRole('button', { name: t.nicknameSubmit, exact: true }).count(), 1);
  assert.equal(await page.getByRole('link', { name: t.skipToContent }).count(), 1);
  assert.equal(await page.getByRole('navigation', { name: t.mainNav }).count(), 1);
}

/** The home page of `nickname` speaks `t`. */
async function expectHome(page: Page, t: Catalog, lang: string, nickname: string): Promise<void> {
  await page.getByRole('heading', { level: 1, name: t.homeTitle(nickname) }).waitFor({ timeout: UI_TIMEOUT });
  assert.equal(await htmlLang(page), lang, `<html lang="${lang}">`);
  for (const heading of [t.createTitle, t.joinTitle]) {
    assert.equal(await page.getByRole('heading', { level: 2, name: heading }).count(), 1, heading);
  }
  assert.equal(await page.getByRole('group', { name: t.modeLegend }).count(), 1);
  assert.equal(await page.getByRole('radio', { name: t.modeSolo }).count(), 1);
  assert.equal(await page.getByLabel(t.studyName, { exact: true }).count(), 1);
  const cycles = page.getByLabel(t.cycles, { exact: true });
  assert.equal(await cycles.locator('option').first().textContent(), t.cyclesOption(1));
  assert.equal(await page.getByLabel(t.joinCode, { exact: true }).count(), 1);
  assert.equal(await page.getByRole('button', { name: t.createSubmit, exact: true }).count(), 1);
  assert.equal(await page.getByRole('link', { name: t.myRecords, exact: true }).count(), 1);
}

/** The language switch names the other language in that language, and marks it so. */
async function switchTo(page: Page, name: string, lang: string): Promise<void> {
  const button = page.getByRole('button', { name, exact: true });
  assert.equal(await button.getAttribute('lang'), lang, 'the switch is marked with the language it names');
  await button.click();
  await eventually(
    () => htmlLang(page),
    (value) => value === lang,
    `<html lang> becomes ${lang}`,
  );
}

describe('the app in Korean and in English', { timeout: 150_000 }, () => {
  const suite = suiteForFile();

  test('a Korean browser gets Korean, switches to English and keeps it across a reload', {
    timeout: 45_000,
  }, async () => {
    const running = suite();
    const context = await newContext(running.browser, { locale: 'ko-KR' });
    try {
      const page = await context.newPage();
      await open(page, running.app.url);
      assert.equal(await htmlLang(page), 'ko', 'a Korean browser gets Korean');
      await expectWelcome(page, ko, 'ko');

      // Korean all the way into a study: field errors, the home page, the study page.
      await page.getByRole('button', { name: ko.nicknameSubmit, exact: true }).click();
      await page.getByText(ko.fieldRequired, { exact: true }).waitFor({ timeout: UI_TIMEOUT });
      await page.getByLabel(ko.nickname, { exact: true }).fill('하나');
      await page.getByRole('button', { name: ko.nicknameSubmit, exact: true }).click();
      await expectHome(page, ko, 'ko', '하나');
      // "하나님" reads as "God": the honorific is spaced from the nickname.
      const greeting = await page.getByRole('heading', { level: 1 }).textContent();
      assert.equal(greeting, '안녕하세요, 하나 님');
      await page.getByLabel(ko.studyName, { exact: true }).fill('수학');
      await page.getByLabel(ko.cycles, { exact: true }).selectOption({ label: ko.cyclesOption(1) });
      await page.getByRole('button', { name: ko.createSubmit, exact: true }).click();
      await page.getByRole('heading', { level: 2, name: ko.stepTitles.planning }).waitFor({ timeout: UI_TIMEOUT });
      assert.equal(await page.getByTestId('study-cycle').textContent(), ko.cycleOf(1, 1));
      assert.equal(await page.getByText(ko.soloStudy, { exact: true }).count(), 1);
      assert.equal(await page.getByLabel(ko.questions.toDo).count(), 1);
      assert.equal(await page.getByRole('timer', { name: ko.timeLeft }).count(), 1);
      assert.equal(await page.getByRole('button', { name: ko.startStudying }).count(), 1);

      // The switch turns every text English at once, without a reload.
      let loads = 0;
      page.on('load', () => loads++);
      await switchTo(page, 'English', 'en');
      await page.getByRole('heading', { level: 2, name: en.stepTitles.planning }).waitFor({ timeout: UI_TIMEOUT });
      assert.equal(await page.getByTestId('study-cycle').textContent(), en.cycleOf(1, 1));
      assert.equal(await page.getByLabel(en.questions.toDo).count(), 1);
      assert.equal(await page.getByText(ko.soloStudy).count(), 0, 'no Korean left on the page');
      assert.equal(loads, 0, 'switching does not reload the page');

      // Remembered: a reload (and the home page) stays English in this Korean browser.
      await page.reload({ timeout: 15_000 });
      await page.locator('main[data-testid="study-page"][data-step="planning"]').waitFor({ timeout: UI_TIMEOUT });
      assert.equal(await htmlLang(page), 'en', 'the choice of English is remembered across a reload');
      await page.getByRole('heading', { level: 2, name: en.stepTitles.planning }).waitFor({ timeout: UI_TIMEOUT });
      await page.getByRole('link', { name: en.appName }).click();
      await expectHome(page, en, 'en', '하나');
    } finally {
      await context.close();
    }
  });

  test('an English browser gets English, switches to Korean and keeps it across a reload', {
    timeout: 45_000,
  }, async () => {
    const running = suite();
    const context = await newContext(running.browser, { locale: 'en-US' });
    try {
      const page = await context.newPage();
      await open(page, running.app.url);
      await expectWelcome(page, en, 'en');
      await switchTo(page, '한국어', 'ko');
      await expectWelcome(page, ko, 'ko');
      // What the learner typed stays through the switch.
      await page.getByLabel(ko.nickname, { exact: true }).fill('Sam');

      await page.reload({ timeout: 15_000 });
      await page.getByTestId('nickname-step').waitFor({ timeout: UI_TIMEOUT });
      assert.equal(await htmlLang(page), 'ko', 'the choice of Korean is remembered across a reload');
      await expectWelcome(page, ko, 'ko');
      assert.equal(await page.getByLabel(ko.nickname, { exact: true }).inputValue(), 'Sam');
      await page.getByRole('button', { name: ko.nicknameSubmit, exact: true }).click();
      await expectHome(page, ko, 'ko', 'Sam');
      assert.equal(await page.getByRole('button', { name: 'English', exact: true }).count(), 1);

      // A new tab of the same browser profile remembers the choice too.
      const other = await context.newPage();
      await open(other, running.app.url);
      await expectHome(other, ko, 'ko', 'Sam');
    } finally {
      await context.close();
    }
  });
});
