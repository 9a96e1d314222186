/**
 * The rehearsal's router in workerd, with requests and a socket in hand:
 * this working tree as both versions behind it (both have the room class).
 */
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { freePort } from '../../scripts/lib/dev-server.ts';
import { bucketOf, roomSide, sideFor } from '../../scripts/rehearsal/split.ts';
import { startStage, type Stage } from '../../scripts/rehearsal/stage.ts';

const KEY = 'Cloudflare-Workers-Version-Key';

/** Which version answered (the router says so on every answer). */
async function sideOf(stage: Stage, path: string, headers: Record<string, string> = {}): Promise<string | null> {
  const res = await fetch(`${stage.url}${path}`, { headers, signal: AbortSignal.timeout(10_000) });
  await res.body?.cancel();
  return res.headers.get('X-Rehearsal-Side');
}

/** Opens a room socket through the router; resolves with how it closes once `ready` ran after the snapshot. */
function roomSocket(stage: Stage, studyId: string, token: string, ready: () => void): Promise<{ code: number; snapshot: boolean }> {
  return new Promise((resolve) => {
    const socket = new WebSocket(`${stage.url.replace('http', 'ws')}/api/v2/studies/${studyId}/socket`, ['haru.2', `haru-token.${token}`]);
    let snapshot = false;
    socket.addEventListener('message', (event) => {
      if ((JSON.parse(String(event.data)) as { type: string }).type === 'snapshot' && !snapshot) {
        snapshot = true;
        ready();
      }
    });
    socket.addEventListener('close', (event) => resolve({ code: event.code, snapshot }));
  });
}

describe('rehearsal router', () => {
  let stage: Stage;
  before(async () => {
    stage = await startStage({ from: '.', to: '.', port: await freePort(), log: () => {} });
  });
  after(() => stage?.stop());

  it('applies a migration once: the second version finds the same names already in the ledger', async () => {
    assert.deepEqual(await stage.migrate('old'), ['0001_v1_schema.sql', '0002_expand_v2.sql', '0003_telemetry.sql', '0004_room_write_set_aside.sql']);
    assert.deepEqual(await stage.migrate('new'), []);
  });

  it('refuses the control API without the run token', async () => {
    for (const headers of [{}, { 'X-Rehearsal-Token': 'guess' }]) {
      const res = await fetch(`${stage.url}/__rehearsal/deploy`, { method: 'POST', headers, body: JSON.stringify({ newPercent: 100 }) });
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

  it('pins a room by its id, whatever the key, and drops its sockets with 4503 when a step moves it', async () => {
    await stage.deploy(100);
    const json = { 'Content-Type': 'application/json', 'X-Haru-Api': '2' };
    const member = (await (await fetch(`${stage.url}/api/v1/members`, { method: 'POST', headers: json, body: JSON.stringify({ nickname: 'router' }) })).json()) as { token: string };
    const auth = { ...json, Authorization: `Bearer ${member.token}` };
    const opened = await fetch(`${stage.url}/api/v2/studies`, { method: 'POST', headers: auth, body: JSON.stringify({ name: 'pin', totalCycles: 1, minutesPerCycle: 20 }) });
    assert.equal(opened.status, 201);
    const { studyId } = ((await opened.json()) as { state: { studyId: string } }).state;

    await stage.deploy(50);
    const pinned = roomSide(studyId, 50, stage.hasRooms);
    const other = ['learner-0', 'learner-1', 'learner-2', 'learner-3', 'learner-4'].find((k) => sideFor(bucketOf(k), 50) !== pinned) as string;
    assert.equal(await sideOf(stage, `/api/v2/studies/${studyId}`, { ...auth, [KEY]: other }), pinned, 'a room request follows the room, not the key');

    await stage.deploy(100);
    const step: { deployed?: ReturnType<Stage['deploy']> } = {};
    const closed = await roomSocket(stage, studyId, member.token, async () => {
      step.deployed = stage.deploy(0);
    });
    assert.deepEqual(closed, { code: 4503, snapshot: true });
    assert.equal((await step.deployed)?.dropped, 1);
    // Locally each worker has its own room storage (the README says so): the old one does not know this room.
    const again = await roomSocket(stage, studyId, member.token, () => {});
    assert.deepEqual(again, { code: 4401, snapshot: false });
  });

  it('reads every table of the shared D1', async () => {
    assert.match(await stage.dumpDatabase(), /"nickname":"router"/);
  });
});
