/**
 * Release 2's room routes through the whole app: open a room, join it by code
 * while it waits (refused once started, except for its own participants),
 * and the socket door: API level and token checked, refusals as close codes.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it, vi } from 'vitest';
import { CLOSE, COMPAT, LIMITS, type RoomState, TOKEN_SUBPROTOCOL } from '../../../shared/index.ts';
import { signToken, TOKEN_LIFETIME_MS } from '../../../worker/identity/token.ts';
import { expectJsonError } from '../helpers.ts';
import { ok, signUp, v1App } from '../v1/client.ts';
import { FILL_ROOM_TIMEOUT_MS, fillRoom, TestSocket } from './socket.ts';

interface RoomAnswer {
  participantId: string;
  state: RoomState;
}

/** The v1 test app, speaking API level 2 (serves 1-2). */
function v2App() {
  return v1App({ apiLevel: 2 });
}

async function openRoomOver(api: ReturnType<typeof v2App>) {
  const host = await signUp(api, 'host');
  const opened = await ok<RoomAnswer>(
    api.call('POST', '/api/v2/studies', { name: 'live', totalCycles: 1, minutesPerCycle: 25 }, host.token),
    201,
  );
  return { host, opened };
}

async function socket(api: ReturnType<typeof v2App>, studyId: string, protocols: string[]) {
  const res = await api.app.request(
    `/api/v2/studies/${studyId}/socket`,
    {
      headers: {
        Upgrade: 'websocket',
        ...(protocols.length ? { 'Sec-WebSocket-Protocol': protocols.join(', ') } : {}),
      },
    },
    api.env,
  );
  expect(res.status).toBe(101);
  return { res, ws: new TestSocket(res.webSocket as WebSocket) };
}

describe('POST /api/v2/studies and join', () => {
  it('opens a waiting room with a code, and others join it by code', async () => {
    const api = v2App();
    const { opened } = await openRoomOver(api);
    expect(opened.state).toMatchObject({
      step: 'waiting',
      name: 'live',
      participants: [{ nickname: 'host', isHost: true }],
    });
    expect(opened.state.code).toMatch(/^[A-Z]{6}$/);
    const guest = await signUp(api, 'guest');
    const joined = await ok<RoomAnswer>(
      api.call('POST', '/api/v2/studies/join', { code: opened.state.code.toLowerCase(), nickname: 'g' }, guest.token),
      201,
    );
    expect(joined.state.participants.map((p) => p.nickname)).toEqual(['host', 'g']);
    const again = await ok<RoomAnswer>(
      api.call('POST', '/api/v2/studies/join', { code: opened.state.code, nickname: 'g' }, guest.token),
      200,
    );
    expect(again.participantId).toBe(joined.participantId);
    const view = await ok<RoomAnswer>(
      api.call('GET', `/api/v2/studies/${opened.state.studyId}`, undefined, guest.token),
    );
    expect(view.participantId).toBe(joined.participantId);
  });

  it('answers a level-3 join with where the learner is, and a level-2 join with the whole room', async () => {
    const api = v1App({ apiLevel: 3 });
    const { opened } = await openRoomOver(api);
    const guest = await signUp(api, 'guest');
    const entry = await ok<Record<string, unknown>>(
      api.call('POST', '/api/v2/studies/join', { code: opened.state.code, nickname: 'g' }, guest.token),
      201,
    );
    expect(entry).toEqual({ participantId: expect.any(String), studyId: opened.state.studyId, nickname: 'g' });
    // Already in: the nickname they are in under, not the one typed now.
    const again = await ok<Record<string, unknown>>(
      api.call('POST', '/api/v2/studies/join', { code: opened.state.code, nickname: 'other' }, guest.token),
      200,
    );
    expect(again).toEqual({ ...entry, nickname: 'g' });
    const old = await api.app.request(
      '/api/v2/studies/join',
      {
        method: 'POST',
        headers: {
          'Content-Type': 'application/json',
          Authorization: `Bearer ${guest.token}`,
          [COMPAT.apiHeader]: '2',
        },
        body: JSON.stringify({ code: opened.state.code, nickname: 'g' }),
      },
      api.env,
    );
    expect(old.status).toBe(200);
    const whole = (await old.json()) as RoomAnswer;
    expect(whole.participantId).toBe(entry.participantId);
    expect(whole.state.participants.map((p) => p.nickname)).toEqual(['host', 'g']);
  });

  it('refuses unknown codes, strangers and latecomers', async () => {
    const api = v2App();
    const { host, opened } = await openRoomOver(api);
    const stranger = await signUp(api, 'stranger');
    await expectJsonError(
      await api.call('POST', '/api/v2/studies/join', { code: 'QQQQQQ', nickname: 's' }, stranger.token),
      404,
      'study_not_found',
    );
    await expectJsonError(
      await api.call('GET', `/api/v2/studies/${opened.state.studyId}`, undefined, stranger.token),
      404,
      'study_not_found',
    );
    await expectJsonError(
      await api.call('POST', '/api/v2/studies', { name: 'x', totalCycles: 9, minutesPerCycle: 25 }, host.token),
      400,
      'invalid_body',
    );
    const { ws } = await socket(api, opened.state.studyId, ['haru.2', `${TOKEN_SUBPROTOCOL}${host.token}`]);
    await ws.next('snapshot');
    ws.send({ type: 'start' });
    await ws.next('event');
    await expectJsonError(
      await api.call('POST', '/api/v2/studies/join', { code: opened.state.code, nickname: 's' }, stranger.token),
      409,
      'study_started',
    );
  });
});

