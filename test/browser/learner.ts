/**
 * What a learner does in the app, said with the page's roles and labels in
 * the English catalog's words, so each test reads as the learner's story and
 * a reworded label changes one place. Every wait is bounded.
 */
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Locator, Page } from 'playwright-core';
import { type Catalog, en } from '../../client/i18n/en.ts';

/** How long the UI may take to show what a click or a load leads to. */
export const UI_TIMEOUT = 10_000;

export type Step = 'planning' | 'studying' | 'retrospect' | 'done';
type Question = keyof typeof en.questions;
/** Answers by question, e.g. `{ toDo: '...', completionCondition: '...' }`. */
export type Answers = Partial<Record<Question, string>>;

/** Opens `path` of the app and waits for the page to be there. */
export async function open(page: Page, url: string, path = '/'): Promise<void> {
  await page.goto(`${url}${path}`, { timeout: 15_000 });
  await page.locator('main#main').waitFor({ timeout: UI_TIMEOUT });
}

/** A new learner picks a nickname, on a page in the language of `t`; resolves on their home page. */
export async function pickNickname(page: Page, nickname: string, t: Catalog = en): Promise<void> {
  await page.getByLabel(t.nickname, { exact: true }).fill(nickname);
  await page.getByRole('button', { name: t.nicknameSubmit, exact: true }).click();
  await page.getByRole('heading', { level: 1, name: t.homeTitle(nickname) }).waitFor({ timeout: UI_TIMEOUT });
}

/** The study id in the page's path (`/study/:id`, `/study/:id/records` or `/room/:id`). */
export function studyIdOf(page: Page): string {
  const id = /^\/(?:study|room)\/([^/]+)/.exec(new URL(page.url()).pathname)?.[1];
  assert.ok(id, `${page.url()} is a study page`);
  return decodeURIComponent(id);
}

/** Fills the home page's "start a study" form and submits it. */
async function submitCreate(
  page: Page,
  study: { name: string; cycles: number; minutes: number; mode: 'solo' | 'group' },
): Promise<void> {
  const form = page.getByTestId('create-form');
  await form.getByRole('radio', { name: study.mode === 'solo' ? en.modeSolo : en.modeGroup }).check();
  await form.getByLabel(en.studyName, { exact: true }).fill(study.name);
  await form.getByLabel(en.cycles, { exact: true }).selectOption({ label: en.cyclesOption(study.cycles) });
  await form.getByLabel(en.minutesPerCycle, { exact: true }).selectOption({ label: en.minutesOption(study.minutes) });
  await form.getByRole('button', { name: en.createSubmit, exact: true }).click();
}

/** Starts a solo study from the home page; resolves with its id once its planning step shows. (Group studies: `createRoom`.) */
export async function createStudy(
  page: Page,
  study: { name: string; cycles: number; minutes: number; mode: 'solo' },
): Promise<string> {
  await submitCreate(page, study);
  await page.waitForURL(/\/study\/[^/]+$/, { timeout: UI_TIMEOUT });
  await expectStep(page, 'planning');
  return studyIdOf(page);
}

/** Opens a live group study from the home page; resolves with its id once its lobby is live. */
export async function createRoom(
  page: Page,
  study: { name: string; cycles: number; minutes: number },
): Promise<string> {
  await submitCreate(page, { ...study, mode: 'group' });
  await page.waitForURL(/\/room\/[^/]+$/, { timeout: UI_TIMEOUT });
  await page.getByRole('heading', { level: 2, name: en.lobbyTitle }).waitFor({ timeout: UI_TIMEOUT });
  await expectConnection(page, 'live');
  return studyIdOf(page);
}

/** Waits until the room page says its line to the room is `state` (`live`, `offline`...). */
export async function expectConnection(page: Page, state: keyof typeof en.connectionStates): Promise<void> {
  await page.locator(`[data-testid="connection"][data-state="${state}"]`).waitFor({ timeout: UI_TIMEOUT });
}

/** Joins the group study with `code` through its invite link, in any language; resolves in its lobby, live. */
export async function joinByLink(page: Page, url: string, code: string): Promise<void> {
  await page.goto(`${url}/join/${code}`, { timeout: 15_000 });
  await page.waitForURL(/\/room\/[^/]+$/, { timeout: UI_TIMEOUT });
  await page.locator('main[data-testid="room-page"][data-step="waiting"]').waitFor({ timeout: UI_TIMEOUT });
  await expectConnection(page, 'live');
}

/** Waits until the room page shows `step` (with its heading, except for the lobby). */
export async function expectRoomStep(page: Page, step: Exclude<Step, 'done'> | 'waiting'): Promise<void> {
  await page.locator(`main[data-testid="room-page"][data-step="${step}"]`).waitFor({ timeout: UI_TIMEOUT });
  const title = step === 'waiting' ? en.lobbyTitle : en.stepTitles[step];
  await page.getByRole('heading', { level: 2, name: title, exact: true }).waitFor({ timeout: UI_TIMEOUT });
}

/** The room page's participant list entry of `nickname`. */
export function participant(page: Page, nickname: string): Locator {
  return page.locator(`[data-testid="participant"][data-participant="${nickname}"]`);
}

