/**
 * An address with no study behind it, in Chromium against `wrangler dev`: the
 * page says so of the address (not "check the code with your host", which is
 * for a typed code), offers no "Try again" for a 404 that stays one, and
 * leads home. In English and in Korean.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { en } from '../../client/i18n/en.ts';
import { ko } from '../../client/i18n/ko.ts';
import { expectNoViolations } from './axe.ts';
import { newContext, suiteForFile } from './harness.ts';
import { open, UI_TIMEOUT } from './learner.ts';

describe('an unknown study address', { timeout: 150_000 }, () => {
  const suite = suiteForFile();

  for (const [locale, t] of [
    ['en-US', en],
    ['ko-KR', ko],
  ] as const) {
    test(`says there is no study there, with no retry (${locale})`, { timeout: 60_000 }, async () => {
      const running = suite();
      const { app, browser } = running;
      // axe is injected as a script, which the page's CSP would block.
      const context = await newContext(browser, { locale, bypassCSP: true });
      try {
        const page = await context.newPage();
        await open(page, app.url);
        const nickname = locale === 'en-US' ? 'nowhere' : '없음';
        await page.getByLabel(t.nickname, { exact: true }).fill(nickname);
        await page.getByRole('button', { name: t.nicknameSubmit, exact: true }).click();
        await page.getByRole('heading', { level: 1, name: t.homeTitle(nickname) }).waitFor({ timeout: UI_TIMEOUT });
        await page.goto(`${app.url}/study/${crypto.randomUUID()}`);
        const error = page.getByTestId('study-error');
        await error.waitFor({ timeout: UI_TIMEOUT });
        assert.equal(await error.textContent(), t.studyNotHere);
        assert.notEqual(await error.textContent(), t.apiErrors.study_not_found);
        assert.equal(await page.getByTestId('study-retry').count(), 0, 'a 404 that stays one offers no retry');
        await expectNoViolations(page, `an unknown study address (${locale})`);
        await page.getByRole('link', { name: t.backHome }).click();
        await page.getByRole('heading', { level: 1 }).waitFor({ timeout: UI_TIMEOUT });
        assert.equal(new URL(page.url()).pathname, '/');
      } finally {
        await context.close();
      }
    });
  }
});
