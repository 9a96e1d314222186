/**
 * The page meets a real 429 (worker/http/rate-limit.ts) in Chromium against
 * `wrangler dev`, whose rate limiting bindings count like Cloudflare's (in
 * fixed windows, locally): the learner uses a limit up from the page, then
 * submits a form. The page says calmly, in the learner's language, when to
 * try again (`Retry-After`), keeps what was typed, and carries on.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { en } from '../../client/i18n/en.ts';
import { ko } from '../../client/i18n/ko.ts';
import { RATE_LIMIT_RULES } from '../../worker/http/rate-limit-rules.ts';
import { newContext, type Suite, startSuite } from './harness.ts';
import { open, pickNickname, submitJoin, UI_TIMEOUT } from './learner.ts';

/** A page whose uncaught errors are collected, so a test can say the page did not crash. */
async function watchedPage(context: BrowserContext): Promise<{ page: Page; crashes: string[] }> {
  const crashes: string[] = [];
  context.on('weberror', (err) => crashes.push(err.error().message));
  return { page: await context.newPage(), crashes };
}

/** POSTs `body` to `path` from the page, as the signed-in learner when there is one, until a 429 or `max` calls; the statuses. */
function postUntilRefused(page: Page, path: string, body: unknown, max: number): Promise<number[]> {
  return page.evaluate(
    async ({ path, body, max }) => {
      const token = (JSON.parse(localStorage.getItem('haru.identity') ?? 'null') as { token?: string } | null)?.token;
      const statuses: number[] = [];
      while (statuses.length < max && statuses.at(-1) !== 429) {
        const res = await fetch(path, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', ...(token ? { Authorization: `Bearer ${token}` } : {}) },
          body: JSON.stringify(body),
        });
        statuses.push(res.status);
      }
      return statuses;
    },
    { path, body, max },
  );
}

/** The status of the next `path` POST the page makes while `act` runs. */
async function statusOfPost(page: Page, path: string, act: () => Promise<void>): Promise<number> {
  const [response] = await Promise.all([
    page.waitForResponse((r) => r.request().method() === 'POST' && new URL(r.url()).pathname === path),
    act(),
  ]);
  return response.status();
}

/** One try at meeting the limit: the page, its crashes, and the status its form call got. */
interface Attempt {
  page: Page;
  crashes: string[];
  status: number;
}

/**
 * Runs `attempt` (a fresh browser context each time) until its form call was
 * refused: the local limiter's window is aligned to the clock, so a call
 * made just after a rollover is let through; two in a row cannot be.
 */
async function refusedAttempt(attempt: () => Promise<Attempt>): Promise<Attempt> {
  const first = await attempt();
  if (first.status === 429) return first;
  const second = await attempt();
  assert.equal(second.status, 429, 'the form call after the limit was used up is refused');
  return second;
}

describe('a calm message on a 429', { timeout: 150_000 }, () => {
  let suite: Suite | undefined;
  before(
    async () => {
      suite = await startSuite();
    },
    { timeout: 90_000 },
  );
  const contexts: BrowserContext[] = [];
  after(async () => {
    try {
      for (const context of contexts) await context.close();
    } finally {
      await suite?.close();
    }
  });

  test('joining by code after the guesses are used up: says when to try again, in English and then in Korean, and keeps the code', {
    timeout: 60_000,
  }, async () => {
    assert.ok(suite, 'setup did not finish');
    const { app, browser } = suite;
    const { limit, period } = RATE_LIMIT_RULES.joinsPerMember;
    const { page, crashes } = await refusedAttempt(async () => {
      const context = await newContext(browser);
      contexts.push(context);
      const { page, crashes } = await watchedPage(context);
      await open(page, app.url);
      await pickNickname(page, 'Mina');
      const guesses = await postUntilRefused(page, '/api/v2/studies/join', { code: 'QQQQQQ', nickname: 'Mina' }, limit);
      assert.deepEqual(guesses, Array(limit).fill(404), 'the guesses under the limit are answered');
      const status = await statusOfPost(page, '/api/v2/studies/join', () => submitJoin(page, 'ABCDEF', 'Mina'));
      return { page, crashes, status };
    });

    const alert = page.getByTestId('join-form-error');
    await alert.waitFor({ timeout: UI_TIMEOUT });
    assert.equal(await alert.getAttribute('data-error'), 'rate_limited');
    assert.equal(await alert.getAttribute('role'), 'alert');
    assert.equal(await alert.textContent(), en.rateLimited(period));
    const form = page.getByTestId('join-form');
    assert.equal(await form.getByLabel(en.joinCode, { exact: true }).inputValue(), 'ABCDEF', 'the code is still there');
    assert.equal(await form.getByLabel(en.joinNickname, { exact: true }).inputValue(), 'Mina');
    assert.equal(
      await page.getByRole('heading', { level: 1, name: en.homeTitle('Mina') }).count(),
      1,
      'still on the home page',
    );

    // The message is kept as a code, so it follows a language switch.
    await page.getByRole('button', { name: '한국어', exact: true }).click();
    await page.getByText(ko.rateLimited(period), { exact: true }).waitFor({ timeout: UI_TIMEOUT });
    assert.equal(await form.getByLabel(ko.joinCode, { exact: true }).inputValue(), 'ABCDEF');
    assert.deepEqual(crashes, []);
  });

  test('signing up after the address used up its sign-ups: says when to try again in Korean, and keeps the nickname', {
    timeout: 60_000,
  }, async () => {
    assert.ok(suite, 'setup did not finish');
    const { app, browser } = suite;
    const { limit, period } = RATE_LIMIT_RULES.signUpsPerAddress;
    const { page, crashes } = await refusedAttempt(async () => {
      const context = await newContext(browser, { locale: 'ko-KR' });
      contexts.push(context);
      const { page, crashes } = await watchedPage(context);
      await open(page, app.url);
      // Earlier sign-ups from this address count too, and a window may roll over meanwhile: at most twice the limit.
      const signUps = await postUntilRefused(page, '/api/v1/members', { nickname: 'n' }, 2 * limit + 1);
      assert.equal(signUps.at(-1), 429, 'the sign-ups are used up');
      await page.getByLabel(ko.nickname, { exact: true }).fill('하나');
      const status = await statusOfPost(page, '/api/v1/members', () =>
        page.getByRole('button', { name: ko.nicknameSubmit, exact: true }).click(),
      );
      return { page, crashes, status };
    });

    const alert = page.getByTestId('nickname-form-error');
    await alert.waitFor({ timeout: UI_TIMEOUT });
    assert.equal(await alert.getAttribute('data-error'), 'rate_limited');
    assert.equal(await alert.textContent(), ko.rateLimited(period));
    assert.equal(
      await page.getByLabel(ko.nickname, { exact: true }).inputValue(),
      '하나',
      'the nickname is still there',
    );
    assert.equal(await page.getByTestId('nickname-step').count(), 1, 'still on the nickname step');
    assert.deepEqual(crashes, []);
  });
});