/**
 * Waits until the room page shows `nickname` doing `activity` (e.g. `planSubmitted`)
 * and, when given, `online` or not: what the list says, in the catalog's words.
 */
export async function expectParticipant(
  page: Page,
  nickname: string,
  expected: { activity?: keyof typeof en.activity; online?: boolean },
): Promise<void> {
  const entry = participant(page, nickname);
  const shown = async () => ({
    activity: await entry.getByTestId('activity').textContent({ timeout: UI_TIMEOUT }),
    presence: await entry.getByTestId('presence').textContent({ timeout: UI_TIMEOUT }),
  });
  await eventually(
    shown,
    (now) =>
      (expected.activity === undefined || now.activity === en.activity[expected.activity]) &&
      (expected.online === undefined || now.presence === (expected.online ? en.online : en.offline)),
    `${nickname} shows as ${JSON.stringify(expected)}`,
    UI_TIMEOUT,
  );
}

/** Fills the join form (code and nickname) and submits it. */
export async function submitJoin(page: Page, code: string, nickname: string): Promise<void> {
  const form = page.getByTestId('join-form');
  await form.getByLabel(en.joinCode, { exact: true }).fill(code);
  await form.getByLabel(en.joinNickname, { exact: true }).fill(nickname);
  await form.getByRole('button', { name: en.joinSubmit, exact: true }).click();
}

/** Waits until the study page shows `step`: the page says so, and so does the step's heading. */
export async function expectStep(page: Page, step: Step): Promise<void> {
  await page.locator(`main[data-testid="study-page"][data-step="${step}"]`).waitFor({ timeout: UI_TIMEOUT });
  await page
    .getByRole('heading', { level: 2, name: en.stepTitles[step], exact: true })
    .waitFor({ timeout: UI_TIMEOUT });
}

/** The step the study page shows now (no waiting). */
export async function currentStep(page: Page): Promise<string | null> {
  return page.getByTestId('study-page').getAttribute('data-step', { timeout: UI_TIMEOUT });
}

/** Types answers into the questions of the step's form, by their labels in the language of `t`. */
export async function answer(page: Page, answers: Answers, t: Catalog = en): Promise<void> {
  for (const [question, text] of Object.entries(answers)) {
    await page.getByLabel(t.questions[question as Question]).fill(text);
  }
}

/** Saves the plan and moves on: resolves on the studying step. */
export async function submitPlan(page: Page): Promise<void> {
  await page.getByRole('button', { name: en.startStudying, exact: true }).click();
  await expectStep(page, 'studying');
}

/** Ends studying: resolves on the retrospect step. */
export async function finishStudying(page: Page): Promise<void> {
  await page.getByRole('button', { name: en.finishStudying, exact: true }).click();
  await expectStep(page, 'retrospect');
}

/** Saves the retrospect and moves on to `next` (the next cycle's planning, or done). */
export async function submitRetrospect(page: Page, next: Step = 'done'): Promise<void> {
  await page.getByRole('button', { name: en.finishRetrospect, exact: true }).click();
  await expectStep(page, next);
}

/** The answers shown in `scope` (a plan, a retrospect or a cycle on a record page), by question. */
export function shownAnswers(scope: Locator): Promise<Record<string, string>> {
  return scope
    .locator('[data-field]')
    .evaluateAll((items) =>
      Object.fromEntries(
        items.map((item) => [item.getAttribute('data-field') ?? '', item.querySelector('dd')?.textContent ?? '']),
      ),
    );
}

/** Seconds on a `mm:ss` display. */
function seconds(text: string | null): number | null {
  const match = /^(\d+):(\d\d)$/.exec(text?.trim() ?? '');
  return match ? Number(match[1]) * 60 + Number(match[2]) : null;
}

/**
 * Polls `read` from Node (not in the page, whose timers may be faked) until
 * `ok` holds, then returns the value; fails with `what` and the last value.
 */
export async function eventually<T>(
  read: () => Promise<T>,
  ok: (value: T) => boolean,
  what: string,
  timeoutMs = 5_000,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (!ok(value)) {
    if (Date.now() > deadline) assert.fail(`${what}; last seen: ${JSON.stringify(value)}`);
    await sleep(100);
    value = await read();
  }
  return value;
}

/**
 * Waits until the step's countdown shows between `min` and `max` (`mm:ss`),
 * and returns the text it showed.
 */
export async function expectCountdown(page: Page, min: string, max: string, why: string): Promise<string> {
  const [low, high] = [seconds(min), seconds(max)];
  assert.ok(low !== null && high !== null);
  const countdown = page.getByTestId('countdown');
  await countdown.waitFor({ timeout: UI_TIMEOUT });
  const text = await eventually(
    () => countdown.textContent(),
    (shown) => {
      const s = seconds(shown);
      return s !== null && s >= low && s <= high;
    },
    `${why}: the countdown should show ${min}-${max}`,
  );
  return text ?? '';
}

/** Waits until the tab title matches `expected`. */
export function expectTitle(page: Page, expected: RegExp, why: string): Promise<string> {
  return eventually(
    () => page.title(),
    (title) => expected.test(title),
    `${why}: the tab title should match ${expected}`,
  );
}
