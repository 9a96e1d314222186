/**
 * One nickname rule on both sides, in real Chromium against a real
 * `wrangler dev`: the page's counter counts Korean, accented (combining
 * marks) and emoji names the way the server does, the input never cuts a
 * valid name short, a name the server refuses is refused by the page before
 * it is sent, with the server's own sentence, and an accepted name comes back
 * exactly as kept (NFC). The counter and its errors pass axe, and a browser
 * without Intl.Segmenter still gets a working page.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { en } from '../../client/i18n/en.ts';
import { ko } from '../../client/i18n/ko.ts';
import { LIMITS } from '../../shared/domain.ts';
import type { NicknameRefusal } from '../../shared/nickname.ts';
import { expectNoViolations } from './axe.ts';
import { newContext, suiteForFile } from './harness.ts';
import { open, UI_TIMEOUT } from './learner.ts';

const FAMILY = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F466}';
const MAX = LIMITS.nickname.max;

/**
 * Names a learner types, how many characters they see in each (what the
 * counter must say), and the verdict. No two refusals in a row share a
 * sentence, so each sentence appearing proves that submit showed it.
 */
const NAMES: [label: string, typed: string, seen: number, verdict: 'accepted' | 'tooLong' | NicknameRefusal][] = [
  ['Korean', '하루공부하는학생', 8, 'accepted'],
  ['11 family emoji', FAMILY.repeat(11), 11, 'tooLong'],
  ['10 accented letters written with combining marks', 'e\u0301'.repeat(10), 10, 'accepted'],
  ['"host" spelled backwards behind a right-to-left override', '\u202Etsoh', 5, 'bidi'],
  ['zero-width characters only', '\u200B\u200B', 2, 'invisible'],
  ['11 Korean syllables', '하'.repeat(11), 11, 'tooLong'],
  ['a Hangul filler', '\u3164', 1, 'invisible'],
  ['10 letters with combining marks NFC cannot join', 'n\u0308'.repeat(10), 10, 'accepted'],
  ['BEL', 'ha\u0007na', 5, 'control'],
  ['10 family emoji (110 UTF-16 units)', FAMILY.repeat(10), 10, 'accepted'],
];

/** What the server says to a sign-up with `nickname`: 201, or the 400's message. */
async function serverVerdict(url: string, nickname: string): Promise<{ status: number; message?: string }> {
  const res = await fetch(`${url}/api/v1/members`, {
    method: 'POST',
    headers: { 'Content-Type': 'application/json' },
    body: JSON.stringify({ nickname }),
    signal: AbortSignal.timeout(5_000),
  });
  const body = (await res.json()) as { message?: string };
  return res.status === 201 ? { status: 201 } : { status: res.status, message: body.message };
}

/** Types `name` into the nickname step's field; resolves once the counter has counted it. */
async function typeNickname(page: Page, name: string, seen: number, label = en.nickname): Promise<void> {
  await page.getByLabel(label, { exact: true }).fill(name);
  await page.locator(`[data-testid="nickname-count"][data-count="${seen}"]`).waitFor({ timeout: UI_TIMEOUT });
}

