/**
 * Ending a solo study, in Chromium against a real `wrangler dev`: a study left
 * at "Time's up" for three days is ended from its page behind a confirm, shows
 * as ended (not finished) on the page and in the records with what was written
 * kept; and Home lists the studies in progress, to continue one or end
 * another, in Korean, keeping a plan that was filled in but never saved.
 * Time is moved, never waited for (harness `startWorldClock`).
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { Page } from 'playwright-core';
import { en } from '../../client/i18n/en.ts';
import { ko } from '../../client/i18n/ko.ts';
import { expectNoViolations } from './axe.ts';
import { newContext, startWorldClock, suiteForFile } from './harness.ts';
import {
  answer,
  createStudy,
  eventually,
  expectStep,
  expectTitle,
  open,
  pickNickname,
  shownAnswers,
  studyIdOf,
  submitPlan,
  UI_TIMEOUT,
} from './learner.ts';

const DAY = 24 * 60 * 60_000;
const START = Date.parse('2030-04-17T10:00:00+09:00');
const PLAN = { toDo: 'Read chapter 3', completionCondition: 'All exercises of 3.1 done' };

/** Resolves with the next `POST .../end` the page sends, once answered. */
const nextEnd = (page: Page) =>
  page.waitForResponse(
    (res) => res.request().method() === 'POST' && /\/api\/v1\/progress\/[^/]+\/end$/.test(res.url()),
    {
      timeout: UI_TIMEOUT,
    },
  );

