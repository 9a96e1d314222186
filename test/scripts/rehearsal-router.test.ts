/**
 * The rehearsal's router and room host in workerd, with requests and a
 * socket in hand: this working tree as both versions behind it (both have the
 * room class).
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../../scripts/lib/dev-server.ts';
import { readMigrationFiles } from '../../scripts/lib/migration-files.ts';
import { ROOT } from '../../scripts/lib/paths.ts';
import { releaseCommit } from '../../scripts/lib/releases.ts';
import { bucketOf, roomSide, sideFor } from '../../scripts/rehearsal/split.ts';
import { type Stage, startStage } from '../../scripts/rehearsal/stage.ts';

const KEY = 'Cloudflare-Workers-Version-Key';

/** Which version answered (the router says so on every answer). */
async function sideOf(stage: Stage, path: string, headers: Record<string, string> = {}): Promise<string | null> {
  const res = await fetch(`${stage.url}${path}`, { headers, signal: AbortSignal.timeout(10_000) });
  await res.body?.cancel();
  return res.headers.get('X-Rehearsal-Side');
}

/** Opens a room socket through the router; resolves with how it closes once `ready` ran after the snapshot. */
function roomSocket(
  stage: Stage,
  studyId: string,
  token: string,
  ready: (socket: WebSocket) => void,
): Promise<{ code: number; snapshot: boolean }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${stage.url.replace('http', 'ws')}/api/v2/studies/${studyId}/socket`, [
      'haru.2',
      `haru-token.${token}`,
    ]);
    let snapshot = false;
    socket.addEventListener('message', (event) => {
      if ((JSON.parse(String(event.data)) as { type: string }).type === 'snapshot' && !snapshot) {
        snapshot = true;
        ready(socket);
      }
    });
    socket.addEventListener('close', (event) => resolve({ code: event.code, snapshot }));
  });
}

/** A new member and the live room they open (through whichever version serves `key`). */
async function openRoom(
  stage: Stage,
  key: string,
): Promise<{ studyId: string; token: string; auth: Record<string, string> }> {
  const json = { 'Content-Type': 'application/json', 'X-Haru-Api': '2', [KEY]: key };
  const member = (await (
    await fetch(`${stage.url}/api/v1/members`, {
      method: 'POST',
      headers: json,
      body: JSON.stringify({ nickname: 'router' }),
    })
  ).json()) as { token: string };
  const auth = { ...json, Authorization: `Bearer ${member.token}` };
  const opened = await fetch(`${stage.url}/api/v2/studies`, {
    method: 'POST',
    headers: auth,
    body: JSON.stringify({ name: 'host', totalCycles: 1, minutesPerCycle: 20 }),
  });
  assert.equal(opened.status, 201);
  return {
    studyId: ((await opened.json()) as { state: { studyId: string } }).state.studyId,
    token: member.token,
    auth,
  };
}

describe('rehearsal router', () => {
  let stage: Stage;
  before(async () => {
    stage = await startStage({ from: '.', to: '.', port: await freePort(), log: () => {} });
  });
  after(() => stage?.stop());

  it('applies a migration once: the second version finds the same names already in the ledger', async () => {
    const all = readMigrationFiles(join(ROOT, 'migrations')).map((file) => file.name);
    assert.ok(all.includes('0001_v1_schema.sql'));
    assert.deepEqual(await stage.migrate('old'), all);
    assert.deepEqual(await stage.migrate('new'), []);
  });

  it('refuses the control API without the run token', async () => {
    for (const headers of [{}, { 'X-Rehearsal-Token': 'guess' }]) {
      const res = await fetch(`${stage.url}/__rehearsal/deploy`, {
        method: 'POST',
        headers,
        body: JSON.stringify({ newPercent: 100 }),
      });
      assert.equal(res.status, 401);
      assert.deepEqual(await res.json(), { error: 'unauthorized' });
    }
    assert.equal(await sideOf(stage, '/api/version'), 'old', 'the deployment did not move');
  });

  it('sends a version key to the side its hash picks, every time, and keyless requests to both sides', async () => {
    const { deployment } = await stage.deploy(50);
    // Each answer names the deployment that routed it, so a run counts it in the right step.
    const answer = await fetch(`${stage.url}/api/version`, { signal: AbortSignal.timeout(10_000) });
    await answer.body?.cancel();
    assert.equal(answer.headers.get('X-Rehearsal-Deployment'), String(deployment));
    assert.ok(deployment > stage.firstDeployment);
    const keys = Array.from({ length: 12 }, (_, i) => `learner-${i}`);
    for (const key of keys) {
      const expected = sideFor(bucketOf(key), 50);
      assert.equal(await sideOf(stage, '/api/version', { [KEY]: key }), expected, key);
      assert.equal(await sideOf(stage, '/api/version', { [KEY]: key }), expected, `${key} again`);
    }
    const sides = new Set<string | null>();
    for (let i = 0; i < 40; i++) sides.add(await sideOf(stage, '/api/version'));
    assert.deepEqual([...sides].sort(), ['new', 'old']);
    assert.equal((await stage.deploy(0)).deployment, deployment + 1);
    assert.equal(await sideOf(stage, '/api/version', { [KEY]: keys[0] as string }), 'old');
  });

  it('sends a room request by its key, so a worker meets a room object of the other version, which answers from the same storage', async () => {
    await stage.deploy(100);
    const { studyId, auth } = await openRoom(stage, 'learner-0');
    const { deployment } = await stage.deploy(50);
    const objectSide = roomSide(studyId, 50, stage.hasRooms);
    const keys = Array.from({ length: 12 }, (_, i) => `learner-${i}`);
    for (const workerSide of ['old', 'new'] as const) {
      const key = keys.find((k) => sideFor(bucketOf(k), 50) === workerSide) as string;
      const res = await fetch(`${stage.url}/api/v2/studies/${studyId}`, {
        headers: { ...auth, [KEY]: key },
        signal: AbortSignal.timeout(10_000),
      });
      assert.equal(res.status, 200, `${workerSide} worker, ${objectSide} object: ${await res.text()}`);
      assert.deepEqual(
        [res.headers.get('X-Rehearsal-Side'), res.headers.get('X-Rehearsal-Room-Side')],
        [workerSide, objectSide],
      );
    }
    const met = (await stage.meetings())[deployment];
    assert.deepEqual(
      met,
      { [`old>${objectSide}`]: 1, [`new>${objectSide}`]: 1 },
      'one worker of each version met the object',
    );
  });

  it('drops the sockets of a room object a step moves with 4503; the object then runs the other code on the same storage', async () => {
    await stage.deploy(100);
    const { studyId, token } = await openRoom(stage, 'learner-0');
    const step: { deployed?: ReturnType<Stage['deploy']> } = {};
    const closed = await roomSocket(stage, studyId, token, () => {
      step.deployed = stage.deploy(0);
    });
    assert.deepEqual(closed, { code: 4503, snapshot: true });
    assert.equal((await step.deployed)?.dropped, 1);
    // The old version's code finds the room the new one opened: one storage, as on Cloudflare.
    const again = await roomSocket(stage, studyId, token, (socket) => socket.close(1000, 'done'));
    assert.deepEqual(again, { code: 1000, snapshot: true });
  });

  it('reads every table of the shared D1', async () => {
    assert.match(await stage.dumpDatabase(), /"nickname":"router"/);
  });
});

describe('room host across releases', () => {
  let stage: Stage;
  before(async () => {
    stage = await startStage({ from: releaseCommit('1.5.0'), to: '.', port: await freePort(), log: () => {} });
    await stage.migrate('old');
    await stage.migrate('new');
  });
  after(() => stage?.stop());

  it("runs a room object on the code its assignment names, so this tree's worker meets Release 1.5's room, which has no `view`", async () => {
    await stage.deploy(50);
    const newKey = Array.from({ length: 12 }, (_, i) => `learner-${i}`).find(
      (k) => sideFor(bucketOf(k), 50) === 'new',
    ) as string;
    // Rooms opened by the new worker; about half are assigned the old version (1.5.0, whose room has no `view`).
    for (let i = 0; i < 20; i++) {
      const { studyId, auth } = await openRoom(stage, newKey);
      if (roomSide(studyId, 50, stage.hasRooms) !== 'old') continue;
      const res = await fetch(`${stage.url}/api/v2/studies/${studyId}`, {
        headers: auth,
        signal: AbortSignal.timeout(10_000),
      });
      // This worker falls back to 1.5's `state()`; 2.0.0's does not, which the 1.5 -> 2.0.0 rehearsal (rehearse.test.ts) shows as 500.
      assert.equal(res.status, 200, await res.text());
      assert.deepEqual([res.headers.get('X-Rehearsal-Side'), res.headers.get('X-Rehearsal-Room-Side')], ['new', 'old']);
      return;
    }
    assert.fail('no room of 20 was assigned the old version');
  });
});
