/**
 * Limits on guessing and flooding (worker/http/rate-limit.ts) through the
 * whole app, on the real rate limiting bindings from wrangler.toml: under a
 * limit everything works; past it a 429 with `Retry-After`, `rate_limited`
 * and the usual headers, and nothing changes. Each test's callers come from
 * made-up addresses of their own (v1App, versionApp), so tests count apart.
 */
import { Hono } from 'hono';
import { describe, expect, it } from 'vitest';
import { COMPAT, type RoomState } from '../../shared/index.ts';
import { clientAddress, NO_ADDRESS } from '../../worker/http/rate-limit.ts';
import { RATE_LIMIT_RULES } from '../../worker/http/rate-limit-rules.ts';
import { expectJsonError, expectVersionHeaders } from './helpers.ts';
import { clockAt, OPS_TOKEN, versionApp } from './ops/app.ts';
import { ok, signUp, tableCounts, type V1App, v1App } from './v1/client.ts';

interface RoomAnswer {
  participantId: string;
  state: RoomState;
}

/**
 * Runs `burst` so that all its calls land in one window of the limiter. The
 * local one (miniflare's) counts in fixed windows aligned to the clock, so a
 * burst that happened to cross a boundary is run again; `burst` makes fresh
 * callers each time. Assertions go after, on what it returns.
 */
async function inOneWindow<T>(periodSeconds: number, burst: () => Promise<T>): Promise<T> {
  const windowOf = (ms: number) => Math.floor(ms / (periodSeconds * 1000));
  for (let attempt = 1; ; attempt++) {
    const start = Date.now();
    const result = await burst();
    if (windowOf(start) === windowOf(Date.now())) return result;
    if (attempt === 2) throw new Error('two bursts in a row crossed a window boundary');
  }
}

/** The API at level 2 (rooms), from a network of its own. */
const v2App = () => v1App({ apiLevel: 2 });

/** A 429 as the limits answer it: the code, `Retry-After` in seconds, the usual X-Haru-* headers; returns the message. */
async function expectRateLimited(res: Response, period: number, range = '1-2'): Promise<string> {
  expect(res.headers.get('Retry-After')).toBe(String(period));
  expectVersionHeaders(res, range);
  const body = await expectJsonError(res, 429, 'rate_limited');
  expect(body.message).toContain(`${period} seconds`);
  return body.message as string;
}

/** A six-letter code that is not `code`. */
function otherCode(code: string, i: number): string {
  const guess = Array.from({ length: 6 }, (_, k) => String.fromCharCode(65 + ((i * 7 + k * 3) % 26))).join('');
  return guess === code ? guess.replace(/^./, (c) => (c === 'A' ? 'B' : 'A')) : guess;
}

/** A host with a waiting room, in `api`'s network. */
async function openRoom(api: V1App) {
  const host = await signUp(api, 'host');
  const opened = await ok<RoomAnswer>(
    api.call('POST', '/api/v2/studies', { name: 'live', totalCycles: 1, minutesPerCycle: 25 }, host.token),
    201,
  );
  return { host, code: opened.state.code, studyId: opened.state.studyId };
}

/** Who is in the room, as its host sees it. */
async function nicknamesIn(api: V1App, room: Awaited<ReturnType<typeof openRoom>>): Promise<string[]> {
  const view = await ok<RoomAnswer>(api.call('GET', `/api/v2/studies/${room.studyId}`, undefined, room.host.token));
  return view.state.participants.map((p) => p.nickname);
}

