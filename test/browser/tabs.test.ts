/**
 * One learner, many tabs, in Chromium against `wrangler dev`: the room keeps
 * MAX_SOCKETS_PER_PARTICIPANT sockets per learner and closes the oldest with
 * 4410. The oldest tab says calmly that the study is open elsewhere and does
 * not reconnect by itself (two tabs would take turns closing each other);
 * "Try again" takes the room back in that tab.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { en } from '../../client/i18n/en.ts';
import { MAX_SOCKETS_PER_PARTICIPANT } from '../../shared/index.ts';
import { newContext, suiteForFile } from './harness.ts';
import { createRoom, expectConnection, open, pickNickname, UI_TIMEOUT } from './learner.ts';

describe('one learner in many tabs', { timeout: 150_000 }, () => {
  const suite = suiteForFile();

  test(`the oldest of ${MAX_SOCKETS_PER_PARTICIPANT + 1} tabs pauses with a calm message, and takes the room back when asked`, {
    timeout: 90_000,
  }, async () => {
    const running = suite();
    const { app, browser } = running;
    const context = await newContext(browser);
    try {
      const first = await context.newPage();
      await open(first, app.url);
      await pickNickname(first, 'tabs');
      const studyId = await createRoom(first, { name: 'Tabs', cycles: 1, minutes: 25 });

      // The same learner (one token in this profile) opens the room in more tabs, one after another.
      const others: Page[] = [];
      for (let n = 0; n < MAX_SOCKETS_PER_PARTICIPANT; n += 1) {
        const page = await context.newPage();
        await open(page, app.url, `/room/${encodeURIComponent(studyId)}`);
        await expectConnection(page, 'live');
        others.push(page);
      }

      const alert = first.getByTestId('room-error');
      await alert.waitFor({ timeout: UI_TIMEOUT });
      assert.equal(await alert.getAttribute('data-error'), 'replaced');
      assert.equal(await alert.textContent(), en.apiErrors.replaced);
      for (const page of others) await expectConnection(page, 'live');

      // Back in the first tab, the learner asks for the room again: it is live there, and the oldest other tab pauses instead.
      await first.getByTestId('room-retry').click();
      await expectConnection(first, 'live');
      const oldest = others[0] as Page;
      await oldest.getByTestId('room-error').waitFor({ timeout: UI_TIMEOUT });
      assert.equal(await oldest.getByTestId('room-error').getAttribute('data-error'), 'replaced');
      for (const page of others.slice(1)) await expectConnection(page, 'live');
    } finally {
      await context.close();
    }
  });
});