describe('a full room', () => {
  it(
    'answers a newcomer 409 room_full, and still lets its own participants back in',
    async () => {
      const api = v2App();
      const { host, opened } = await openRoomOver(api);
      await fillRoom(env.ROOM.get(env.ROOM.idFromName(opened.state.studyId)));
      const late = await signUp(api, 'late');
      const refused = await expectJsonError(
        await api.call('POST', '/api/v2/studies/join', { code: opened.state.code, nickname: 'late' }, late.token),
        409,
        'room_full',
      );
      expect(refused.message).toContain(String(LIMITS.roomParticipants.max));
      const back = await api.call(
        'POST',
        '/api/v2/studies/join',
        { code: opened.state.code, nickname: 'host' },
        host.token,
      );
      expect(back.status).toBe(200);
    },
    FILL_ROOM_TIMEOUT_MS,
  );
});

describe('what the room owes D1', () => {
  it('reaches the Release 2 tables, and through the triggers the Release 1 ones', async () => {
    const api = v2App();
    const { host, opened } = await openRoomOver(api);
    const guest = await signUp(api, 'guest');
    const joined = await ok<RoomAnswer>(
      api.call('POST', '/api/v2/studies/join', { code: opened.state.code, nickname: 'g' }, guest.token),
      201,
    );
    const { ws } = await socket(api, opened.state.studyId, ['haru.2', `${TOKEN_SUBPROTOCOL}${host.token}`]);
    await ws.next('snapshot');
    ws.send({ type: 'start' });
    ws.send({ type: 'submit', id: 'p', cycle: 1, plan: { toDo: 'read', completionCondition: 'ch 1' } });
    await ws.next('ack');
    const read = () =>
      api.env.DB.batch([
        api.env.DB.prepare('SELECT step, current_cycle FROM study WHERE id = ?').bind(opened.state.studyId),
        api.env.DB.prepare('SELECT plan FROM content WHERE participant_id = ?').bind(opened.participantId),
        api.env.DB.prepare('SELECT id FROM participant WHERE id = ?').bind(joined.participantId),
        api.env.DB.prepare('SELECT status FROM pomodoro_progress WHERE id = ?').bind(joined.participantId),
      ]);
    // The room writes D1 after the ack, from its outbox: look until the plan is there (within the test's 5 s, busy machine or not).
    const rows = await vi.waitFor(
      async () => {
        const found = await read();
        expect(found[1]?.results).toHaveLength(1);
        return found;
      },
      { timeout: 4_000, interval: 25 },
    );
    expect(rows[0]?.results).toEqual([{ step: 'planning', current_cycle: 1 }]);
    expect(JSON.parse(String((rows[1]!.results[0] as { plan: string }).plan))).toEqual({
      toDo: 'read',
      completionCondition: 'ch 1',
    });
    expect(rows[2]?.results).toHaveLength(1);
    expect(rows[3]?.results).toEqual([{ status: 'planning' }]);
  });
});

