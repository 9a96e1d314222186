/**
 * Nothing typed is lost (issue 15), in Chromium against `wrangler dev`: two
 * guests, one reading English and one Korean, type a plan and do not submit
 * it. Their drafts reach the room once typing pauses (one draft for a whole
 * word typed key by key, not one per key) or when the field loses focus. The
 * host, asked to confirm, is told their drafts will be kept and moves on
 * anyway: each guest's page says, in their language, that what they wrote is
 * kept as not submitted and shows it as their plan, and the study's record
 * shows it marked "not submitted", with the questions they left empty as not
 * written. axe checks the notice and the record.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { type Catalog, en } from '../../client/i18n/en.ts';
import { ko } from '../../client/i18n/ko.ts';
import { expectNoViolations } from './axe.ts';
import { newContext, suiteForFile } from './harness.ts';
import {
  answer,
  createRoom,
  eventually,
  expectRoomStep,
  joinByLink,
  open,
  pickNickname,
  shownAnswers,
  UI_TIMEOUT,
} from './learner.ts';

/** The drafts a page sends its room, as the socket frames carry them, from the moment this is called. */
function recordDrafts(page: Page): { type: string; cycle: number; draft: { plan?: Record<string, string> } }[] {
  const drafts: { type: string; cycle: number; draft: { plan?: Record<string, string> } }[] = [];
  page.on('websocket', (socket) =>
    socket.on('framesent', ({ payload }) => {
      if (typeof payload !== 'string' || !payload.startsWith('{')) return;
      const message = JSON.parse(payload) as (typeof drafts)[number];
      if (message.type === 'draft') drafts.push(message);
    }),
  );
  return drafts;
}

/** Waits until the room page shows `step`, whatever its language. */
async function expectStepIn(page: Page, step: string): Promise<void> {
  await page.locator(`main[data-testid="room-page"][data-step="${step}"]`).waitFor({ timeout: UI_TIMEOUT });
}