describe('the nickname rule on both sides', { timeout: 150_000 }, () => {
  const suite = suiteForFile();

  test('the counter agrees with the server, and a refused name gets the server sentence before anything is sent', {
    timeout: 60_000,
  }, async () => {
    const running = suite();
    const context = await newContext(running.browser, { bypassCSP: true, reducedMotion: 'reduce' });
    try {
      const page = await context.newPage();
      const signUps: string[] = [];
      page.on('request', (req) => void (req.url().endsWith('/api/v1/members') && signUps.push(req.method())));
      await open(page, running.app.url);
      assert.equal(await page.evaluate(() => typeof Intl.Segmenter), 'function', 'Chromium has Intl.Segmenter');
      const field = page.getByLabel(en.nickname, { exact: true });
      const counter = page.getByTestId('nickname-count');

      let lastShown = '';
      for (const [label, typed, seen, expected] of NAMES) {
        await typeNickname(page, typed, seen);
        assert.equal(await field.inputValue(), typed, `${label}: the input keeps every character typed`);
        assert.equal(
          await counter.textContent(),
          en.charCount(seen, MAX),
          `${label}: the counter says what the learner sees`,
        );

        const verdict = await serverVerdict(running.app.url, typed);
        if (expected === 'accepted') {
          assert.equal(verdict.status, 201, `${label}: the server accepts it (${verdict.message})`);
          continue;
        }
        assert.equal(verdict.status, 400, `${label}: the server refuses it`);
        const pageSays = expected === 'tooLong' ? en.fieldTooLong(MAX) : en.nicknameRefusals[expected];
        assert.equal(
          verdict.message,
          expected === 'tooLong'
            ? `nickname: Too big: expected string to have <=${MAX} characters`
            : `nickname: ${pageSays}`,
          `${label}: the server's sentence`,
        );
        // The page refuses it too, before sending anything, in the server's words.
        assert.notEqual(pageSays, lastShown, 'the table alternates sentences');
        await page.getByRole('button', { name: en.nicknameSubmit, exact: true }).click();
        await page.locator('#nickname-error').getByText(pageSays, { exact: true }).waitFor({ timeout: UI_TIMEOUT });
        assert.equal(await field.getAttribute('aria-invalid'), 'true', `${label}: the field is marked`);
        assert.deepEqual(signUps, [], `${label}: the page sent nothing`);
        lastShown = pageSays;
      }
      // Past the limit, with an error: the counter and the error are read with the field, and pass axe.
      await typeNickname(page, FAMILY.repeat(11), 11);
      await page.getByRole('button', { name: en.nicknameSubmit, exact: true }).click();
      await page
        .locator('#nickname-error')
        .getByText(en.fieldTooLong(MAX), { exact: true })
        .waitFor({ timeout: UI_TIMEOUT });
      assert.equal(await field.getAttribute('aria-describedby'), 'nickname-hint nickname-count nickname-error');
      assert.equal(await counter.getAttribute('class'), 'counter over');
      await expectNoViolations(page, 'the nickname step with a name past the limit');

      // An accepted name, typed decomposed, comes back as kept: NFC.
      await typeNickname(page, 'e\u0301'.repeat(10), 10);
      await page.getByRole('button', { name: en.nicknameSubmit, exact: true }).click();
      const kept = '\u00E9'.repeat(10);
      await page
        .getByRole('heading', { level: 1, name: en.homeTitle(kept), exact: true })
        .waitFor({ timeout: UI_TIMEOUT });
      assert.deepEqual(signUps, ['POST'], 'one sign-up, for the accepted name');
      // The join form starts from that name, counted the same way.
      assert.equal(await page.getByLabel(en.joinNickname, { exact: true }).inputValue(), kept);
      assert.equal(await page.getByTestId('join-nickname-count').textContent(), en.charCount(10, MAX));
      await page.getByLabel(en.joinNickname, { exact: true }).fill(FAMILY.repeat(10));
      await page.locator('[data-testid="join-nickname-count"][data-count="10"]').waitFor({ timeout: UI_TIMEOUT });
      await expectNoViolations(page, 'the home page with a counted nickname');
    } finally {
      await context.close();
    }
  });

  test('a browser without Intl.Segmenter still counts, never fewer characters than the server', {
    timeout: 30_000,
  }, async () => {
    const running = suite();
    const context = await newContext(running.browser);
    try {
      await context.addInitScript(() => void Reflect.deleteProperty(Intl, 'Segmenter'));
      const page = await context.newPage();
      await open(page, running.app.url);
      assert.equal(await page.evaluate(() => typeof Intl.Segmenter), 'undefined');
      // Code points after NFC: 하루 is 2; n + U+0308 (no composed form) is 2 where the server sees 1.
      await typeNickname(page, '하루', 2);
      await typeNickname(page, 'n\u0308'.repeat(3), 6);
    } finally {
      await context.close();
    }
  });

  test('in Korean, the counter and the refusals speak Korean', { timeout: 30_000 }, async () => {
    const running = suite();
    const context = await newContext(running.browser, { locale: 'ko-KR' });
    try {
      const page = await context.newPage();
      await open(page, running.app.url);
      await typeNickname(page, '\u202Etsoh', 5, ko.nickname);
      assert.equal(await page.getByTestId('nickname-count').textContent(), ko.charCount(5, MAX));
      await page.getByRole('button', { name: ko.nicknameSubmit, exact: true }).click();
      await page
        .locator('#nickname-error')
        .getByText(ko.nicknameRefusals.bidi, { exact: true })
        .waitFor({ timeout: UI_TIMEOUT });
    } finally {
      await context.close();
    }
  });
});