describe('the socket door', () => {
  it('lets a participant in with the level and token as subprotocols', async () => {
    const api = v2App();
    const { host, opened } = await openRoomOver(api);
    const { res, ws } = await socket(api, opened.state.studyId, ['haru.2', `${TOKEN_SUBPROTOCOL}${host.token}`]);
    expect(res.headers.get('Sec-WebSocket-Protocol')).toBe('haru.2');
    expect(res.headers.get(COMPAT.rangeHeader)).toBe('1-2');
    expect((await ws.next('snapshot')).state.studyId).toBe(opened.state.studyId);
  });

  /** Stands for the host's token subprotocol in the offers below. */
  const TOKEN = '<host token>';

  // A browser fails a handshake that selects no offered protocol (close 1006): every refusal selects one it offered.
  it.each([
    ['an API level the worker no longer serves', ['haru.0', TOKEN], 'haru.0', CLOSE.versionMismatch],
    ['an API level from the future', ['haru.3', TOKEN], 'haru.3', CLOSE.versionMismatch],
    ['an API level too long to read', ['haru.99999', TOKEN], 'haru.99999', CLOSE.versionMismatch],
    ['no API level', [TOKEN], TOKEN, CLOSE.versionMismatch],
    ['no API level but another protocol', ['foo', TOKEN], 'foo', CLOSE.versionMismatch],
    ['no subprotocol at all', [], null, CLOSE.versionMismatch],
    ['no token', ['haru.2'], 'haru.2', CLOSE.unauthorized],
    [
      'a forged token',
      ['haru.2', `${TOKEN_SUBPROTOCOL}00000000-0000-0000-0000-000000000000.1.AAAA`],
      'haru.2',
      CLOSE.unauthorized,
    ],
  ])('closes a socket with %s, selecting a protocol it offered', async (_, offer, selected, code) => {
    const api = v2App();
    const { host, opened } = await openRoomOver(api);
    const fill = (protocol: string) => (protocol === TOKEN ? `${TOKEN_SUBPROTOCOL}${host.token}` : protocol);
    const { res, ws } = await socket(api, opened.state.studyId, offer.map(fill));
    expect(res.headers.get('Sec-WebSocket-Protocol')).toBe(selected === null ? null : fill(selected));
    expect((await ws.closed).code).toBe(code);
  });

  it('selects a level as the client wrote it, never one it did not offer', async () => {
    const api = v2App();
    const { host, opened } = await openRoomOver(api);
    const { res, ws } = await socket(api, opened.state.studyId, ['haru.02', `${TOKEN_SUBPROTOCOL}${host.token}`]);
    expect(res.headers.get('Sec-WebSocket-Protocol')).toBe('haru.02');
    expect((await ws.next('snapshot')).state.studyId).toBe(opened.state.studyId);
  });

  it.each([
    ['a 1-character signature', (payload: string) => `${payload}.A`],
    ['a 5-character signature', (payload: string) => `${payload}.AAAAA`],
    ['a 9-character signature', (payload: string) => `${payload}.AAAAAAAAA`],
    ['a signature that is not base64url', (payload: string) => `${payload}.%%%%`],
    ['an empty token', () => ''],
    ['garbage', () => 'not a token at all'],
  ])('closes a socket with %s 4401, never an HTTP error', async (_, token) => {
    const api = v2App();
    const { host, opened } = await openRoomOver(api);
    // The host's own member id and issue time: only the signature is wrong.
    const payload = host.token.split('.').slice(0, 2).join('.');
    const { res, ws } = await socket(api, opened.state.studyId, ['haru.2', `${TOKEN_SUBPROTOCOL}${token(payload)}`]);
    expect(res.headers.get('Sec-WebSocket-Protocol')).toBe('haru.2');
    expect((await ws.closed).code).toBe(CLOSE.unauthorized);
  });

  it("reads the token at the app's clock, as every HTTP call does", async () => {
    const api = v2App();
    // A year off the machine's clock, as the browser tests' movable app clock can be.
    api.clock.time = Date.now() + 365 * 24 * 60 * 60_000;
    const { host, opened } = await openRoomOver(api);
    const { ws } = await socket(api, opened.state.studyId, ['haru.2', `${TOKEN_SUBPROTOCOL}${host.token}`]);
    expect((await ws.next('snapshot')).state.studyId).toBe(opened.state.studyId);
    api.clock.time += TOKEN_LIFETIME_MS;
    const { ws: expired } = await socket(api, opened.state.studyId, ['haru.2', `${TOKEN_SUBPROTOCOL}${host.token}`]);
    expect((await expired.closed).code).toBe(CLOSE.unauthorized);
  });

  it('closes the socket of a learner who is not in the room', async () => {
    const api = v2App();
    const { opened } = await openRoomOver(api);
    const stranger = await signUp(api, 'stranger');
    const { res, ws } = await socket(api, opened.state.studyId, ['haru.2', `${TOKEN_SUBPROTOCOL}${stranger.token}`]);
    expect(res.headers.get('Sec-WebSocket-Protocol')).toBe('haru.2');
    expect((await ws.closed).code).toBe(CLOSE.unauthorized);
  });

  it('lets a learner in with a token of the previous secret during a rotation, as HTTP does', async () => {
    const api = v2App();
    const { host, opened } = await openRoomOver(api);
    // The secret rotates: what signed the host's token is now the previous one.
    const secrets: Env = api.env;
    secrets.TOKEN_SECRET_PREVIOUS = secrets.TOKEN_SECRET;
    secrets.TOKEN_SECRET = 'the-rotated-secret';
    const { ws } = await socket(api, opened.state.studyId, ['haru.2', `${TOKEN_SUBPROTOCOL}${host.token}`]);
    expect((await ws.next('snapshot')).you).toBe(opened.participantId);
    // Once the window is over, the same token is refused.
    delete secrets.TOKEN_SECRET_PREVIOUS;
    const late = await socket(api, opened.state.studyId, ['haru.2', `${TOKEN_SUBPROTOCOL}${host.token}`]);
    expect((await late.ws.closed).code).toBe(CLOSE.unauthorized);
    const renewed = await signToken('the-rotated-secret', host.member.id, api.clock.now());
    expect(
      (
        await (
          await socket(api, opened.state.studyId, ['haru.2', `${TOKEN_SUBPROTOCOL}${renewed}`])
        ).ws.next('snapshot')
      ).you,
    ).toBe(opened.participantId);
  });

  it('answers a plain GET with 426', async () => {
    const api = v2App();
    const { host, opened } = await openRoomOver(api);
    await expectJsonError(
      await api.call('GET', `/api/v2/studies/${opened.state.studyId}/socket`, undefined, host.token),
      426,
      'upgrade_required',
    );
  });
});
