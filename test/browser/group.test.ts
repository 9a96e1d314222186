/**
 * Release 1.5 pauses group study in the client while it becomes live (the
 * 1.5 bridge page of DESIGN §1): the home page says so, the group option is
 * disabled, there is no join form, and solo study works exactly as before.
 */
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { en } from '../../client/i18n/en.ts';
import { newContext, startSuite, type Suite } from './harness.ts';
import { createStudy, expectStep, open, pickNickname, UI_TIMEOUT } from './learner.ts';

describe('group study paused (Release 1.5)', { timeout: 120_000 }, () => {
  let suite: Suite | undefined;
  before(async () => void (suite = await startSuite()), { timeout: 90_000 });
  after(() => suite?.close());

  test('the home page explains the pause, offers solo only, and solo still starts', { timeout: 60_000 }, async () => {
    assert.ok(suite, 'setup did not finish');
    const device = await newContext(suite.browser);
    try {
      const page = await device.newPage();
      // A draft from Release 1 that chose "group" must not be sent as a group study.
      await page.addInitScript(() => localStorage.setItem('haru.draft.home.create.mode', 'group'));
      await open(page, suite.app.url);
      await pickNickname(page, 'mina');

      const paused = page.getByTestId('group-paused');
      await paused.waitFor({ timeout: UI_TIMEOUT });
      assert.equal(await paused.textContent(), en.groupPaused);
      const groupOption = page.getByRole('radio', { name: en.modeGroup });
      assert.equal(await groupOption.isDisabled(), true, 'the group option is disabled');
      assert.equal(await page.getByRole('radio', { name: en.modeSolo }).isChecked(), true, 'solo is chosen');
      assert.equal(await page.getByTestId('join-form').count(), 0, 'no join form while group study is paused');

      await createStudy(page, { name: 'Math', cycles: 1, minutes: 25, mode: 'solo' });
      await expectStep(page, 'planning');
      assert.equal(await page.getByTestId('study-code').count(), 0, 'a solo study has no code');
    } finally {
      await device.close();
    }
  });
});
