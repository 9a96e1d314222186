/**
 * The worker-room contract across releases (DESIGN §7; README, "The
 * worker-room contract"). During a gradual deployment each room object runs
 * the release the deployment assigns it, whatever release calls it, so this
 * tree's worker meets the previous release's rooms and the previous worker
 * meets this tree's. Both pairings go through every call a worker makes to a
 * room (open, join and rejoin, view, the socket, outboxStatus) and read every
 * message a room sends with this tree's schemas and the page's own parser.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import * as z from 'zod/mini';
import {
  CLOSE,
  parseServerMessage,
  roomStateSchema,
  type ServerMessage,
  TOKEN_SUBPROTOCOL,
} from '../../../shared/index.ts';
import type { OpsSummary } from '../../../worker/ops/summary.ts';
import { expectJsonError } from '../helpers.ts';
import { OPS_TOKEN } from '../ops/app.ts';
import { FILL_ROOM_TIMEOUT_MS, fillRoom, TestSocket } from '../room/socket.ts';
import { ok, PLAN, signUp, v1App } from '../v1/client.ts';
import { PreviousRoom } from './entry.ts';

/** A room answer over HTTP (open, join, view), as this tree reads it. */
const roomAnswerSchema = z.object({ participantId: z.string(), state: roomStateSchema });

/** A worker of one release in front of the room objects of the other. */
const PAIRINGS = [
  {
    pairing: "this tree's worker x the previous release's room",
    release: 'current',
    // The worker is typed against this tree's room; meeting the previous one's is the point.
    rooms: () => env.PREVIOUS_ROOM as unknown as Env['ROOM'],
  },
  { pairing: "the previous release's worker x this tree's room", release: 'previous', rooms: () => env.ROOM },
] as const;

type Pairing = (typeof PAIRINGS)[number];

/** The pairing's worker (API level 2) with its ROOM binding on the pairing's rooms. */
function pairedApp({ release, rooms }: Pairing) {
  return v1App({ apiLevel: 2, release, rooms: rooms() });
}

/** A room answer, checked with this tree's schema. */
async function roomAnswer(res: Response | Promise<Response>, status: number) {
  return roomAnswerSchema.parse(await ok(res, status));
}

/** A host who opened a room over the pairing's worker. */
async function openRoomOver(api: ReturnType<typeof pairedApp>) {
  const host = await signUp(api, 'host');
  const opened = await roomAnswer(
    api.call('POST', '/api/v2/studies', { name: 'live', totalCycles: 1, minutesPerCycle: 25 }, host.token),
    201,
  );
  return { host, opened };
}

/** A socket through the worker's door, as the page opens it. */
async function socketOver(api: ReturnType<typeof pairedApp>, studyId: string, token: string) {
  const res = await api.app.request(
    `/api/v2/studies/${studyId}/socket`,
    { headers: { Upgrade: 'websocket', 'Sec-WebSocket-Protocol': `haru.2, ${TOKEN_SUBPROTOCOL}${token}` } },
    api.env,
  );
  expect(res.status).toBe(101);
  expect(res.headers.get('Sec-WebSocket-Protocol')).toBe('haru.2');
  return new TestSocket(res.webSocket as WebSocket);
}

/** Asserts the page's parser reads `message` as sent (a message it drops would be lost on the page). */
function expectReadByPage<T extends ServerMessage>(message: T): T {
  expect(parseServerMessage(JSON.stringify(message))).toEqual(message);
  return message;
}