describe('sign-ups per address (POST /api/v1/members)', () => {
  const { limit, period } = RATE_LIMIT_RULES.signUpsPerAddress;

  it(`takes ${limit} a minute from one address, then answers 429 rate_limited with Retry-After and creates no member; another address still signs up`, {
    timeout: 20_000,
  }, async () => {
    const { statuses, refused, before, after } = await inOneWindow(period, async () => {
      const api = v2App();
      const statuses: number[] = [];
      for (let i = 0; i < limit; i++) statuses.push((await api.call('POST', '/members', { nickname: `l${i}` })).status);
      const before = await tableCounts();
      const refused = await api.call('POST', '/members', { nickname: 'one more' });
      return { statuses, refused, before, after: await tableCounts() };
    });
    expect(statuses).toEqual(Array(limit).fill(201));
    const message = await expectRateLimited(refused, period);
    expect(message).toContain('sign-ups');
    expect(after).toEqual(before);
    // The refusal is the address's, not the app's: the same learner a network away gets in.
    expect((await v2App().call('POST', '/members', { nickname: 'elsewhere' })).status).toBe(201);
  });

  it('lets a class of 30 behind one school address sign up and join one room within a minute, each mistyping the code once', {
    timeout: 30_000,
  }, async () => {
    const { school, room, statuses } = await inOneWindow(period, async () => {
      const school = v2App();
      const room = await openRoom(school);
      const statuses: number[] = [];
      for (let i = 0; i < 30; i++) {
        const learner = await signUp(school, `s${i}`);
        statuses.push(
          (
            await school.call(
              'POST',
              '/api/v2/studies/join',
              { code: otherCode(room.code, i), nickname: `s${i}` },
              learner.token,
            )
          ).status,
        );
        statuses.push(
          (await school.call('POST', '/api/v2/studies/join', { code: room.code, nickname: `s${i}` }, learner.token))
            .status,
        );
      }
      return { school, room, statuses };
    });
    expect(statuses).toEqual(Array.from({ length: 60 }, (_, i) => (i % 2 === 0 ? 404 : 201)));
    expect(await nicknamesIn(school, room)).toHaveLength(31);
  });
});

describe('code guesses (POST /api/v2/studies/join)', () => {
  const perMember = RATE_LIMIT_RULES.joinsPerMember;
  const perAddress = RATE_LIMIT_RULES.joinsPerAddress;

  it(`answers one token's 300 guesses ${perMember.limit} times 404, then 429; the right code then joins nothing, for that member from any address`, {
    timeout: 20_000,
  }, async () => {
    const { room, guesser, statuses, rightCode, school } = await inOneWindow(perMember.period, async () => {
      const school = v2App();
      const room = await openRoom(school);
      const guesser = await signUp(school, 'guesser');
      const statuses = await Promise.all(
        Array.from(
          { length: 300 },
          async (_, i) =>
            (
              await school.call(
                'POST',
                '/api/v2/studies/join',
                { code: otherCode(room.code, i), nickname: 'g' },
                guesser.token,
              )
            ).status,
        ),
      );
      const rightCode = await school.call(
        'POST',
        '/api/v2/studies/join',
        { code: room.code, nickname: 'g' },
        guesser.token,
      );
      return { room, guesser, statuses, rightCode, school };
    });
    expect(statuses.filter((s) => s === 404)).toHaveLength(perMember.limit);
    expect(statuses.filter((s) => s === 429)).toHaveLength(300 - perMember.limit);
    expect(await expectRateLimited(rightCode, perMember.period)).toContain('joining a study');
    expect(await nicknamesIn(school, room)).toEqual(['host']);
    // Per member: another network does not help that token.
    await expectRateLimited(
      await v2App().call('POST', '/api/v2/studies/join', { code: room.code, nickname: 'g' }, guesser.token),
      perMember.period,
    );
    // Independent of the address: a classmate on the same network joins.
    const classmate = await signUp(school, 'classmate');
    expect(
      (await school.call('POST', '/api/v2/studies/join', { code: room.code, nickname: 'mate' }, classmate.token))
        .status,
    ).toBe(201);
    expect(await nicknamesIn(school, room)).toEqual(['host', 'mate']);
  });

  it(`takes ${perAddress.limit} guesses a minute from one address across fresh members, then 429 for a new member there; a member elsewhere still joins`, {
    timeout: 20_000,
  }, async () => {
    const members = Math.ceil(perAddress.limit / perMember.limit);
    const { room, statuses, refused, school } = await inOneWindow(perAddress.period, async () => {
      const school = v2App();
      const room = await openRoom(school);
      const statuses: number[] = [];
      for (let m = 0; m < members; m++) {
        const { token } = await signUp(school, `m${m}`);
        for (let i = 0; i < perMember.limit && statuses.length < perAddress.limit; i++) {
          statuses.push(
            (
              await school.call(
                'POST',
                '/api/v2/studies/join',
                { code: otherCode(room.code, statuses.length), nickname: 'm' },
                token,
              )
            ).status,
          );
        }
      }
      const fresh = await signUp(school, 'fresh');
      const refused = await school.call(
        'POST',
        '/api/v2/studies/join',
        { code: room.code, nickname: 'fresh' },
        fresh.token,
      );
      return { room, statuses, refused, school };
    });
    expect(statuses).toEqual(Array(perAddress.limit).fill(404));
    expect(await expectRateLimited(refused, perAddress.period)).toContain('from your network');
    expect(await nicknamesIn(school, room)).toEqual(['host']);
    const home = v2App();
    const elsewhere = await signUp(home, 'home');
    expect(
      (await home.call('POST', '/api/v2/studies/join', { code: room.code, nickname: 'home' }, elsewhere.token)).status,
    ).toBe(201);
  });
});

