/**
 * The database busy for a moment, for real: another process holds an
 * exclusive lock on the local D1 file while a learner signs up in Chromium.
 * The worker answers 503 with Retry-After (not a 500), the page says calmly,
 * in the learner's language, when to try again and keeps the nickname, and
 * the same click works once the lock is gone.
 */
import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { describe, test } from 'node:test';
import { en } from '../../client/i18n/en.ts';
import { ko } from '../../client/i18n/ko.ts';
import { newContext, suiteForFile } from './harness.ts';
import { open, UI_TIMEOUT } from './learner.ts';

/** The local D1 database file under `persistTo` (miniflare keeps one SQLite file per database). */
async function d1File(persistTo: string): Promise<string> {
  const dir = join(persistTo, 'v3', 'd1', 'miniflare-D1DatabaseObject');
  const files = (await readdir(dir)).filter((name) => name.endsWith('.sqlite') && name !== 'metadata.sqlite');
  assert.equal(files.length, 1, `one D1 database in ${dir}: ${files.join(', ')}`);
  return join(dir, files[0] as string);
}

describe('the database busy for a moment', { timeout: 150_000 }, () => {
  const suite = suiteForFile();

  for (const [language, t, locale] of [
    ['English', en, 'en-US'],
    ['Korean', ko, 'ko-KR'],
  ] as const) {
    test(`signing up while D1 is locked: 503, a calm message in ${language}, the nickname kept; it works once unlocked`, {
      timeout: 60_000,
    }, async () => {
      const running = suite();
      const { app, browser, persistTo } = running;
      const context = await newContext(browser, { locale });
      try {
        const page = await context.newPage();
        await open(page, app.url);
        const nickname = page.getByLabel(t.nickname, { exact: true });
        await nickname.fill('Busy');
        const submit = page.getByRole('button', { name: t.nicknameSubmit, exact: true });

        const lock = new DatabaseSync(await d1File(persistTo));
        try {
          lock.exec('BEGIN EXCLUSIVE');
          const [refused] = await Promise.all([
            page.waitForResponse((r) => new URL(r.url()).pathname === '/api/v1/members'),
            submit.click(),
          ]);
          assert.equal(refused.status(), 503);
          assert.equal(refused.headers()['retry-after'], '5');
          const alert = page.getByTestId('nickname-form-error');
          await alert.waitFor({ timeout: UI_TIMEOUT });
          assert.equal(await alert.getAttribute('data-error'), 'unavailable');
          assert.equal(await alert.textContent(), t.unavailable(5));
          assert.equal(await nickname.inputValue(), 'Busy', 'the nickname is still there');
        } finally {
          lock.exec('ROLLBACK');
          lock.close();
        }

        await submit.click();
        await page.getByRole('heading', { level: 1, name: t.homeTitle('Busy') }).waitFor({ timeout: UI_TIMEOUT });
      } finally {
        await context.close();
      }
    });
  }
});
