/**
 * Coming back with `since` (API level 3): a page whose copy of the room is
 * at an event number after which only presence changed gets a `resume`, who
 * is online, instead of the whole room; anything else gets the snapshot, so
 * a page always ends up with the room as it is. The mark that says from
 * where a resume holds is stored with the room value and kept in step.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { applyEvent, applyResume, type RoomState, type ServerMessage } from '../../../shared/index.ts';
import type { ResumeMark, RoomData } from '../../../worker/room/model.ts';
import type { Room } from '../../../worker/room/room.ts';
import { closedInRoom, connect, openRoom, setClock, T0, type TestSocket } from './socket.ts';

/** A room with a host and two guests, all on level-3 sockets, everything so far drained. */
async function roomOfThree() {
  const opened = await openRoom();
  await setClock(opened.stub, T0);
  await runInDurableObject(opened.stub, (room: Room) => {
    room.persist = async () => {};
  });
  const guests = [];
  for (const nickname of ['a', 'b']) {
    const member = { memberId: crypto.randomUUID(), participantId: crypto.randomUUID(), nickname };
    expect((await opened.stub.join(member)).ok).toBe(true);
    guests.push(member);
  }
  const [a, b] = guests as [(typeof guests)[0], (typeof guests)[0]];
  const hostWs = await connect(opened.stub, opened.host.memberId, 3);
  const aWs = await connect(opened.stub, a.memberId, 3);
  const bWs = await connect(opened.stub, b.memberId, 3);
  const aState = await follow(aWs);
  await hostWs.drain();
  await bWs.drain();
  return { ...opened, a, b, hostWs, aWs, bWs, aState };
}

/** The room as a page on `ws` holds it now: its snapshot and every event since, with the number it is at. */
async function follow(ws: TestSocket): Promise<{ state: RoomState; seq: number }> {
  const snapshot = await ws.next('snapshot');
  let held = { state: snapshot.state, seq: snapshot.seq };
  // Events numbered at or below the snapshot's are in it already.
  for (const m of await ws.drain())
    if (m.type === 'event' && m.seq > held.seq) held = { state: applyEvent(held.state, m.event), seq: m.seq };
  return held;
}

/** Closes `ws` and waits until the room has handled it. */
async function leave(stub: DurableObjectStub<Room>, ws: TestSocket, participantId: string) {
  ws.ws.close(1000, 'network gone');
  await closedInRoom(stub, participantId);
}

/** The snapshot or resume a socket came in with (its own presence may come before it, numbered within it). */
async function greeting(ws: TestSocket): Promise<ServerMessage> {
  const first = (await ws.drain()).find((m) => m.type === 'snapshot' || m.type === 'resume');
  if (!first) throw new Error('the room sent neither a snapshot nor a resume');
  return first;
}

const stored = (stub: DurableObjectStub<Room>) =>
  runInDurableObject(stub, async (_room: Room, state) => ({
    room: (await state.storage.get<RoomData>('room'))!,
    mark: (await state.storage.get<ResumeMark>('resume'))!,
  }));

describe('resume', () => {
  it('answers a page that comes back after presence changes with who is online, which makes the whole room', async () => {
    const { stub, a, b, aWs, bWs, aState, host } = await roomOfThree();
    await leave(stub, aWs, a.participantId);
    await leave(stub, bWs, b.participantId);
    const back = await connect(stub, a.memberId, 3, aState.seq);
    const resume = await greeting(back);
    const { room } = await stored(stub);
    expect(resume).toEqual({
      type: 'resume',
      seq: room.seq,
      you: a.participantId,
      serverNow: T0,
      online: '110',
      handoverAt: null,
    });
    if (resume.type !== 'resume') throw new Error('not a resume');
    // Put on top of what the page held, it is the room a fresh page sees.
    const fresh = await connect(stub, host.memberId, 3);
    const { state } = await fresh.next('snapshot');
    expect(applyResume(aState.state, resume)).toEqual(state);
  });

  it('sends the snapshot to a page that missed a numbered change, or a share', async () => {
    const { stub, a, aWs, bWs, aState, hostWs } = await roomOfThree();
    await leave(stub, aWs, a.participantId);
    bWs.send({ type: 'share', on: true });
    await hostWs.next('shared');
    // A share is not numbered: from the number the page holds, the room cannot tell it saw it.
    const afterShare = await connect(stub, a.memberId, 3, aState.seq);
    const snapshot = await greeting(afterShare);
    expect(snapshot).toMatchObject({ type: 'snapshot', state: { participants: [{}, {}, { sharing: true }] } });
    if (snapshot.type !== 'snapshot') throw new Error('not a snapshot');
    await afterShare.drain();

    // At the number after the share, with only presence since: a resume again.
    await leave(stub, afterShare, a.participantId);
    const resumed = await connect(stub, a.memberId, 3, snapshot.seq);
    expect((await greeting(resumed)).type).toBe('resume');
    await leave(stub, resumed, a.participantId);

    const again = await connect(stub, a.memberId, 3);
    const { seq } = await follow(again);
    await leave(stub, again, a.participantId);
    hostWs.send({ type: 'start' });
    await hostWs.next('event', (m) => m.event.kind === 'step');
    const afterStart = await greeting(await connect(stub, a.memberId, 3, seq));
    expect(afterStart).toMatchObject({ type: 'snapshot', state: { step: 'planning' } });
  });

  it('sends the snapshot to a level-2 page and for a since that is not a number the room has given', async () => {
    const { stub, a, aWs } = await roomOfThree();
    await leave(stub, aWs, a.participantId);
    // Each connect and close takes numbers: "not given yet" is read against the room as it is.
    for (const [level, sinceAt] of [
      [2, (seq: number) => seq],
      [3, (seq: number) => seq + 1],
      [3, () => -1],
      [3, () => 'abc'],
      [3, () => '1.5'],
      [3, () => '1e2'],
      [3, () => ''],
      [3, () => '9'.repeat(40)],
    ] as const) {
      const since = sinceAt((await stored(stub)).room.seq);
      const ws = await connect(stub, a.memberId, level, since);
      expect((await greeting(ws)).type, `level ${level}, since ${since}`).toBe('snapshot');
      await leave(stub, ws, a.participantId);
    }
  });

  it('stores the mark with the room value, at its number, from the last change that was not presence', async () => {
    const { stub, a, aWs, hostWs } = await roomOfThree();
    hostWs.send({ type: 'start' });
    const step = await hostWs.next('event', (m) => m.event.kind === 'step');
    await leave(stub, aWs, a.participantId);
    const { room, mark } = await stored(stub);
    expect(room.seq).toBeGreaterThan(step.seq);
    expect(mark).toEqual({ from: step.seq, seq: room.seq, version: env.CF_VERSION_METADATA.id });
  });
});