describe.each(PAIRINGS)('$pairing', (pairing) => {
  it('opens a room (201), joins a newcomer (201), resumes one already in (200), and shows it to its participants only', async () => {
    const api = pairedApp(pairing);
    const { host, opened } = await openRoomOver(api);
    expect(opened.state).toMatchObject({
      step: 'waiting',
      name: 'live',
      participants: [{ id: opened.participantId, isHost: true }],
    });
    const guest = await signUp(api, 'guest');
    const joined = await roomAnswer(
      api.call('POST', '/api/v2/studies/join', { code: opened.state.code, nickname: 'g' }, guest.token),
      201,
    );
    expect(joined.state.participants.map((p) => p.nickname)).toEqual(['host', 'g']);
    const again = await roomAnswer(
      api.call('POST', '/api/v2/studies/join', { code: opened.state.code, nickname: 'g' }, guest.token),
      200,
    );
    expect(again.participantId).toBe(joined.participantId);
    const view = await roomAnswer(
      api.call('GET', `/api/v2/studies/${opened.state.studyId}`, undefined, host.token),
      200,
    );
    expect(view).toEqual({ participantId: opened.participantId, state: joined.state });
    const stranger = await signUp(api, 'stranger');
    await expectJsonError(
      await api.call('GET', `/api/v2/studies/${opened.state.studyId}`, undefined, stranger.token),
      404,
      'study_not_found',
    );
  });

  it('sends snapshots, events, acks and errors the page reads, and refuses a latecomer once started (409 study_started)', async () => {
    const api = pairedApp(pairing);
    const { host, opened } = await openRoomOver(api);
    const guest = await signUp(api, 'guest');
    const joined = await roomAnswer(
      api.call('POST', '/api/v2/studies/join', { code: opened.state.code, nickname: 'g' }, guest.token),
      201,
    );
    const hostWs = await socketOver(api, opened.state.studyId, host.token);
    const snapshot = expectReadByPage(await hostWs.next('snapshot'));
    expect(snapshot).toMatchObject({
      you: opened.participantId,
      state: { studyId: opened.state.studyId, step: 'waiting' },
    });
    const guestWs = await socketOver(api, opened.state.studyId, guest.token);
    expect(expectReadByPage(await guestWs.next('snapshot')).you).toBe(joined.participantId);
    const guestOnline = (m: Extract<ServerMessage, { type: 'event' }>) =>
      m.event.kind === 'presence' && m.event.participantId === joined.participantId;
    expect(expectReadByPage(await hostWs.next('event', guestOnline)).event).toMatchObject({ online: true });

    guestWs.send({ type: 'start' });
    expect(expectReadByPage(await guestWs.next('error'))).toMatchObject({ code: 'not_host' });
    guestWs.send('{"type":"nonsense"}');
    expect(expectReadByPage(await guestWs.next('error'))).toMatchObject({ code: 'invalid_message' });
    hostWs.send({ type: 'start' });
    expect(expectReadByPage(await guestWs.next('event', (m) => m.event.kind === 'step')).event).toMatchObject({
      step: 'planning',
      cycle: 1,
    });
    guestWs.send({ type: 'submit', id: 'plan-1', cycle: 1, plan: PLAN });
    expectReadByPage(await guestWs.next('ack', (m) => m.id === 'plan-1'));
    expect(expectReadByPage(await hostWs.next('event', (m) => m.event.kind === 'submitted')).event).toMatchObject({
      participantId: joined.participantId,
    });
    for (const message of [...(await hostWs.drain()), ...(await guestWs.drain())]) expectReadByPage(message);

    const late = await signUp(api, 'late');
    await expectJsonError(
      await api.call('POST', '/api/v2/studies/join', { code: opened.state.code, nickname: 'late' }, late.token),
      409,
      'study_started',
    );
    const rejoined = await roomAnswer(
      api.call('POST', '/api/v2/studies/join', { code: opened.state.code, nickname: 'g' }, guest.token),
      200,
    );
    expect(rejoined.state.step).toBe('planning');
  });

  it('closes the socket of a learner who is not in the room with 4401', async () => {
    const api = pairedApp(pairing);
    const { opened } = await openRoomOver(api);
    const stranger = await signUp(api, 'stranger');
    const ws = await socketOver(api, opened.state.studyId, stranger.token);
    expect((await ws.closed).code).toBe(CLOSE.unauthorized);
  });
});

