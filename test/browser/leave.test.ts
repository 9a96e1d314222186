/**
 * Leaving a live room and a host who is gone (issue 15), in Chromium against
 * `wrangler dev`. A host who presses Leave (and confirms, told the role passes
 * on) lands home and a guest becomes host at once, not after the grace
 * period; the others see who hosts now, in English and in Korean. A host who
 * reloads comes back as host. A host who just drops: the guests see why they
 * wait and when the role passes (counted down on the room's clock), then who
 * hosts now.
 *
 * Time: as in live.test.ts, the pages' clocks and the worker's and room's
 * clock (test/browser/clock-worker) move together, and after a jump the test
 * rings the room's alarm, which then decides by the moved clock.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { en } from '../../client/i18n/en.ts';
import { ko } from '../../client/i18n/ko.ts';
import { HOST_GRACE_MS } from '../../shared/room.ts';
import { expectNoViolations } from './axe.ts';
import { newContext, ringRoomAlarm, startWorldClock, suiteForFile } from './harness.ts';
import {
  createRoom,
  eventually,
  expectConnection,
  expectParticipant,
  expectRoomStep,
  joinByLink,
  open,
  pickNickname,
  studyIdOf,
  submitJoin,
  UI_TIMEOUT,
} from './learner.ts';

type Catalog = typeof en;

describe('leaving a live room', { timeout: 240_000 }, () => {
  const suite = suiteForFile({ clock: true });

  /** A fresh device in `locale` that can run axe (CSP bypassed; reduced motion, so colours are checked at rest). */
  const device = (locale = 'en-US'): Promise<BrowserContext> =>
    newContext(suite().browser, { locale, bypassCSP: true, reducedMotion: 'reduce' });

  /** A learner on `context` who picked `nickname` in the language of `t`; resolves on their home page. */
  async function learner(context: BrowserContext, t: Catalog, nickname: string): Promise<Page> {
    const page = await context.newPage();
    await open(page, suite().app.url);
    await pickNickname(page, nickname, t);
    return page;
  }

  /** Joins with `code` through its invite link; resolves in the lobby, live. */
  const join = (page: Page, code: string) => joinByLink(page, suite().app.url, code);

  /** Waits until the line about the host on `page` says `text`. */
  async function expectHostStatus(page: Page, ok: (text: string | null) => boolean, what: string): Promise<string> {
    const text = await eventually(() => page.getByTestId('host-status').textContent(), ok, what, UI_TIMEOUT);
    return text ?? '';
  }

  test('the host presses Leave: the role passes on at once, the leaver lands home, everyone is told', {
    timeout: 90_000,
  }, async () => {
    const [minaDevice, junDevice, soraDevice] = [await device(), await device(), await device('ko-KR')];
    try {
      const mina = await learner(minaDevice, en, 'mina');
      await createRoom(mina, { name: 'Math', cycles: 1, minutes: 25 });
      const code = ((await mina.getByTestId('study-code').textContent()) ?? '').trim();
      const jun = await learner(junDevice, en, 'jun');
      await submitJoin(jun, code, 'jun');
      await jun.waitForURL(/\/room\/[^/]+$/, { timeout: UI_TIMEOUT });
      await expectRoomStep(jun, 'waiting');
      await expectConnection(jun, 'live');
      const sora = await learner(soraDevice, ko, '소라');
      await join(sora, code);
      await expectParticipant(mina, 'jun', { online: true });

      // mina asks to leave: the dialog says the role passes on; "Stay" keeps her in.
      await mina.getByRole('button', { name: en.leaveRoom, exact: true }).click();
      const dialog = mina.getByRole('dialog', { name: en.leaveTitle });
      await dialog.waitFor({ timeout: UI_TIMEOUT });
      assert.equal(await dialog.getByTestId('leave-host-lead').textContent(), en.leaveHostLead);
      await expectNoViolations(mina, 'the host asked to confirm leaving');
      await dialog.getByRole('button', { name: en.leaveCancel, exact: true }).click();
      await dialog.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
      await mina.locator('main[data-host="true"]').waitFor({ timeout: UI_TIMEOUT });

      await mina.getByRole('button', { name: en.leaveRoom, exact: true }).click();
      await dialog.getByRole('button', { name: en.leaveConfirm, exact: true }).click();
      await mina.getByRole('heading', { level: 1, name: en.homeTitle('mina') }).waitFor({ timeout: UI_TIMEOUT });
      assert.equal(new URL(mina.url()).pathname, '/');

      // At once (well within the UI's wait, far less than the grace period): jun hosts, and everyone is told.
      await jun.locator('main[data-host="true"]').waitFor({ timeout: UI_TIMEOUT });
      await expectHostStatus(jun, (text) => text === en.announce.youHost, 'jun is told he hosts');
      await expectHostStatus(sora, (text) => text === ko.announce.host('jun'), 'sora is told jun hosts (ko)');
      await expectParticipant(jun, 'mina', { online: false });
      await expectNoViolations(sora, 'a guest told who hosts now (ko)');

      // jun, the host now, can start; a guest's dialog says nothing about the host role.
      await jun.getByRole('button', { name: en.startRoom, exact: true }).click();
      await expectRoomStep(jun, 'planning');
      await sora.getByRole('button', { name: ko.leaveRoom, exact: true }).click();
      const soraDialog = sora.getByRole('dialog', { name: ko.leaveTitle });
      await soraDialog.waitFor({ timeout: UI_TIMEOUT });
      assert.equal(await soraDialog.getByTestId('leave-host-lead').count(), 0);
      await soraDialog.getByRole('button', { name: ko.leaveConfirm, exact: true }).click();
      await sora.getByRole('heading', { level: 1, name: ko.homeTitle('소라') }).waitFor({ timeout: UI_TIMEOUT });
      await expectParticipant(jun, '소라', { online: false });
    } finally {
      for (const each of [minaDevice, junDevice, soraDevice]) await each.close();
    }
  });

  test('a host who reloads stays host; one who drops: guests see why they wait and when the role passes', {
    timeout: 120_000,
  }, async () => {
    const { app } = suite();
    const [minaDevice, junDevice, soraDevice] = [await device(), await device(), await device('ko-KR')];
    try {
      // jun's world clock moves the server too; the others' pages follow along.
      const start = Date.now();
      const world = await startWorldClock(junDevice, app, start);
      await minaDevice.clock.install({ time: start });
      await soraDevice.clock.install({ time: start });
      const mina = await learner(minaDevice, en, 'mina');
      await createRoom(mina, { name: 'Math', cycles: 1, minutes: 25 });
      const studyId = studyIdOf(mina);
      const code = ((await mina.getByTestId('study-code').textContent()) ?? '').trim();
      const jun = await learner(junDevice, en, 'jun');
      await join(jun, code);
      const sora = await learner(soraDevice, ko, '소라');
      await join(sora, code);
      await mina.getByRole('button', { name: en.startRoom, exact: true }).click();
      await expectRoomStep(mina, 'planning');
      for (const page of [jun, sora])
        await page.locator('main[data-testid="room-page"][data-step="planning"]').waitFor({ timeout: UI_TIMEOUT });

      // A reload is not a leave: mina comes back within the grace period, still the host.
      await mina.reload();
      await expectConnection(mina, 'live');
      await mina.locator('main[data-host="true"]').waitFor({ timeout: UI_TIMEOUT });
      await expectParticipant(jun, 'mina', { online: true });
      assert.equal(await jun.locator('main[data-host="false"]').count(), 1);

      // mina's browser goes away without a word: the guests see why, and when the role passes.
      await minaDevice.close();
      await expectParticipant(jun, 'mina', { online: false });
      const seconds = Array.from({ length: HOST_GRACE_MS / 1000 }, (_, i) => i + 1);
      const junSees = (text: string | null) =>
        seconds.find((n) => text === en.hostAway('mina', n, { nickname: 'jun', you: true })) ?? null;
      const before = junSees(
        await expectHostStatus(
          jun,
          (text) => junSees(text) !== null,
          'jun sees mina is offline and that he becomes host in at most 20 s',
        ),
      );
      await expectHostStatus(
        sora,
        (text) => seconds.some((n) => text === ko.hostAway('mina', n, { nickname: 'jun', you: false })),
        'sora sees mina is offline and that jun becomes host (ko)',
      );
      // It counts down on the room's clock.
      await world.fastForward(5_000);
      await expectHostStatus(
        jun,
        (text) => (junSees(text) ?? Number.POSITIVE_INFINITY) <= (before ?? 0) - 5,
        'the countdown moved on by the 5 s the clocks did',
      );
      await expectNoViolations(sora, 'a guest told the host is offline (ko)');

      // The grace period passes: the room hands the role to jun, the longest-present one online.
      await world.fastForward(HOST_GRACE_MS);
      await soraDevice.clock.fastForward(HOST_GRACE_MS + 5_000);
      await ringRoomAlarm(app, studyId);
      await jun.locator('main[data-host="true"]').waitFor({ timeout: UI_TIMEOUT });
      await expectHostStatus(jun, (text) => text === en.announce.youHost, 'jun is told he hosts');
      await expectHostStatus(sora, (text) => text === ko.announce.host('jun'), 'sora is told jun hosts (ko)');
    } finally {
      for (const each of [minaDevice, junDevice, soraDevice]) await each.close().catch(() => {});
    }
  });
});
