/**
 * The room's outbox against the real D1: a write D1 refuses for good (here a
 * foreign key: the room's study has no D1 row) is set aside, kept in the
 * room's storage and reported to `room_write_set_aside`, and the writes behind
 * it go on. The operator view counts it.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import type { OpsSummary } from '../../../worker/ops/summary.ts';
import type { Room } from '../../../worker/room/room.ts';
import { clockAt, versionApp } from '../ops/app.ts';
import { connect, openRoom, outbox, setClock, T0 } from './socket.ts';

function setAside(stub: DurableObjectStub<Room>) {
  return runInDurableObject(stub, async (_room: Room, state) => [...(await state.storage.list({ prefix: 'setaside:' })).values()]);
}

describe('a write D1 refuses for good', () => {
  it('is set aside, kept and reported, and the writes behind it reach D1', async () => {
    // Opened through its RPC only: D1 has no study row, so the participant insert breaks a foreign key.
    const { stub, studyId, host } = await openRoom();
    await setClock(stub, T0);
    const guest = { memberId: crypto.randomUUID(), participantId: crypto.randomUUID(), nickname: 'guest' };
    expect((await stub.join(guest)).ok).toBe(true);
    await expect.poll(() => setAside(stub), { timeout: 10_000 }).toHaveLength(1);
    expect((await setAside(stub))[0]).toMatchObject({
      write: { op: 'participant', participant: { id: guest.participantId } },
      error: expect.stringMatching(/constraint/i),
      at: T0,
    });

    // A later write (the step) is not held back behind it.
    const hostWs = await connect(stub, host.memberId);
    await hostWs.next('snapshot');
    hostWs.send({ type: 'start' });
    await hostWs.next('event', (m) => m.event.kind === 'step');
    await expect.poll(() => outbox(stub), { timeout: 10_000 }).toEqual([]);

    const reported = await env.DB.prepare('SELECT study_id, write_json, error, set_aside_at FROM room_write_set_aside WHERE study_id = ?').bind(studyId).all();
    expect(reported.results).toHaveLength(1);
    expect(reported.results[0]).toMatchObject({ study_id: studyId, set_aside_at: T0, error: expect.stringMatching(/constraint/i) });
    expect(JSON.parse(String(reported.results[0]?.write_json))).toMatchObject({ op: 'participant', participant: { id: guest.participantId } });
    // Set aside, never dropped: still in the room after the report went out.
    expect(await setAside(stub)).toHaveLength(1);

    const ops = versionApp(clockAt(40), { version: 'ops-set-aside', build: 'build-ops-set-aside' });
    const res = await ops.ops('/ops/api/summary');
    const summary = (await res.json()) as OpsSummary;
    expect(summary.setAsideWrites.total).toBeGreaterThanOrEqual(1);
    expect(summary.setAsideWrites.rooms).toContainEqual({ studyId, count: 1, oldest: T0 });
    const page = await (await ops.ops('/ops')).text();
    expect(page).toMatch(/Set-aside room writes/);
    expect(page).toContain(studyId);
  });
});