describe("this tree's worker and a room without view()", () => {
  it('shows each member their room from state() and D1, and a stranger nothing, as on a room that predates view()', async () => {
    const api = v1App({ apiLevel: 2 });
    const { host, opened } = await openRoomOver(api);
    const guest = await signUp(api, 'guest');
    const joined = await roomAnswer(
      api.call('POST', '/api/v2/studies/join', { code: opened.state.code, nickname: 'g' }, guest.token),
      201,
    );
    // The room writes the guest to D1 from its outbox, just after the join.
    await expect
      .poll(() => env.DB.prepare('SELECT id FROM participant WHERE id = ?').bind(joined.participantId).first(), {
        timeout: 10_000,
      })
      .not.toBeNull();

    // The room class as it was shipped dark: `state()`, and the runtime's error for `view` (as this workerd words it).
    const stateOnly = {
      idFromName: (name: string) => env.ROOM.idFromName(name),
      get: (id: DurableObjectId) => ({
        view: () => Promise.reject(new TypeError('The RPC receiver does not implement "view".')),
        state: async () => (await env.ROOM.get(id).view(host.member.id))?.state ?? null,
      }),
    } as unknown as Env['ROOM'];
    const older = v1App({ apiLevel: 2, rooms: stateOnly });
    for (const [who, participantId] of [
      [host, opened.participantId],
      [guest, joined.participantId],
    ] as const) {
      const seen = await roomAnswer(
        older.call('GET', `/api/v2/studies/${opened.state.studyId}`, undefined, who.token),
        200,
      );
      expect(seen.participantId).toBe(participantId);
      expect(seen.state.participants.map((p) => p.id)).toEqual([opened.participantId, joined.participantId]);
    }
    const stranger = await signUp(api, 'stranger');
    await expectJsonError(
      await older.call('GET', `/api/v2/studies/${opened.state.studyId}`, undefined, stranger.token),
      404,
      'study_not_found',
    );
  });
});

describe("this tree's worker and a room's refusals", () => {
  it('answers a refusal it does not know (a newer room\'s) 409 join_refused, never a join or "not found"', async () => {
    const api = v1App({ apiLevel: 2 });
    const { opened } = await openRoomOver(api);
    // A room of a later release refusing for a reason this worker has never heard of.
    const refusing = {
      idFromName: (name: string) => env.ROOM.idFromName(name),
      get: () => ({ join: async () => ({ ok: false, code: 'room_closed_for_exams' }) }),
    } as unknown as Env['ROOM'];
    const guest = await signUp(api, 'guest');
    const later = v1App({ apiLevel: 2, rooms: refusing });
    const refused = await expectJsonError(
      await later.call('POST', '/api/v2/studies/join', { code: opened.state.code, nickname: 'g' }, guest.token),
      409,
      'join_refused',
    );
    expect(refused.message).toContain('room_closed_for_exams');
  });

  // outboxStatus came with Release 2.1.0: a room from before it cannot answer, and counts as unanswered.
  const answersOutboxStatus = 'outboxStatus' in PreviousRoom.prototype;
  it(`asks the previous release's rooms in the operator view (${answersOutboxStatus ? 'they answer' : 'unanswered: outboxStatus is newer than that room'})`, async () => {
    const api = pairedApp(PAIRINGS[0]);
    const { opened } = await openRoomOver(api);
    const res = await api.app.request(
      '/ops/api/summary',
      { headers: { Authorization: `Bearer ${OPS_TOKEN}` } },
      api.env,
    );
    expect(res.status).toBe(200);
    const { stuckOutboxes } = (await res.json()) as OpsSummary;
    if (answersOutboxStatus) expect(stuckOutboxes.asked).toBeGreaterThan(stuckOutboxes.unanswered);
    else expect(stuckOutboxes.unanswered).toBeGreaterThanOrEqual(1);
    expect(stuckOutboxes.rooms.map((r) => r.studyId)).not.toContain(opened.state.studyId);
  });
});

describe("the previous release's worker and this tree's full room", () => {
  it(
    'refuses the newcomer past the cap (a 4xx) and adds nobody, even where it predates room_full',
    async () => {
      const api = pairedApp(PAIRINGS[1]);
      const { opened } = await openRoomOver(api);
      const stub = env.ROOM.get(env.ROOM.idFromName(opened.state.studyId));
      await fillRoom(stub);
      const late = await signUp(api, 'late');
      const res = await api.call(
        'POST',
        '/api/v2/studies/join',
        { code: opened.state.code, nickname: 'late' },
        late.token,
      );
      // Release 2.0.0's worker says 404 study_not_found here (README, "The worker-room contract"): wrong words, but a refusal.
      expect(res.status).toBeGreaterThanOrEqual(400);
      expect(res.status).toBeLessThan(500);
      expect(await stub.view(late.member.id)).toBeNull();
    },
    FILL_ROOM_TIMEOUT_MS,
  );
});
