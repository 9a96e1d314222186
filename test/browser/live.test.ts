/**
 * A live group study in Chromium (Release 2, issue 4): three learners on
 * three devices (three browser contexts, so three identities) in one room.
 * The host opens it and reads the code off the lobby; a mistyped code is
 * refused, the right one lets the others in, and everyone sees everyone
 * arrive. Through one cycle each page shows the others' states change as
 * they happen, without a reload; one learner drops offline, submits while
 * offline, comes back and reloads, and loses nothing; the host is asked to
 * confirm before moving on without everyone's answers; the room's own alarm
 * tells everyone time is up and moves nobody; at the end all three land on
 * the record page with everyone's answers. A second test hands the host role
 * on when the host stays offline. axe checks the lobby and live steps.
 *
 * Time: the pages' clocks (Playwright) and the worker's and room's clock
 * (test/browser/clock-worker) are moved together. A room sets its alarm on
 * the platform clock, which the test clock cannot move, so after a jump the
 * test rings the room's alarm (`POST /__test/rooms/:id/alarm`): the room's
 * real `alarm()` then decides by the moved clock, as it would at the deadline.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import type { BrowserContext, Page } from 'playwright-core';
import { en } from '../../client/i18n/en.ts';
import { API_LEVEL } from '../../shared/index.ts';
import { expectNoViolations } from './axe.ts';
import { newContext, type RunningApp, ringRoomAlarm, startWorldClock, suiteForFile } from './harness.ts';
import {
  type Answers,
  answer,
  createRoom,
  eventually,
  expectConnection,
  expectCountdown,
  expectParticipant,
  expectRoomStep,
  open,
  participant,
  pickNickname,
  shownAnswers,
  studyIdOf,
  submitJoin,
  UI_TIMEOUT,
} from './learner.ts';

const MINUTE = 60_000;

const MINA_PLAN = { toDo: 'Vocabulary list 12', completionCondition: 'I can say all 40 words' };
const MINA_RETRO = { doneAsExpected: 'Yes, 38 of 40', experiencedDifficulty: 'Irregular plurals' };
const JUN_PLAN = {
  toDo: 'Grammar drill on particles',
  completionCondition: 'Two pages without mistakes',
  whatCanYouDo: 'Phone away',
};
const JUN_RETRO = {
  doneAsExpected: 'One page only',
  experiencedDifficulty: 'Got distracted',
  lesson: 'Phone in the other room',
};
const SORA_PLAN = { toDo: 'Listening, episode 4', completionCondition: 'Transcript of the first 5 minutes' };
const SORA_RETRO = { doneAsExpected: 'Mostly', experiencedDifficulty: 'Fast speakers' };

/** Another six-letter code than `code`, so it names no study of this fresh database. */
function otherCode(code: string): string {
  return [...code].map((letter) => String.fromCharCode(((letter.charCodeAt(0) - 65 + 13) % 26) + 65)).join('');
}

/** A learner on a fresh device who picked `nickname`, on the home page. */
async function learner(device: BrowserContext, app: RunningApp, nickname: string): Promise<Page> {
  const page = await device.newPage();
  await open(page, app.url);
  await pickNickname(page, nickname);
  return page;
}

/** Joins the room with `code` from the home page; resolves in the lobby, live. */
async function joinRoom(page: Page, code: string, nickname: string): Promise<void> {
  await submitJoin(page, code, nickname);
  await page.waitForURL(/\/room\/[^/]+$/, { timeout: UI_TIMEOUT });
  await expectRoomStep(page, 'waiting');
  await expectConnection(page, 'live');
}

/** Submits the step's form and waits until the room acknowledged it ("Saved."). */
async function submitAndSave(page: Page, button: string): Promise<void> {
  await page.getByRole('button', { name: button, exact: true }).click();
  await expectSaveState(page, 'saved');
}

async function expectSaveState(page: Page, state: keyof typeof en.saveStates): Promise<void> {
  const status = page.locator(`[data-testid="save-state"][data-state="${state}"]`);
  await status.waitFor({ timeout: UI_TIMEOUT });
  assert.equal(await status.textContent(), en.saveStates[state]);
}

