/**
 * A nickname is never cut, in Chromium against a real `wrangler dev`, in
 * English and Korean: seven emoji (each one character as the learner sees it,
 * though up to 11 UTF-16 units) are taken whole and kept; a name past ten
 * characters stays in the field as typed, the counter says at once by how
 * much it is over, and submitting is refused with nothing sent.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { en } from '../../client/i18n/en.ts';
import { ko } from '../../client/i18n/ko.ts';
import { LIMITS } from '../../shared/domain.ts';
import { expectNoViolations } from './axe.ts';
import { newContext, suiteForFile } from './harness.ts';
import { open, UI_TIMEOUT } from './learner.ts';

const MAX = LIMITS.nickname.max;
/** Seven emoji a learner may pick: a family (7 code points), a flag, a skin tone, a keycap and plain ones. */
const SEVEN_EMOJI = [
  '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F466}',
  '\u{1F1F0}\u{1F1F7}',
  '\u{1F44D}\u{1F3FD}',
  '1\uFE0F\u20E3',
  '\u{1F4DA}',
  '\u{1F31F}',
  '\u{1F600}',
].join('');

describe('nickname length', { timeout: 150_000 }, () => {
  const suite = suiteForFile();

  for (const [locale, t] of [
    ['en-US', en],
    ['ko-KR', ko],
  ] as const) {
    test(`${locale}: over ten is said at once and refused, seven emoji are kept whole`, {
      timeout: 60_000,
    }, async () => {
      const { app, browser } = suite();
      const context = await newContext(browser, { locale, bypassCSP: true });
      try {
        const page = await context.newPage();
        const signUps: string[] = [];
        page.on('request', (req) => void (req.url().endsWith('/api/v1/members') && signUps.push(req.method())));
        await open(page, app.url);
        const field = page.getByLabel(t.nickname, { exact: true });
        const counter = page.getByTestId('nickname-count');

        // Eleven syllables: all stay in the field, and the counter says it is one too many before any submit.
        const eleven = '하루공부하는학생입니다';
        await field.fill(eleven);
        await page.locator(`[data-testid="nickname-count"][data-count="11"]`).waitFor({ timeout: UI_TIMEOUT });
        assert.equal(await field.inputValue(), eleven, 'nothing is cut');
        assert.equal(await counter.textContent(), t.charCount(11, MAX));
        assert.match(t.charCount(11, MAX), locale === 'en-US' ? /1 too many/ : /1자 초과/);
        assert.equal(await counter.getAttribute('class'), 'counter over');
        await page.getByRole('button', { name: t.nicknameSubmit, exact: true }).click();
        await page
          .locator('#nickname-error')
          .getByText(t.fieldTooLong(MAX), { exact: true })
          .waitFor({ timeout: UI_TIMEOUT });
        assert.equal(await field.inputValue(), eleven, 'still not cut after the refusal');
        assert.deepEqual(signUps, [], 'nothing was sent');
        await expectNoViolations(page, `a nickname over the limit (${locale})`);

        // Seven emoji: seven characters, taken and kept whole.
        await field.fill(SEVEN_EMOJI);
        await page.locator(`[data-testid="nickname-count"][data-count="7"]`).waitFor({ timeout: UI_TIMEOUT });
        assert.equal(await counter.textContent(), t.charCount(7, MAX));
        assert.equal(await counter.getAttribute('class'), 'counter');
        await page.getByRole('button', { name: t.nicknameSubmit, exact: true }).click();
        await page
          .getByRole('heading', { level: 1, name: t.homeTitle(SEVEN_EMOJI), exact: true })
          .waitFor({ timeout: UI_TIMEOUT });
        assert.deepEqual(signUps, ['POST']);
        const kept = await page.evaluate(
          () =>
            (JSON.parse(localStorage.getItem('haru.identity') ?? '{}') as { member?: { nickname?: string } }).member,
        );
        assert.equal(kept?.nickname, SEVEN_EMOJI, 'the server kept all seven');

        // The join form's nickname counts and warns the same way.
        const joinField = page.getByLabel(t.joinNickname, { exact: true });
        assert.equal(await joinField.inputValue(), SEVEN_EMOJI);
        await joinField.fill(`${SEVEN_EMOJI}하루공부`);
        await page.locator('[data-testid="join-nickname-count"][data-count="11"]').waitFor({ timeout: UI_TIMEOUT });
        assert.equal(await page.getByTestId('join-nickname-count').textContent(), t.charCount(11, MAX));
      } finally {
        await context.close();
      }
    });
  }
});
