/**
 * The nickname rule (shared/nickname.ts) through the real routes: every door
 * a nickname comes in by (sign-up, a solo study's name for the creator,
 * opening a room, joining one) answers a refused name with 400, the field and
 * the rule broken, and creates nothing; an accepted name is stored in D1 and
 * returned exactly as accepted (NFC, trimmed).
 */
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { type CreateMemberResponse, NICKNAME_REFUSALS, type RoomState, type StudyPage } from '../../../shared/index.ts';
import { expectJsonError } from '../helpers.ts';
import { ok, signUp, tableCounts, type V1App, v1App } from './client.ts';

const FAMILY = '\u{1F468}\u200D\u{1F469}\u200D\u{1F467}\u200D\u{1F466}';

/** Names the rule accepts: as sent, and as stored and returned. */
const ACCEPTED: [label: string, sent: string, kept: string][] = [
  ['Korean', '하루공부하는학생', '하루공부하는학생'],
  ['Korean in decomposed jamo (kept composed)', '\u1112\u1161\u1105\u116E', '하루'],
  ['10 accented letters written with combining marks (kept as NFC)', 'e\u0301'.repeat(10), '\u00E9'.repeat(10)],
  ['10 letters with combining marks NFC cannot join', 'n\u0308'.repeat(10), 'n\u0308'.repeat(10)],
  ['2 family emoji', FAMILY.repeat(2), FAMILY.repeat(2)],
  ['10 family emoji', FAMILY.repeat(10), FAMILY.repeat(10)],
  ['spaces around (trimmed)', '  하루  ', '하루'],
];

/** Names the rule refuses, and the message (after `nickname: `) the 400 says. */
const REFUSED: [label: string, sent: string, message: string][] = [
  ['zero-width characters only', '\u200B\u200C\u200D\u2060\uFEFF', NICKNAME_REFUSALS.invisible],
  ['a Hangul filler only', '\u3164', NICKNAME_REFUSALS.invisible],
  ['a combining mark only', '\u0301', NICKNAME_REFUSALS.invisible],
  ['"host" spelled backwards behind a right-to-left override', '\u202Etsoh', NICKNAME_REFUSALS.bidi],
  ['a left-to-right mark', 'hana\u200E', NICKNAME_REFUSALS.bidi],
  ['NUL', 'ha\u0000na', NICKNAME_REFUSALS.control],
  ['BEL', 'hana\u0007', NICKNAME_REFUSALS.control],
  ['a lone surrogate', 'ha\uD800na', NICKNAME_REFUSALS.illFormed],
  ['11 letters', 'abcdefghijk', 'Too big: expected string to have <=10 characters'],
  ['11 family emoji', FAMILY.repeat(11), 'Too big: expected string to have <=10 characters'],
  ['spaces only', '   ', 'Too small: expected string to have >=1 characters'],
];

/** A call that carries `nickname` to one route. */
type Send = (nickname: string) => ReturnType<V1App['call']>;

/** The nickname column of one row, read straight from D1. */
async function storedNickname(table: 'member' | 'participant', id: string): Promise<string | undefined> {
  const row = await env.DB.prepare(`SELECT nickname FROM ${table} WHERE id = ?`).bind(id).first<{ nickname: string }>();
  return row?.nickname;
}

/** Sends `nickname` through `send` and expects a 400 that names the field and the rule, with nothing created. */
async function expectRefused(send: Send, nickname: string, message: string): Promise<void> {
  const before = await tableCounts();
  const error = await expectJsonError(await send(nickname), 400, 'invalid_body');
  expect(error.message).toBe(`nickname: ${message}`);
  expect(error.issues).toEqual([{ path: 'nickname', message }]);
  expect(await tableCounts()).toEqual(before);
}

describe('POST /api/v1/members', () => {
  it.each(ACCEPTED)('accepts %s, storing and returning it as accepted', async (_, sent, kept) => {
    const api = v1App();
    const created = await ok<CreateMemberResponse>(api.call('POST', '/members', { nickname: sent }), 201);
    expect(created.member.nickname).toBe(kept);
    expect(await storedNickname('member', created.member.id)).toBe(kept);
    const me = await ok<{ member: { nickname: string } }>(api.call('GET', '/members/me', undefined, created.token));
    expect(me.member.nickname).toBe(kept);
  });

  it.each(REFUSED)('refuses %s with 400, the field and the rule, and creates nothing', async (_, sent, message) => {
    const api = v1App();
    await expectRefused((nickname) => api.call('POST', '/members', { nickname }), sent, message);
  });
});

describe('every other door a nickname comes in by', () => {
  /** Each door's setup (sign-ups, a room to join), then the call that carries the nickname. */
  const doors: [door: string, open: (api: V1App) => Promise<Send>][] = [
    [
      'POST /api/v1/studies (solo)',
      async (api) => {
        const { token } = await signUp(api);
        return (nickname) =>
          api.call(
            'POST',
            '/studies',
            { name: 'math', totalCycles: 1, minutesPerCycle: 25, mode: 'solo', nickname },
            token,
          );
      },
    ],
    [
      'POST /api/v2/studies',
      async (api) => {
        const { token } = await signUp(api);
        return (nickname) =>
          api.call('POST', '/api/v2/studies', { name: 'live', totalCycles: 1, minutesPerCycle: 25, nickname }, token);
      },
    ],
    [
      'POST /api/v2/studies/join',
      async (api) => {
        const host = await signUp(api, 'host');
        const room = await ok<{ state: RoomState }>(
          api.call('POST', '/api/v2/studies', { name: 'live', totalCycles: 1, minutesPerCycle: 25 }, host.token),
          201,
        );
        const { token } = await signUp(api, 'guest');
        return (nickname) => api.call('POST', '/api/v2/studies/join', { code: room.state.code, nickname }, token);
      },
    ],
  ];

  // One name per rule: sign-ups and code guesses are rate limited, so each door is set up once.
  const onePerRule = REFUSED.filter(([, , message], i) => REFUSED.findIndex(([, , other]) => other === message) === i);

  describe.each(doors)('%s', (_, open) => {
    let send: Send;
    // API level 2 serves the v1 routes and the room routes alike.
    beforeAll(async () => {
      send = await open(v1App({ apiLevel: 2 }));
    });

    it.each(onePerRule)('refuses %s with the same 400 and creates nothing', async (__, sent, message) => {
      await expectRefused(send, sent, message);
    });

    it('stores and returns an accepted name as NFC', async () => {
      const body = await ok<StudyPage | { participantId: string; state: RoomState }>(send('e\u0301'.repeat(10)), 201);
      const [id, returned] =
        'me' in body
          ? [body.me.progressId, body.me.nickname]
          : [body.participantId, body.state.participants.find((p) => p.id === body.participantId)?.nickname];
      expect(returned).toBe('\u00E9'.repeat(10));
      expect(await storedNickname('participant', id)).toBe('\u00E9'.repeat(10));
    });
  });
});