/** What the step's form fields hold now, by question. */
async function fieldValues(page: Page, answers: Answers): Promise<Answers> {
  const values: Answers = {};
  for (const question of Object.keys(answers) as (keyof Answers)[]) {
    values[question] = await page
      .getByLabel(en.questions[question], { exact: true })
      .inputValue({ timeout: UI_TIMEOUT });
  }
  return values;
}

/** Waits until focus is on the heading of the step that just appeared. */
async function expectFocusOnStepHeading(page: Page, title: string): Promise<void> {
  await eventually(
    () =>
      page.evaluate(() => ({ id: document.activeElement?.id ?? '', text: document.activeElement?.textContent ?? '' })),
    (now) => now.id === 'step-heading' && now.text === title,
    `focus should be on the "${title}" heading`,
  );
}

/**
 * The record page's participants, in order, each with the heading and the
 * answers of its one cycle. Answers reach D1 from the room's outbox right
 * after they are acknowledged; a page that loaded in between is reloaded.
 */
async function expectRecords(page: Page, expected: { heading: string; answers: Answers }[]): Promise<void> {
  let loads = 0;
  await eventually(
    async () => {
      if (loads++ > 0) await page.reload({ timeout: 15_000 });
      const records = page.getByTestId('participant-record');
      await records.nth(expected.length - 1).waitFor({ timeout: UI_TIMEOUT });
      const shown = [];
      for (let i = 0; i < (await records.count()); i++) {
        const record = records.nth(i);
        shown.push({
          heading: ((await record.getByRole('heading', { level: 2 }).textContent()) ?? '').trim(),
          answers: await shownAnswers(record.getByTestId('cycle-record')),
        });
      }
      return shown;
    },
    (shown) => JSON.stringify(shown) === JSON.stringify(expected),
    'the record page lists everyone with their answers',
    UI_TIMEOUT,
  );
}