describe('ending a solo study', { timeout: 200_000 }, () => {
  const suite = suiteForFile({ clock: true });

  test('a study left at "Time\'s up" for three days is ended from its page and shows as ended, its plan kept', {
    timeout: 90_000,
  }, async () => {
    const { app, browser } = suite();
    const context = await newContext(browser, { bypassCSP: true, reducedMotion: 'reduce' });
    try {
      const clock = await startWorldClock(context, app, START);
      const page = await context.newPage();
      const ends: string[] = [];
      page.on('request', (req) => void (/\/end$/.test(req.url()) && ends.push(req.method())));
      await open(page, app.url);
      await pickNickname(page, 'hana');
      const studyId = await createStudy(page, { name: 'Algebra', cycles: 2, minutes: 25, mode: 'solo' });
      await answer(page, PLAN);
      await submitPlan(page);

      // Three days later: still studying cycle 1 of 2, time long up.
      await clock.fastForward(3 * DAY);
      await expectTitle(page, new RegExp(`^${en.timeUpTitle} · Haru Study$`), 'the abandoned study says time is up');

      // While it is in progress, its records say the retrospect is not written "yet".
      const records = await context.newPage();
      try {
        await open(records, app.url, `/study/${encodeURIComponent(studyId)}/records`);
        const cycle = records.locator('[data-testid="cycle-record"][data-cycle="1"]');
        await cycle.getByText(en.notWrittenYet, { exact: true }).waitFor({ timeout: UI_TIMEOUT });
        assert.equal(await cycle.getByText(en.notWritten, { exact: true }).count(), 0);
      } finally {
        await records.close();
      }

      // "End study" asks first; "Keep it going" changes nothing and sends nothing.
      const endButton = page.getByRole('button', { name: en.endStudy, exact: true });
      await endButton.click();
      const dialog = page.getByRole('dialog', { name: en.endStudyTitle });
      await dialog.getByText(en.endStudyLead('Algebra'), { exact: true }).waitFor({ timeout: UI_TIMEOUT });
      await expectNoViolations(page, 'the end-study confirm');
      await dialog.getByRole('button', { name: en.endStudyCancel, exact: true }).click();
      await dialog.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
      await expectStep(page, 'studying');
      assert.deepEqual(ends, [], 'cancelling sends nothing');

      // Ending it: the page shows it ended in cycle 1 of 2, not "all cycles done", and no clock runs.
      await endButton.click();
      const ended = nextEnd(page);
      await dialog.getByRole('button', { name: en.endStudyConfirm, exact: true }).click();
      assert.equal((await ended).status(), 200);
      await page.getByRole('heading', { level: 2, name: en.endedTitle, exact: true }).waitFor({ timeout: UI_TIMEOUT });
      await page.getByText(en.endedLead(1, 2), { exact: true }).waitFor({ timeout: UI_TIMEOUT });
      assert.equal(await page.getByTestId('study-page').getAttribute('data-step'), 'done');
      assert.equal(await page.getByTestId('countdown').count(), 0, 'an ended study has no countdown');
      assert.equal(await endButton.count(), 0, 'an ended study cannot be ended again');
      await expectTitle(page, /^Algebra · Haru Study$/, 'the tab title no longer says time is up');
      await expectNoViolations(page, 'an ended solo study');

      // A reload shows the same: the server holds it.
      await page.reload({ timeout: 15_000 });
      await page.getByText(en.endedLead(1, 2), { exact: true }).waitFor({ timeout: UI_TIMEOUT });

      // The records: ended in cycle 1 of 2, the plan kept, the retrospect never written (and never will be).
      await page.getByRole('link', { name: en.seeRecords, exact: true }).click();
      await page.waitForURL(`**/study/${encodeURIComponent(studyId)}/records`, { timeout: UI_TIMEOUT });
      const record = page.getByTestId('participant-record');
      await record.getByText(en.endedIn(1, 2), { exact: true }).waitFor({ timeout: UI_TIMEOUT });
      const cycle = record.locator('[data-testid="cycle-record"][data-cycle="1"]');
      assert.deepEqual(await shownAnswers(cycle), PLAN, 'the plan is in the records');
      await cycle.getByText(en.notWritten, { exact: true }).waitFor({ timeout: UI_TIMEOUT });
      assert.equal(await record.getByText(en.notWrittenYet, { exact: true }).count(), 0, 'no "yet" once ended');

      // My records says the same; Home offers nothing to continue.
      await page.getByTestId('my-records-link').click();
      const item = page.locator(`[data-testid="record-item"][data-study-id="${studyId}"]`);
      await item.getByText(en.endedIn(1, 2), { exact: true }).waitFor({ timeout: UI_TIMEOUT });
      const listed = page.waitForResponse((res) => res.url().includes('/api/v1/me/records'), { timeout: UI_TIMEOUT });
      await page.getByTestId('home-link').click();
      await listed;
      await page.getByTestId('create-form').waitFor({ timeout: UI_TIMEOUT });
      await page.evaluate(() => new Promise((done) => requestAnimationFrame(() => requestAnimationFrame(done))));
      assert.equal(await page.getByTestId('open-studies').count(), 0, 'no study in progress is offered');
    } finally {
      await context.close();
    }
  });

  test('Home offers the studies in progress, in Korean: one is ended there with its unsaved plan kept, one continued', {
    timeout: 90_000,
  }, async () => {
    const { app, browser } = suite();
    const context = await newContext(browser, { locale: 'ko-KR', bypassCSP: true, reducedMotion: 'reduce' });
    try {
      const page = await context.newPage();
      await open(page, app.url);
      await page.getByLabel(ko.nickname, { exact: true }).fill('하나');
      await page.getByRole('button', { name: ko.nicknameSubmit, exact: true }).click();
      await page.getByRole('heading', { level: 1, name: ko.homeTitle('하나') }).waitFor({ timeout: UI_TIMEOUT });

      // Two solo studies over the API as this learner: one planning with a plan typed and not saved, one studying.
      const token = await page.evaluate(
        () => JSON.parse(localStorage.getItem('haru.identity') ?? '{}').token as string,
      );
      const create = async (name: string) => {
        const res = await fetch(`${app.url}/api/v1/studies`, {
          method: 'POST',
          headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
          body: JSON.stringify({ name, totalCycles: 2, minutesPerCycle: 25, mode: 'solo' }),
          signal: AbortSignal.timeout(5_000),
        });
        assert.equal(res.status, 201);
        return (await res.json()) as { study: { id: string }; me: { progressId: string } };
      };
      const left = await create('영어');
      const going = await create('수학');
      await open(page, app.url, `/study/${encodeURIComponent(left.study.id)}`);
      await page.getByLabel(ko.questions.toDo).fill(PLAN.toDo);
      await page.getByLabel(ko.questions.completionCondition).fill(PLAN.completionCondition);

      // Home lists both, newest first, each to continue or end.
      await page.getByTestId('home-link').click();
      const section = page.getByRole('region', { name: ko.openStudiesTitle });
      const items = section.getByTestId('open-study');
      await items.nth(1).waitFor({ timeout: UI_TIMEOUT });
      assert.deepEqual(await items.locator('h3').allTextContents(), ['수학', '영어']);
      const leftItem = section.locator(`[data-study-id="${left.study.id}"]`);
      assert.equal(await leftItem.locator('.meta').textContent(), ko.cycleAndStep(1, ko.stepNames.planning));
      await expectNoViolations(page, 'Home with studies in progress (Korean)');

      // Ending one from Home: it asks, in Korean, then the study leaves the list and the status says so.
      await leftItem.getByRole('button', { name: ko.endStudy, exact: true }).click();
      const dialog = page.getByRole('dialog', { name: ko.endStudyTitle });
      await dialog.getByText(ko.endStudyLead('영어'), { exact: true }).waitFor({ timeout: UI_TIMEOUT });
      const ended = nextEnd(page);
      await dialog.getByRole('button', { name: ko.endStudyConfirm, exact: true }).click();
      assert.equal((await ended).status(), 200);
      await page.getByTestId('open-studies-status').getByText(ko.studyEnded('영어')).waitFor({ timeout: UI_TIMEOUT });
      await leftItem.waitFor({ state: 'detached', timeout: UI_TIMEOUT });
      assert.equal(await items.count(), 1);
      await eventually(
        () => page.evaluate(() => document.activeElement?.id),
        (id) => id === 'open-studies-heading',
        'focus lands on the list, not on the page body',
      );

      // The plan filled in but never saved went to the records before the study ended.
      await open(page, app.url, `/study/${encodeURIComponent(left.study.id)}/records`);
      const record = page.getByTestId('participant-record');
      await record.getByText(ko.endedIn(1, 2), { exact: true }).waitFor({ timeout: UI_TIMEOUT });
      assert.deepEqual(await shownAnswers(record.locator('[data-testid="cycle-record"][data-cycle="1"]')), PLAN);
      await record.getByText(ko.notWritten, { exact: true }).waitFor({ timeout: UI_TIMEOUT });

      // The other continues where it was.
      await page.getByTestId('home-link').click();
      await section.getByRole('link', { name: ko.continueStudy('수학'), exact: true }).click();
      await page.waitForURL(/\/study\/[^/]+$/, { timeout: UI_TIMEOUT });
      assert.equal(studyIdOf(page), going.study.id);
      await page.locator('main[data-testid="study-page"][data-step="planning"]').waitFor({ timeout: UI_TIMEOUT });
      await page.getByRole('button', { name: ko.endStudy, exact: true }).waitFor({ timeout: UI_TIMEOUT });
    } finally {
      await context.close();
    }
  });
});
