/**
 * A guest token's life in Chromium against a real `wrangler dev`, with the
 * pages' and the worker's clocks moved together (harness `startWorldClock`):
 * a learner who keeps coming back gets renewed tokens and is never signed
 * out, even long after their first token's 90 days; one who stays away past
 * them is led calmly back to the nickname step, with their drafts kept.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { en } from '../../client/i18n/en.ts';
import { TOKEN_RENEWAL_HEADER } from '../../shared/compat.ts';
import { newContext, startWorldClock, suiteForFile, type WorldClock } from './harness.ts';
import { answer, createStudy, eventually, expectStep, open, pickNickname, UI_TIMEOUT } from './learner.ts';

const DAY = 24 * 60 * 60_000;
const PLAN = { toDo: 'Read chapter 4', completionCondition: 'Notes on every section' };

/** The guest token the page keeps (client/identity/store.ts), or null. */
const storedToken = (page: Page) =>
  page.evaluate(
    () => (JSON.parse(localStorage.getItem('haru.identity') ?? 'null') as { token?: string } | null)?.token ?? null,
  );

/** Goes to "My records" (an authenticated call) and resolves with that call's answer. */
async function visitMyRecords(page: Page) {
  const answered = page.waitForResponse((res) => new URL(res.url()).pathname === '/api/v1/me/records', {
    timeout: UI_TIMEOUT,
  });
  await page.getByTestId('my-records-link').click();
  const res = await answered;
  await page.getByRole('heading', { level: 1, name: en.myRecords }).waitFor({ timeout: UI_TIMEOUT });
  return res;
}

describe('a guest token over months', { timeout: 150_000 }, () => {
  const suite = suiteForFile({ clock: true });

  /** A learner signed in as `nickname` on a page whose clock moves with the worker's; the context is closed after `act`. */
  async function asLearner(
    nickname: string,
    act: (page: Page, clock: WorldClock, url: string) => Promise<void>,
  ): Promise<void> {
    const running = suite();
    const context = await newContext(running.browser);
    try {
      const clock = await startWorldClock(context, running.app, Date.now());
      const page = await context.newPage();
      await open(page, running.app.url);
      await pickNickname(page, nickname);
      await act(page, clock, running.app.url);
    } finally {
      await context.close();
    }
  }

  test('a learner who keeps coming back is renewed and never signed out', { timeout: 60_000 }, () =>
    asLearner('hana', async (page, clock, url) => {
      const first = await storedToken(page);
      assert.ok(first, 'signing up stored a token');

      // Two days later the next calls hand back fresh tokens, and the page keeps one of them. (My records
      // reads several pages of records at once, and each answer renews with its own time, so which one
      // lands last is the network's choice.)
      await clock.fastForward(2 * DAY);
      const fresh = new Set<string>();
      page.on('response', (res) => {
        const token = res.headers()[TOKEN_RENEWAL_HEADER.toLowerCase()];
        if (token) fresh.add(token);
      });
      const renewedAnswer = await visitMyRecords(page);
      const renewed = renewedAnswer.headers()[TOKEN_RENEWAL_HEADER.toLowerCase()];
      assert.ok(renewed && renewed !== first, 'the answer carried a fresh token');
      await eventually(
        () => storedToken(page),
        (token) => token !== null && token !== first && fresh.has(token),
        'the page keeps a fresh token',
      );

      // 89 days on, the first token is past its 90 days; the learner, on the fresh one, is still in.
      await clock.fastForward(89 * DAY);
      await open(page, url);
      await page.getByRole('heading', { level: 1, name: en.homeTitle('hana') }).waitFor({ timeout: UI_TIMEOUT });
      assert.equal((await visitMyRecords(page)).status(), 200);
      assert.equal(await page.getByTestId('nickname-step').count(), 0, 'never sent back to the nickname step');
    }),
  );

  test(
    'a learner away for longer than 90 days picks a nickname again, told why, with their drafts kept',
    { timeout: 60_000 },
    () =>
      asLearner('mina', async (page, clock) => {
        await createStudy(page, { name: 'Math', cycles: 1, minutes: 25, mode: 'solo' });
        await expectStep(page, 'planning');
        await answer(page, PLAN);
        const drafts = () =>
          page.evaluate(() =>
            Object.keys(localStorage)
              .filter((key) => key.startsWith('haru.draft.'))
              .sort(),
          );
        const typed = await eventually(drafts, (keys) => keys.length >= 2, 'the typed plan is saved as drafts');

        await clock.fastForward(91 * DAY);
        await page.reload({ timeout: 15_000 });
        await page.getByTestId('nickname-step').waitFor({ timeout: UI_TIMEOUT });
        assert.equal(await page.getByTestId('identity-expired').textContent(), en.identityExpired);
        assert.equal(await page.getByRole('alert').count(), 0, 'no error, only the calm notice');
        assert.equal(await storedToken(page), null, 'the expired token is dropped');
        assert.deepEqual(await drafts(), typed, 'the drafts are still there');
      }),
  );
});