describe('a live group study', { timeout: 240_000 }, () => {
  const suite = suiteForFile({ clock: true });

  /** A fresh device that can run axe (CSP bypassed; reduced motion, so colours are checked at rest). */
  const device = (): Promise<BrowserContext> => {
    const running = suite();
    return newContext(running.browser, { bypassCSP: true, reducedMotion: 'reduce' });
  };

  test('three learners: lobby, live states, offline and back with nothing lost, confirm, time up, records', {
    timeout: 150_000,
  }, async () => {
    const running = suite();
    const { app } = running;
    const [minaDevice, junDevice, soraDevice, lateDevice] = [
      await device(),
      await device(),
      await device(),
      await device(),
    ];
    const all = [minaDevice, junDevice, soraDevice, lateDevice];
    try {
      // One time for everyone: the host's world clock moves the server; the others' pages follow.
      const start = Date.now();
      const world = await startWorldClock(minaDevice, app, start);
      for (const other of all.slice(1)) await other.clock.install({ time: start });
      const fastForward = async (ms: number) => {
        await world.fastForward(ms);
        await Promise.all(all.slice(1).map((other) => other.clock.fastForward(ms)));
      };

      // The host opens a live group study and reads the code off the lobby.
      const mina = await learner(minaDevice, app, 'mina');
      const studyId = await createRoom(mina, { name: 'Korean', cycles: 1, minutes: 25 });
      const code = ((await mina.getByTestId('study-code').textContent()) ?? '').trim();
      assert.match(code, /^[A-Z]{6}$/, 'the lobby shows a 6-letter code');
      assert.equal(await mina.getByTestId('lobby-lead').textContent(), en.lobbyHostLead);
      await expectParticipant(mina, 'mina', { activity: 'waiting', online: true });

      // jun first mistypes the code: a clear message, no room. Then joins (lower case is fine).
      const jun = await learner(junDevice, app, 'jun');
      await submitJoin(jun, otherCode(code), 'jun');
      const error = jun.getByTestId('join-form-error');
      await error.waitFor({ timeout: UI_TIMEOUT });
      assert.equal(await error.getAttribute('role'), 'alert');
      assert.equal(await error.textContent(), en.apiErrors.study_not_found);
      await joinRoom(jun, code.toLowerCase(), 'jun');
      assert.equal(studyIdOf(jun), studyId, "jun joined mina's room");
      assert.equal(await jun.getByTestId('lobby-lead').textContent(), en.lobbyGuestLead);
      assert.equal(await jun.getByRole('button', { name: en.startRoom }).count(), 0, 'only the host can start');
      // mina sees jun arrive without reloading.
      await expectParticipant(mina, 'jun', { activity: 'waiting', online: true });

      const sora = await learner(soraDevice, app, 'sora');
      await joinRoom(sora, code, 'sora');
      await expectParticipant(mina, 'sora', { online: true });
      await expectParticipant(jun, 'sora', { online: true });
      assert.equal(await mina.getByRole('heading', { name: en.participants(3) }).count(), 1);
      await expectNoViolations(mina, "the host's lobby with three learners");
      await expectNoViolations(jun, "a guest's lobby");

      // The host starts: everyone is planning cycle 1 with the room's 10-minute deadline; focus follows.
      await mina.getByRole('button', { name: en.startRoom, exact: true }).click();
      for (const page of [mina, jun, sora]) {
        await expectRoomStep(page, 'planning');
        await expectCountdown(page, '09:50', '10:00', 'planning just started');
      }
      await expectFocusOnStepHeading(jun, en.stepTitles.planning);

      // A late learner cannot join a room that has started.
      const late = await learner(lateDevice, app, 'late');
      await submitJoin(late, code, 'late');
      await late.getByTestId('join-form-error').waitFor({ timeout: UI_TIMEOUT });
      assert.equal(await late.getByTestId('join-form-error').textContent(), en.apiErrors.study_started);

      // jun submits a plan: "Saved." only once the room acknowledged it; the others see it live.
      await expectParticipant(mina, 'jun', { activity: 'writingPlan' });
      await jun.getByText(en.planMore).click();
      await answer(jun, JUN_PLAN);
      await submitAndSave(jun, en.submitPlan);
      await expectParticipant(mina, 'jun', { activity: 'planSubmitted', online: true });
      await expectParticipant(sora, 'jun', { activity: 'planSubmitted' });
      await expectNoViolations(mina, 'a live planning step (host)');

      // sora drops offline: the others see it; what sora submits now waits for the line.
      await soraDevice.setOffline(true);
      await expectConnection(sora, 'offline');
      await expectParticipant(mina, 'sora', { online: false, activity: 'writingPlan' });
      await answer(sora, SORA_PLAN);
      await sora.getByRole('button', { name: en.submitPlan, exact: true }).click();
      await expectSaveState(sora, 'queued');

      // mina plans too and wants to move on: the room is missing sora's plan, so mina is asked.
      await answer(mina, MINA_PLAN);
      await submitAndSave(mina, en.submitPlan);
      await mina.getByRole('button', { name: en.roomNext.planning, exact: true }).click();
      const dialog = mina.getByRole('dialog', { name: en.confirmTitle });
      await dialog.waitFor({ timeout: UI_TIMEOUT });
      assert.deepEqual(await dialog.getByTestId('missing').getByRole('listitem').allTextContents(), ['sora']);
      await expectNoViolations(mina, 'the host asked to confirm');
      await dialog.getByRole('button', { name: en.confirmWait }).click();
      await dialog.waitFor({ state: 'hidden', timeout: UI_TIMEOUT });
      assert.equal(await mina.getByTestId('room-page').getAttribute('data-step'), 'planning', 'waiting moved nobody');

      // sora is back: the line reconnects, the plan goes out and is acknowledged, and everyone sees it.
      await soraDevice.setOffline(false);
      await expectConnection(sora, 'live');
      await expectSaveState(sora, 'saved');
      await expectParticipant(mina, 'sora', { online: true, activity: 'planSubmitted' });
      await expectParticipant(jun, 'sora', { online: true, activity: 'planSubmitted' });
      // A reload loses nothing either: the plan, its saved state and the room come back.
      await sora.reload({ timeout: 15_000 });
      await expectRoomStep(sora, 'planning');
      await expectConnection(sora, 'live');
      assert.deepEqual(await fieldValues(sora, SORA_PLAN), SORA_PLAN, "sora's plan is still in the form");
      await expectSaveState(sora, 'saved');
      await expectParticipant(sora, 'jun', { activity: 'planSubmitted' });
      await expectParticipant(mina, 'sora', { online: true, activity: 'planSubmitted' });

      // Everyone has a plan: the host moves on without being asked, and everyone is studying.
      await mina.getByRole('button', { name: en.roomNext.planning, exact: true }).click();
      for (const page of [mina, jun, sora]) {
        await expectRoomStep(page, 'studying');
        await expectCountdown(page, '24:50', '25:00', 'studying just started');
        await expectParticipant(page, 'sora', { activity: 'studying' });
      }
      assert.equal(await mina.getByRole('dialog').count(), 0, 'no question when everyone submitted');
      assert.deepEqual(
        await shownAnswers(sora.getByTestId('my-plan')),
        SORA_PLAN,
        'sora sees the plan sent while offline',
      );
      assert.deepEqual(await shownAnswers(jun.getByTestId('my-plan')), JUN_PLAN);
      await expectNoViolations(jun, 'a live studying step (guest)');

      // 25 minutes later the room's alarm says time is up: everyone hears it, nobody moves.
      await fastForward(25 * MINUTE + 1_000);
      await ringRoomAlarm(app, studyId);
      for (const page of [mina, jun, sora]) {
        await page.locator('main[data-room-time-up="true"][data-time-up="true"]').waitFor({ timeout: UI_TIMEOUT });
        assert.equal(await page.getByTestId('time-up').textContent(), en.roomTimeUpNote);
        assert.equal(await page.getByTestId('room-page').getAttribute('data-step'), 'studying', 'time up moves nobody');
      }
      await expectNoViolations(mina, "a live studying step when time's up (host)");

      // The host moves everyone to the retrospect; mina and jun look back.
      await mina.getByRole('button', { name: en.roomNext.studying, exact: true }).click();
      for (const page of [mina, jun, sora]) await expectRoomStep(page, 'retrospect');
      await answer(mina, MINA_RETRO);
      await submitAndSave(mina, en.submitRetrospect);
      await answer(jun, JUN_RETRO);
      await submitAndSave(jun, en.submitRetrospect);
      await expectParticipant(mina, 'jun', { activity: 'retrospectSubmitted' });

      // mina wants to finish while sora still writes; sora submits while mina is asked; mina confirms.
      await mina.getByRole('button', { name: en.roomNext.last, exact: true }).click();
      await dialog.waitFor({ timeout: UI_TIMEOUT });
      assert.deepEqual(await dialog.getByTestId('missing').getByRole('listitem').allTextContents(), ['sora']);
      await answer(sora, SORA_RETRO);
      await submitAndSave(sora, en.submitRetrospect);
      await dialog.getByText(en.confirmEveryoneNow).waitFor({ timeout: UI_TIMEOUT });
      await dialog.getByRole('button', { name: en.confirmMoveOnAll, exact: true }).click();

      // Done: everyone lands on the record page, with everyone's answers.
      const expected = [
        { heading: `mina ${en.host}`, answers: { ...MINA_PLAN, ...MINA_RETRO } },
        { heading: 'jun', answers: { ...JUN_PLAN, ...JUN_RETRO } },
        { heading: 'sora', answers: { ...SORA_PLAN, ...SORA_RETRO } },
      ];
      for (const page of [mina, jun, sora]) {
        await page.waitForURL(`**/study/${encodeURIComponent(studyId)}/records`, { timeout: UI_TIMEOUT });
        await expectRecords(page, expected);
      }
    } finally {
      for (const each of all) await each.close();
    }
  });

  test('a host who stays offline hands the role on; the new host moves the group', { timeout: 90_000 }, async () => {
    const running = suite();
    const { app } = running;
    const [minaDevice, junDevice] = [await device(), await device()];
    try {
      const start = Date.now();
      const world = await startWorldClock(minaDevice, app, start);
      await junDevice.clock.install({ time: start });
      const mina = await learner(minaDevice, app, 'mina');
      const studyId = await createRoom(mina, { name: 'Math', cycles: 1, minutes: 25 });
      const code = ((await mina.getByTestId('study-code').textContent()) ?? '').trim();
      const jun = await learner(junDevice, app, 'jun');
      await joinRoom(jun, code, 'jun');
      await mina.getByRole('button', { name: en.startRoom, exact: true }).click();
      await expectRoomStep(jun, 'planning');
      assert.equal(await jun.getByTestId('guest-hint').textContent(), en.guestHint);

      // mina goes offline for longer than the grace period: the room hands the role to jun.
      await minaDevice.setOffline(true);
      await expectParticipant(jun, 'mina', { online: false });
      await world.fastForward(2 * MINUTE);
      await junDevice.clock.fastForward(2 * MINUTE);
      await ringRoomAlarm(app, studyId);
      await jun.locator('main[data-host="true"]').waitFor({ timeout: UI_TIMEOUT });
      await eventually(
        () => jun.getByTestId('room-announcement').textContent(),
        (text) => text === en.announce.youHost,
        'jun is told',
      );
      assert.equal(
        await participant(jun, 'jun').getByText(en.host, { exact: true }).count(),
        1,
        'the list names jun as host',
      );
      assert.equal(await participant(jun, 'mina').getByText(en.host, { exact: true }).count(), 0);

      // mina comes back as a participant; jun moves the group on (mina has no plan, so jun confirms).
      await minaDevice.setOffline(false);
      await expectConnection(mina, 'live');
      await mina.locator('main[data-host="false"]').waitFor({ timeout: UI_TIMEOUT });
      assert.equal(await mina.getByTestId('guest-hint').textContent(), en.guestHint);
      await answer(jun, { toDo: 'Chapter 3', completionCondition: 'Exercises done' });
      await submitAndSave(jun, en.submitPlan);
      await jun.getByRole('button', { name: en.roomNext.planning, exact: true }).click();
      const dialog = jun.getByRole('dialog', { name: en.confirmTitle });
      await dialog.waitFor({ timeout: UI_TIMEOUT });
      assert.deepEqual(await dialog.getByTestId('missing').getByRole('listitem').allTextContents(), ['mina']);
      await dialog.getByRole('button', { name: en.confirmMoveOn, exact: true }).click();
      for (const page of [mina, jun]) await expectRoomStep(page, 'studying');
    } finally {
      await minaDevice.close();
      await junDevice.close();
    }
  });

  test('the line, against a scripted room: subprotocols, resync on a gap, old and bad messages ignored, keep-alive, reconnect and resume, 4409', {
    timeout: 60_000,
  }, async () => {
    const running = suite();
    const { app } = running;
    const minaDevice = await device();
    try {
      await minaDevice.clock.install({ time: Date.now() });
      const mina = await learner(minaDevice, app, 'mina');
      const studyId = await createRoom(mina, { name: 'Real', cycles: 1, minutes: 25 });
      // From here on the page's socket talks to this script instead of the room.
      const lines: {
        url: string;
        protocols: string[];
        received: string[];
        send: (message: unknown) => void;
        close: (code: number, reason: string) => Promise<void>;
      }[] = [];
      await mina.routeWebSocket(/\/socket/, (ws) => {
        const received: string[] = [];
        ws.onMessage((message) => void received.push(String(message)));
        lines.push({
          url: ws.url(),
          protocols: ws.protocols(),
          received,
          send: (message) => ws.send(typeof message === 'string' ? message : JSON.stringify(message)),
          close: (code, reason) => ws.close({ code, reason }),
        });
      });
      const me = { id: 'p-mina', nickname: 'mina', isHost: true, online: true, submitted: false };
      const state = {
        studyId,
        name: 'Scripted',
        totalCycles: 1,
        minutesPerCycle: 25,
        code: 'ABCDEF',
        step: 'waiting',
        cycle: 1,
        deadline: null,
        participants: [me],
      };
      const snapshot = (seq: number, participants: object[]) => ({
        type: 'snapshot',
        seq,
        you: me.id,
        state: { ...state, participants },
        serverNow: Date.now(),
      });
      const joined = (seq: number, nickname: string) => ({
        type: 'event',
        seq,
        event: {
          kind: 'joined',
          participant: { id: `p-${nickname}`, nickname, isHost: false, online: false, submitted: false },
        },
      });
      const line = async (n: number) => {
        const found = await eventually(
          async () => lines[n],
          (opened) => opened !== undefined,
          `connection ${n + 1} opened`,
          UI_TIMEOUT,
        );
        assert.ok(found);
        return found;
      };
      const received = (n: number, text: string) =>
        eventually(
          async () => lines[n]?.received ?? [],
          (messages) => messages.includes(text),
          `the page sent ${text} on connection ${n + 1}`,
        );
      const names = () =>
        mina
          .getByTestId('participant')
          .evaluateAll((items) => items.map((item) => item.getAttribute('data-participant')));

      await mina.reload({ timeout: 15_000 });
      const first = await line(0);
      assert.equal(first.protocols[0], `haru.${API_LEVEL}`, 'the API level goes as the first subprotocol');
      assert.match(
        first.protocols[1] ?? '',
        /^haru-token\.[0-9a-f-]{36}\.\d+\.[\w-]+$/,
        'the guest token goes as a subprotocol',
      );

      // Events before the snapshot are ignored; the snapshot is the room.
      first.send(joined(4, 'early'));
      first.send(snapshot(5, [me]));
      await mina.getByRole('heading', { level: 1, name: 'Scripted' }).waitFor({ timeout: UI_TIMEOUT });
      await expectConnection(mina, 'live');
      // A gap (6 is missing): the page asks for a snapshot and applies nothing until it comes.
      first.send(joined(7, 'gap'));
      await received(0, JSON.stringify({ type: 'sync' }));
      first.send(snapshot(7, [me, { ...me, id: 'p-kai', nickname: 'kai', isHost: false }]));
      // Old news, bad messages and unknown shapes break nothing and change nothing.
      first.send(joined(6, 'old'));
      first.send('not json');
      first.send({ type: 'event', seq: 8, event: { kind: 'confetti' } });
      first.send({ type: 'snapshot', seq: 8, you: me.id, state: { name: 'broken' }, serverNow: 0 });
      first.send(joined(8, 'ria'));
      await eventually(
        names,
        (shown) => JSON.stringify(shown) === JSON.stringify(['mina', 'kai', 'ria']),
        'the list is mina, kai, ria',
      );

      // Keep-alive: a ping every 30 s; silence after one means a dead line: the page reconnects.
      await minaDevice.clock.fastForward(30_000);
      await received(0, 'ping');
      first.send('pong');
      await minaDevice.clock.fastForward(30_000);
      await eventually(
        async () => first.received.filter((m) => m === 'ping').length,
        (pings) => pings === 2,
        'a second ping',
      );
      await minaDevice.clock.fastForward(11_000);
      await expectConnection(mina, 'reconnecting');
      const second = await line(1);
      // Back with the number its copy is at; a resume (who is online, in the list's order) stands for the snapshot.
      assert.doesNotMatch(first.url, /since=/, 'a first connect has nothing to resume');
      assert.match(second.url, /[?&]since=8(&|$)/);
      second.send({ type: 'resume', seq: 8, you: me.id, serverNow: Date.now(), online: '100', handoverAt: null });
      await expectConnection(mina, 'live');
      assert.deepEqual(await names(), ['mina', 'kai', 'ria']);
      await expectParticipant(mina, 'kai', { online: false });
      await expectParticipant(mina, 'mina', { online: true });

      // The room restarting (4503) is a drop like any other: back with backoff, resynced.
      await second.close(4503, 'restart');
      await minaDevice.clock.fastForward(1_000);
      const third = await line(2);
      third.send(snapshot(9, [me]));
      await expectConnection(mina, 'live');

      // 4409: the calm notice, and no reconnecting (the loop guard keeps the page from reloading under the test).
      await mina.evaluate(() => sessionStorage.setItem('haru.compatReloadAt', String(Date.now())));
      await third.close(4409, 'client_outdated');
      await mina.getByTestId('update-notice').waitFor({ timeout: UI_TIMEOUT });
      await expectConnection(mina, 'closed');
      await minaDevice.clock.fastForward(60_000);
      assert.equal(lines.length, 3, 'no reconnect after 4409');
      assert.equal(
        await mina.getByRole('heading', { level: 1, name: 'Scripted' }).count(),
        1,
        'the room stays on screen under the notice',
      );
    } finally {
      await minaDevice.close();
    }
  });
});
