/**
 * What one learner can make the room do: their message allowance is shared
 * by all their sockets, they hold at most MAX_SOCKETS_PER_PARTICIPANT sockets
 * (the oldest is closed with 4410), binary frames are refused, and a `leave`
 * is told to the others once.
 */
import { env, runInDurableObject } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { CLOSE, MAX_SOCKETS_PER_PARTICIPANT, RATE_LIMIT } from '../../../shared/index.ts';
import { closeTelemetry, type Room } from '../../../worker/room/room.ts';
import { connect, roomOfTwo, setClock, T0, type TestSocket } from './socket.ts';

describe('one learner, many sockets', () => {
  it('shares one message allowance across all their sockets', async () => {
    const { stub, host, hostWs } = await roomOfTwo();
    const second = await connect(stub, host.memberId);
    await second.next('snapshot');
    // Half the allowance on each socket is still within it...
    const half = RATE_LIMIT.messages / 2;
    for (let i = 0; i < half; i += 1) hostWs.send({ type: 'sync' });
    for (let i = 0; i < half; i += 1) second.send({ type: 'sync' });
    for (const ws of [hostWs, second]) for (let i = 0; i < half; i += 1) await ws.next('snapshot');
    // ...and one more message on either goes over it.
    second.send({ type: 'sync' });
    expect((await second.closed).code).toBe(CLOSE.rateLimited);
  });

  it(`keeps ${MAX_SOCKETS_PER_PARTICIPANT} sockets per learner and closes the oldest with ${CLOSE.replaced}`, async () => {
    const { stub, host, hostWs, guestWs } = await roomOfTwo();
    const sockets: TestSocket[] = [hostWs];
    for (let i = 1; i < MAX_SOCKETS_PER_PARTICIPANT; i += 1) {
      const ws = await connect(stub, host.memberId);
      await ws.next('snapshot');
      sockets.push(ws);
    }
    const newest = await connect(stub, host.memberId);
    await newest.next('snapshot');
    expect(await hostWs.closed).toMatchObject({ code: CLOSE.replaced });
    // The others and the newest still hear the room; the host never looked offline.
    guestWs.send({ type: 'sync' });
    const seen = await guestWs.next('snapshot');
    expect(seen.state.participants.find((p) => p.id === host.id)).toMatchObject({ online: true });
    expect((await guestWs.drain()).filter((m) => m.type === 'event' && m.event.kind === 'presence')).toEqual([]);
    hostWs.ws.close(1000);
    newest.send({ type: 'start' });
    for (const ws of [...sockets.slice(1), newest])
      expect((await ws.next('event', (m) => m.event.kind === 'step')).event).toMatchObject({ step: 'planning' });
  });
});

describe('frames and leaving', () => {
  it('refuses a binary frame, even one holding valid JSON, and changes nothing', async () => {
    const { hostWs, guestWs } = await roomOfTwo();
    hostWs.ws.send(new TextEncoder().encode(JSON.stringify({ type: 'start' })));
    expect(await hostWs.next('error')).toMatchObject({
      code: 'invalid_message',
      message: expect.stringMatching(/binary/),
    });
    guestWs.send({ type: 'sync' });
    expect((await guestWs.next('snapshot')).state.step).toBe('waiting');
  });

  it('tells the others once that someone left', async () => {
    const { stub, guest, hostWs, guestWs } = await roomOfTwo();
    guestWs.send({ type: 'leave' });
    expect((await guestWs.closed).code).toBe(1000);
    const presence = await hostWs.next('event', (m) => m.event.kind === 'presence');
    expect(presence.event).toEqual({ kind: 'presence', participantId: guest.participantId, online: false });
    // The close that follows the leave is not news: once the room has handled it, no event came of it.
    await expect
      .poll(() => runInDurableObject(stub, (_room: Room, state) => state.getWebSockets(guest.participantId).length), {
        timeout: 10_000,
      })
      .toBe(0);
    hostWs.send({ type: 'sync' });
    const snapshot = await hostWs.next('snapshot');
    expect(snapshot.seq).toBe(presence.seq);
    expect(hostWs.inbox.filter((m) => m.type === 'event')).toEqual([]);
  });
});

describe('close telemetry', () => {
  /** Closes counted by the rooms of this isolate from minute `from` on, per code. */
  async function closesSince(from: number): Promise<Record<string, number>> {
    await closeTelemetry.flush(env.DB);
    const { results } = await env.DB.prepare(
      `SELECT code, sum(count) AS n FROM telemetry_outcome WHERE kind = 'close' AND minute >= ? GROUP BY code ORDER BY code`,
    )
      .bind(from)
      .all<{ code: number; n: number }>();
    return Object.fromEntries(results.map((r) => [String(r.code), r.n]));
  }

  it('counts every socket close by close code and API level: normal, refused, rate limited', async () => {
    const { stub, hostWs, guestWs } = await roomOfTwo();
    // A clock of its own, so other tests' closes at T0 are not counted here.
    const at = T0 + 7 * 24 * 3_600_000;
    await setClock(stub, at);
    const before = await closesSince(at);
    guestWs.ws.close(1000, 'bye');
    await hostWs.next('event', (m) => m.event.kind === 'presence');
    for (let i = 0; i <= RATE_LIMIT.messages; i += 1) hostWs.send({ type: 'sync' });
    expect((await hostWs.closed).code).toBe(CLOSE.rateLimited);
    const stranger = await connect(stub, crypto.randomUUID());
    expect((await stranger.closed).code).toBe(CLOSE.unauthorized);
    // The rate-limited socket's close reaches the room when the client answers it: wait for the count, not a time.
    let counted: Record<string, number> = {};
    for (let tries = 0; tries < 50 && (counted[CLOSE.rateLimited] ?? 0) === 0; tries += 1) {
      await new Promise((resolve) => setTimeout(resolve, 20));
      counted = await closesSince(at);
    }
    expect(before).toEqual({});
    expect(counted).toEqual({ '1000': 1, [CLOSE.unauthorized]: 1, [CLOSE.rateLimited]: 1 });
    const { results } = await env.DB.prepare(
      `SELECT DISTINCT api_level FROM telemetry_outcome WHERE kind = 'close' AND minute >= ?`,
    )
      .bind(at)
      .all();
    expect(results).toEqual([{ api_level: 2 }]);
  });
});
