/**
 * Inviting by link (issue 15), in Chromium against `wrangler dev`: the lobby's
 * "Copy invite link" copies `/join/<code>` and "Share invite link" hands the
 * same link to the share sheet; a new learner opening the link picks a
 * nickname and lands in the room; someone opening a room (or study) address
 * of a group they are not in is offered to join while it waits, and told
 * plainly once it has started, in English and in Korean. axe checks the offer.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { en } from '../../client/i18n/en.ts';
import { ko } from '../../client/i18n/ko.ts';
import { expectNoViolations } from './axe.ts';
import { newContext, suiteForFile } from './harness.ts';
import { createRoom, expectParticipant, expectRoomStep, open, pickNickname, UI_TIMEOUT } from './learner.ts';

type Catalog = typeof en;

describe('inviting by link', { timeout: 240_000 }, () => {
  const suite = suiteForFile();

  /** A fresh device in `locale` that can run axe (its script needs the CSP bypassed). */
  const device = (locale = 'en-US'): Promise<BrowserContext> =>
    newContext(suite().browser, { locale, bypassCSP: true });

  /** A learner on `context` who picked `nickname` in the language of `t`; resolves on their home page. */
  async function learner(context: BrowserContext, t: Catalog, nickname: string): Promise<Page> {
    const page = await context.newPage();
    await open(page, suite().app.url);
    await page.getByLabel(t.nickname, { exact: true }).fill(nickname);
    await page.getByRole('button', { name: t.nicknameSubmit, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: t.homeTitle(nickname) }).waitFor({ timeout: UI_TIMEOUT });
    return page;
  }

  test('copy and share the invite link; a new learner opens it, picks a nickname and lands in the room', {
    timeout: 90_000,
  }, async () => {
    const { app } = suite();
    const hostDevice = await device();
    const guestDevice = await device();
    try {
      await hostDevice.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: app.url });
      // The share sheet, stubbed: Chromium headless has none, and a test cannot press one.
      await hostDevice.addInitScript(() => {
        const shared: ShareData[] = [];
        Object.assign(window, { shared });
        navigator.share = async (data?: ShareData) => {
          shared.push(data ?? {});
        };
      });
      const mina = await hostDevice.newPage();
      await open(mina, app.url);
      await pickNickname(mina, 'mina');
      await createRoom(mina, { name: 'Math', cycles: 1, minutes: 25 });
      const code = ((await mina.getByTestId('study-code').textContent()) ?? '').trim();
      const link = `${app.url}/join/${code}`;

      await mina.getByRole('button', { name: en.copyLink, exact: true }).click();
      await mina.getByTestId('share-status').getByText(en.linkCopied, { exact: true }).waitFor({ timeout: UI_TIMEOUT });
      assert.equal(await mina.evaluate(() => navigator.clipboard.readText()), link);

      await mina.getByRole('button', { name: en.shareLink, exact: true }).click();
      const shared = await mina.waitForFunction(
        () => (window as unknown as { shared: ShareData[] }).shared[0],
        undefined,
        { timeout: UI_TIMEOUT },
      );
      const data = (await shared.jsonValue()) as ShareData;
      assert.equal(data.url, link);
      assert.equal(data.text, en.shareText('Math'));

      // A browser that never saw the app opens the link: the nickname step first, then the room.
      const jun = await guestDevice.newPage();
      await open(jun, app.url, `/join/${code}`);
      await jun.getByRole('heading', { level: 1, name: en.welcomeTitle }).waitFor({ timeout: UI_TIMEOUT });
      await jun.getByLabel(en.nickname, { exact: true }).fill('jun');
      await jun.getByRole('button', { name: en.nicknameSubmit, exact: true }).click();
      await jun.waitForURL(/\/room\/[^/]+$/, { timeout: UI_TIMEOUT });
      await expectRoomStep(jun, 'waiting');
      await expectParticipant(jun, 'jun', { online: true });
      await expectParticipant(mina, 'jun', { online: true });
      assert.equal(new URL(jun.url()).pathname, new URL(mina.url()).pathname, 'the same room');
    } finally {
      await hostDevice.close();
      await guestDevice.close();
    }
  });

  for (const [locale, t] of [
    ['en-US', en],
    ['ko-KR', ko],
  ] as const) {
    test(`a room address offers to join while the study waits, and says when it has started (${locale})`, {
      timeout: 90_000,
    }, async () => {
      const { app } = suite();
      const hostDevice = await device();
      const guestDevice = await device(locale);
      const lateDevice = await device(locale);
      try {
        const mina = await hostDevice.newPage();
        await open(mina, app.url);
        await pickNickname(mina, 'mina');
        await createRoom(mina, { name: 'Math', cycles: 1, minutes: 25 });
        const roomPath = new URL(mina.url()).pathname;
        const studyId = roomPath.split('/')[2] ?? '';
        const code = ((await mina.getByTestId('study-code').textContent()) ?? '').trim();

        // Someone given the room's address (not the invite link) while it waits.
        const sora = await learner(guestDevice, t, locale === 'en-US' ? 'sora' : '소라');
        await sora.goto(`${app.url}${roomPath}`);
        const offer = sora.locator('main[data-invite="waiting"]');
        await offer.waitFor({ timeout: UI_TIMEOUT });
        assert.equal(await sora.getByRole('heading', { level: 1 }).textContent(), 'Math');
        assert.equal(await sora.getByTestId('invite-lead').textContent(), t.inviteLead);
        await expectNoViolations(sora, `the offer to join a waiting room (${locale})`);
        await sora.getByRole('button', { name: t.joinAs(locale === 'en-US' ? 'sora' : '소라'), exact: true }).click();
        await sora.locator('main[data-testid="room-page"][data-step="waiting"]').waitFor({ timeout: UI_TIMEOUT });
        assert.equal(new URL(sora.url()).pathname, roomPath);
        await expectParticipant(mina, locale === 'en-US' ? 'sora' : '소라', { online: true });

        await mina.getByRole('button', { name: en.startRoom, exact: true }).click();
        await expectRoomStep(mina, 'planning');

        // Too late: the room address, the study address and the invite link all say it has started.
        const lee = await learner(lateDevice, t, 'lee');
        for (const path of [roomPath, `/study/${studyId}`]) {
          await lee.goto(`${app.url}${path}`);
          const started = lee.getByTestId('invite-started');
          await started.waitFor({ timeout: UI_TIMEOUT });
          assert.equal(await started.textContent(), t.inviteStarted);
          assert.equal(new URL(lee.url()).pathname, roomPath);
          assert.equal(await lee.getByRole('button', { name: t.joinAs('lee') }).count(), 0, 'no join offered');
        }
        await expectNoViolations(lee, `a started room for someone not in it (${locale})`);
        await lee.goto(`${app.url}/join/${code}`);
        const refused = lee.locator('[data-testid="join-error"][data-error="study_started"]');
        await refused.waitFor({ timeout: UI_TIMEOUT });
        assert.equal(await refused.textContent(), t.apiErrors.study_started);
        assert.equal(await lee.getByTestId('join-retry').count(), 0, 'a refusal that stays one offers no retry');
      } finally {
        await hostDevice.close();
        await guestDevice.close();
        await lateDevice.close();
      }
    });
  }
});