describe('operator sign-in attempts per address (POST /ops/login)', () => {
  const { limit, period } = RATE_LIMIT_RULES.opsLoginsPerAddress;
  const form = (token: string): RequestInit => ({
    method: 'POST',
    // The form as this site's own page posts it (operator posts from elsewhere are refused first).
    headers: {
      'Content-Type': 'application/x-www-form-urlencoded',
      Origin: 'http://localhost',
      'Sec-Fetch-Site': 'same-origin',
    },
    body: `token=${encodeURIComponent(token)}`,
  });

  it(`refuses the ${limit + 1}th attempt in a minute with the form again, 429 and a calm sentence, even with the right token; another address signs in`, async () => {
    const { statuses, refused } = await inOneWindow(period, async () => {
      const w = versionApp(clockAt(4000), { version: 'v-limits', build: 'own' });
      const statuses: number[] = [];
      for (let i = 0; i < limit; i++) statuses.push((await w.request('/ops/login', form(`guess-${i}`))).status);
      return { statuses, refused: await w.request('/ops/login', form(OPS_TOKEN)) };
    });
    expect(statuses).toEqual(Array(limit).fill(401));
    expect(refused.status).toBe(429);
    expect(refused.headers.get('Retry-After')).toBe(String(period));
    expect(refused.headers.get('Content-Type')).toMatch(/^text\/html/);
    expect(refused.headers.get('Set-Cookie')).toBeNull();
    expect(refused.headers.get(COMPAT.versionHeader)).toBe('v-limits');
    const html = await refused.text();
    expect(html).toContain(`Please wait ${period} seconds, then sign in again.`);
    expect(html).toMatch(/<form method="post" action="\/ops\/login">/);
    const other = await versionApp(clockAt(4001), { version: 'v-limits', build: 'own' }).request(
      '/ops/login',
      form(OPS_TOKEN),
    );
    expect(other.status).toBe(303);
  });
});

describe('clientAddress', () => {
  const app = new Hono().get('/', (c) => c.text(clientAddress(c)));
  const keyOf = async (address?: string) =>
    (await app.request('/', { headers: address ? { 'CF-Connecting-IP': address } : {} })).text();

  it.each([
    ['IPv4 whole', '203.0.113.7', '203.0.113.7'],
    ['IPv6 as its /64', '2001:db8:1:2:3:4:5:6', '2001:db8:1:2::/64'],
    ['IPv6 elsewhere in the same /64 alike', '2001:DB8:1:2::9', '2001:db8:1:2::/64'],
    ['IPv6 with leading zeros alike', '2001:0db8:0001:0002:ffff::', '2001:db8:1:2::/64'],
    ['the next /64 apart', '2001:db8:1:3::1', '2001:db8:1:3::/64'],
    ['IPv4 inside IPv6 whole', '::ffff:192.0.2.1', '::ffff:192.0.2.1'],
    ['none as the shared no-address key', undefined, NO_ADDRESS],
  ])('keys %s', async (_, address, key) => {
    expect(await keyOf(address)).toBe(key);
  });
});