describe('drafts reach the room', { timeout: 240_000 }, () => {
  const suite = suiteForFile();

  test('the host moves on anyway: each guest is told, in English and Korean, and the record keeps their plan as not submitted', {
    timeout: 180_000,
  }, async () => {
    const { app, browser } = suite();
    const device = (locale: string) => newContext(browser, { locale, bypassCSP: true, reducedMotion: 'reduce' });
    const devices = [await device('en-US'), await device('en-US'), await device('ko-KR')] as const;
    try {
      const [minaDevice, junDevice, soraDevice] = devices;
      const mina = await minaDevice.newPage();
      await open(mina, app.url);
      await pickNickname(mina, 'mina');
      const studyId = await createRoom(mina, { name: 'Drafts', cycles: 1, minutes: 25 });
      const code = ((await mina.getByTestId('study-code').textContent()) ?? '').trim();

      const guests: {
        page: Page;
        t: Catalog;
        nickname: string;
        toDo: string;
        sent: ReturnType<typeof recordDrafts>;
      }[] = [];
      for (const [context, t, nickname, toDo] of [
        [junDevice, en, 'jun', 'Read chapter 3'],
        [soraDevice, ko, '소라', '단어 40개 외우기'],
      ] as const) {
        const page = await context.newPage();
        const sent = recordDrafts(page);
        await open(page, app.url);
        await pickNickname(page, nickname, t);
        await joinByLink(page, app.url, code);
        guests.push({ page, t, nickname, toDo, sent });
      }
      const [jun, sora] = guests as [(typeof guests)[0], (typeof guests)[0]];

      await mina.getByRole('button', { name: en.startRoom, exact: true }).click();
      await expectRoomStep(mina, 'planning');
      for (const guest of guests) await expectStepIn(guest.page, 'planning');

      // jun types key by key and stays in the field: one draft goes once he pauses, with the whole text.
      await jun.page.getByLabel(en.questions.toDo).pressSequentially(jun.toDo, { delay: 40 });
      // sora types and moves on to the next question: the draft goes as the field loses focus.
      await answer(sora.page, { toDo: sora.toDo }, ko);
      await sora.page.keyboard.press('Tab');
      for (const guest of guests) {
        await eventually(
          () => Promise.resolve(guest.sent.map((m) => m.draft.plan?.toDo)),
          (texts) => texts.includes(guest.toDo),
          `${guest.nickname}'s draft reached the room`,
          UI_TIMEOUT,
        );
        const last = guest.sent.at(-1);
        assert.equal(last?.cycle, 1);
        assert.equal(last?.draft.plan?.toDo, guest.toDo);
        assert.equal(last?.draft.plan?.completionCondition, '', 'a draft carries empty fields as empty');
      }
      assert.ok(
        jun.sent.length <= 2,
        `typing ${jun.toDo.length} keys sent ${jun.sent.length} drafts, not one per key: the room counts them against its rate limit`,
      );

      // The host submits, then moves on without the guests' plans, told that their drafts are kept.
      await answer(mina, { toDo: 'Grammar drill', completionCondition: 'Two pages' });
      await mina.getByRole('button', { name: en.submitPlan, exact: true }).click();
      await mina.locator('[data-testid="save-state"][data-state="saved"]').waitFor({ timeout: UI_TIMEOUT });
      await mina.getByRole('button', { name: en.roomNext.planning, exact: true }).click();
      const dialog = mina.getByRole('dialog', { name: en.confirmTitle });
      await dialog.waitFor({ timeout: UI_TIMEOUT });
      assert.deepEqual(await dialog.getByTestId('missing').getByRole('listitem').allTextContents(), ['jun', '소라']);
      assert.equal(await dialog.getByTestId('drafts-kept-note').textContent(), en.confirmDraftsKept);
      await dialog.getByRole('button', { name: en.confirmMoveOn, exact: true }).click();
      await expectRoomStep(mina, 'studying');

      // Each guest is told, in their language, and sees what they wrote as their plan.
      for (const guest of guests) {
        await expectStepIn(guest.page, 'studying');
        const notice = guest.page.getByTestId('draft-kept');
        await notice.filter({ hasText: guest.t.draftKept }).waitFor({ timeout: UI_TIMEOUT });
        assert.equal(await notice.getAttribute('role'), 'status');
        await guest.page.getByTestId('my-plan').waitFor({ timeout: UI_TIMEOUT });
        assert.equal((await shownAnswers(guest.page.getByTestId('my-plan'))).toDo, guest.toDo);
      }
      assert.equal(await mina.getByTestId('draft-kept').textContent(), '', 'the host submitted: nothing to tell her');
      await expectNoViolations(sora.page, 'a guest told their draft was kept');

      // The record keeps each guest's plan, marked not submitted, in their language; empty questions say not written.
      for (const guest of guests) {
        const { page, t } = guest;
        await page.goto(`${app.url}/study/${encodeURIComponent(studyId)}/records`, { timeout: 15_000 });
        const record = page
          .getByTestId('participant-record')
          .filter({ has: page.getByRole('heading', { level: 2, name: guest.nickname, exact: true }) });
        // The room writes kept drafts to D1 from its outbox just after moving on; a page that loaded before is reloaded.
        let loads = 0;
        await eventually(
          async () => {
            if (loads++ > 0) await page.reload({ timeout: 15_000 });
            await record.waitFor({ timeout: UI_TIMEOUT });
            return record.getByTestId('unsubmitted').count();
          },
          (count) => count === 1,
          `${guest.nickname}'s record shows the kept plan`,
          UI_TIMEOUT * 2,
        );
        const kept = record.getByTestId('unsubmitted');
        assert.equal(await kept.locator('.badge').textContent(), t.notSubmitted);
        const shown = await shownAnswers(kept);
        assert.equal(shown.toDo, guest.toDo);
        assert.equal(shown.completionCondition, t.notWritten);
      }
      // The host's submitted plan carries no mark.
      const minaRecord = sora.page
        .getByTestId('participant-record')
        .filter({ has: sora.page.getByRole('heading', { level: 2, name: /^mina/ }) });
      assert.equal(await minaRecord.getByTestId('unsubmitted').count(), 0);
      assert.equal((await shownAnswers(minaRecord.getByTestId('cycle-record'))).toDo, 'Grammar drill');
      await expectNoViolations(sora.page, 'a record with a plan kept as not submitted');
    } finally {
      for (const context of devices) await context.close();
    }
  });
});
