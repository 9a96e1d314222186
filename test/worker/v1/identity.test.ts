/**
 * Guest identity: a nickname gets a signed token; every learner endpoint
 * refuses a missing, malformed, non-canonical, forged or expired token with
 * 401 (never a 500); a token a day old comes back renewed, and one signed
 * with the previous secret during a rotation too; without TOKEN_SECRET the
 * calls that need it answer 503; bad bodies get a specific 400/413 and
 * create nothing.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { TOKEN_RENEWAL_HEADER } from '../../../shared/index.ts';
import {
  readToken,
  signToken,
  TOKEN_CLOCK_SKEW_MS,
  TOKEN_LIFETIME_MS,
  TOKEN_RENEW_AFTER_MS,
} from '../../../worker/identity/token.ts';
import { forgedSignatures, sameBytesOtherSpellings } from '../credentials.ts';
import { expectJsonError } from '../helpers.ts';
import { ok, signUp, tableCounts, type V1App, v1App } from './client.ts';

/** Calls `path` with `token` as the bearer token against the app with other bindings (`bindings`). */
function callWith(api: V1App, bindings: Env, method: string, path: string, token?: string, body?: unknown) {
  return api.app.request(
    `/api/v1${path}`,
    {
      method,
      headers: {
        ...(token ? { Authorization: `Bearer ${token}` } : {}),
        ...(body ? { 'Content-Type': 'application/json' } : {}),
      },
      body: body ? JSON.stringify(body) : undefined,
    },
    bindings,
  );
}

describe('POST /api/v1/members', () => {
  it('creates a member with a token that works', async () => {
    const api = v1App();
    const { member, token } = await signUp(api, '  하루  ');
    expect(member.nickname).toBe('하루');
    expect(member.id).toMatch(/^[0-9a-f-]{36}$/);
    const me = await ok<{ member: { id: string; nickname: string } }>(api.call('GET', '/members/me', undefined, token));
    expect(me.member).toEqual(member);
  });

  it.each([
    ['empty nickname', { nickname: '   ' }, /^nickname: Too small/],
    [
      '11-character nickname',
      { nickname: 'abcdefghijk' },
      /^nickname: Too big: expected string to have <=10 characters$/,
    ],
    ['missing nickname', {}, /^nickname: Invalid input: expected string/],
    ['unknown field', { nickname: 'hana', admin: true }, /^body: Unrecognized key: "admin"$/],
    ['number nickname', { nickname: 5 }, /^nickname: Invalid input: expected string, received number$/],
  ])(
    'rejects %s with 400 invalid_body, a message that says what is wrong, and creates nothing',
    async (_, body, message) => {
      const api = v1App();
      const before = await tableCounts();
      const res = await api.call('POST', '/members', body);
      const error = await expectJsonError(res, 400, 'invalid_body');
      expect(Array.isArray(error.issues) && error.issues.length > 0).toBe(true);
      expect(error.message).toMatch(message);
      expect(await tableCounts()).toEqual(before);
    },
  );

  it('rejects malformed JSON with 400 invalid_json', async () => {
    await expectJsonError(await v1App().call('POST', '/members', '{"nickname":'), 400, 'invalid_json');
  });

  it('rejects a body over 16 KiB with 413', async () => {
    const api = v1App();
    const before = await tableCounts();
    const res = await api.call('POST', '/members', JSON.stringify({ nickname: 'x'.repeat(17 * 1024) }));
    await expectJsonError(res, 413, 'body_too_large');
    expect(await tableCounts()).toEqual(before);
  });

  it('refuses an oversized body sent without Content-Length with 413 while it streams in', async () => {
    const api = v1App();
    const before = await tableCounts();
    const chunk = new TextEncoder().encode(`{"nickname":"${'x'.repeat(1024)}`);
    let sent = 0;
    const body = new ReadableStream<Uint8Array>({
      pull(controller) {
        // Far more than 16 KiB if read to the end; the limit stops reading long before.
        if (sent++ < 1024) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await api.app.request(
      '/api/v1/members',
      { method: 'POST', headers: { 'Content-Type': 'application/json' }, body },
      api.env,
    );
    await expectJsonError(res, 413, 'body_too_large');
    expect(sent).toBeLessThan(64);
    expect(await tableCounts()).toEqual(before);
  });

  it('reads a body only as JSON: sent as another type it is 415 unsupported_media_type, saying which', async () => {
    const api = v1App();
    const before = await tableCounts();
    for (const type of ['text/plain', 'application/x-www-form-urlencoded', 'multipart/form-data; boundary=x']) {
      const res = await api.app.request(
        '/api/v1/members',
        { method: 'POST', headers: { 'Content-Type': type }, body: '{"nickname":"hana"}' },
        api.env,
      );
      const body = await expectJsonError(res, 415, 'unsupported_media_type');
      expect(body.message).toBe(`Send the body as JSON with Content-Type: application/json, not ${type}.`);
    }
    expect(await tableCounts()).toEqual(before);
    // JSON with parameters, or a +json type, is JSON.
    for (const type of ['application/json; charset=utf-8', 'application/merge-patch+json']) {
      const res = await api.app.request(
        '/api/v1/members',
        { method: 'POST', headers: { 'Content-Type': type }, body: '{"nickname":"hana"}' },
        api.env,
      );
      expect(res.status).toBe(201);
    }
  });

  it('answers 405 for other methods', async () => {
    const res = await v1App().call('GET', '/members');
    await expectJsonError(res, 405, 'method_not_allowed');
    expect(res.headers.get('Allow')).toBe('POST');
  });
});

/** The member a token signed with `secret` names at `now`, or null. */
async function memberOf(secret: string, token: string, now: number): Promise<string | null> {
  return (await readToken({ current: secret }, token, now))?.memberId ?? null;
}

describe('tokens', () => {
  it('verifies only what it signed', async () => {
    const id = crypto.randomUUID();
    const now = Date.UTC(2026, 10, 25);
    const token = await signToken('secret-one', id, now);
    expect(await memberOf('secret-one', token, now)).toBe(id);
    expect(await memberOf('secret-two', token, now)).toBeNull();
    const [, issued, signature] = token.split('.');
    expect(await memberOf('secret-one', `${crypto.randomUUID()}.${issued}.${signature}`, now)).toBeNull();
    expect(await memberOf('secret-one', `${id}.${issued}.${signature?.slice(0, -2)}AA`, now)).toBeNull();
    expect(await memberOf('secret-one', 'not a token', now)).toBeNull();
  });

  it.each([
    ['no header', undefined],
    ['garbage', 'Bearer nonsense'],
    ['wrong scheme', 'Basic abc'],
  ])('GET /members/me with %s is 401', async (_, header) => {
    const api = v1App();
    const res = await api.app.request(
      '/api/v1/members/me',
      { headers: header ? { Authorization: header } : {} },
      api.env,
    );
    await expectJsonError(res, 401, 'unauthorized');
    expect(res.headers.get('WWW-Authenticate')).toBe('Bearer');
  });

  it('refuses a token signed with another secret', async () => {
    const api = v1App();
    const { member } = await signUp(api);
    const forged = await signToken('not-the-secret', member.id, api.clock.now());
    await expectJsonError(await api.call('GET', '/members/me', undefined, forged), 401, 'unauthorized');
    expect(env.TOKEN_SECRET).not.toBe('not-the-secret');
  });

  it('refuses a valid signature for a member that does not exist', async () => {
    const api = v1App();
    const token = await signToken(env.TOKEN_SECRET, crypto.randomUUID(), api.clock.now());
    await expectJsonError(await api.call('GET', '/members/me', undefined, token), 401, 'unauthorized');
    await expectJsonError(
      await api.call('POST', '/studies', { name: 'x', totalCycles: 1, minutesPerCycle: 20, mode: 'solo' }, token),
      401,
      'unauthorized',
    );
  });

  it.each([
    ['POST', '/studies'],
    ['POST', '/studies/join'],
    ['GET', '/studies/abc'],
    ['PUT', '/progress/abc/plan'],
    ['PUT', '/progress/abc/retrospect'],
    ['POST', '/progress/abc/advance'],
    ['GET', '/studies/abc/records'],
    ['GET', '/me/records'],
  ])('%s %s needs a token', async (method, path) => {
    const body = method === 'GET' ? undefined : {};
    await expectJsonError(await v1App().call(method, path, body), 401, 'unauthorized');
  });
});

describe('malformed tokens', () => {
  it('are refused by the token reader without an exception, whatever their shape', async () => {
    const now = Date.UTC(2026, 10, 25);
    const id = crypto.randomUUID();
    const shapes = [
      ...forgedSignatures().map((signature) => `${id}.${now}.${signature}`),
      ...forgedSignatures(),
      ...[
        '',
        '.',
        '..',
        '...',
        `${id}`,
        `${id}.${now}`,
        `${id}.${now}.`,
        `.${now}.x`,
        `${id}..x`,
        `${id.toUpperCase()}.${now}.x`,
      ],
      ...['0', '01', '-1', '1e5', '9'.repeat(17), ' 1', '1.5'].map((issued) => `${id}.${issued}.${'A'.repeat(43)}`),
    ];
    for (const token of shapes) {
      await expect(
        readToken({ current: 'secret-one', previous: 'secret-zero' }, token, now),
        token,
      ).resolves.toBeNull();
    }
  });

  it('answer 401, never 500, for every signature length and alphabet', async () => {
    const api = v1App();
    const { member } = await signUp(api);
    const issued = api.clock.now();
    for (const signature of forgedSignatures()) {
      const res = await api.app.request(
        '/api/v1/members/me',
        { headers: { Authorization: `Bearer ${member.id}.${issued}.${signature}` } },
        api.env,
      );
      expect(res.status, JSON.stringify(signature)).toBe(401);
    }
  });

  it.each([
    ['GET', '/members/me'],
    ['POST', '/studies'],
    ['GET', '/me/records'],
    ['GET', '/api/v2/studies/abc'],
    ['POST', '/api/v2/studies/join'],
  ])(
    '%s %s answers 401 to signatures of 1, 5 and 9 characters (the lengths base64 decoding throws on)',
    async (method, path) => {
      const api = v1App();
      for (const signature of ['A', 'AAAAA', 'AAAAAAAAA']) {
        const token = `${crypto.randomUUID()}.${api.clock.now()}.${signature}`;
        await expectJsonError(
          await api.call(method, path, method === 'GET' ? undefined : {}, token),
          401,
          'unauthorized',
        );
      }
    },
  );
});

describe('one spelling per token', () => {
  it('refuses the spellings that decode to the same signature bytes', async () => {
    const api = v1App();
    const { token } = await signUp(api);
    expect((await api.call('GET', '/members/me', undefined, token)).status).toBe(200);
    for (const twin of sameBytesOtherSpellings(token)) {
      await expectJsonError(await api.call('GET', '/members/me', undefined, twin), 401, 'unauthorized');
    }
  });
});

describe('token lifetime', () => {
  it('is 90 days from issue: the last millisecond still works, the next is a 401', async () => {
    const api = v1App();
    const { token } = await signUp(api);
    api.clock.time += TOKEN_LIFETIME_MS - 1;
    expect((await api.call('GET', '/members/me', undefined, token)).status).toBe(200);
    api.clock.time += 1;
    await expectJsonError(await api.call('GET', '/members/me', undefined, token), 401, 'unauthorized');
  });

  it('refuses a token issued in 1970, and one issued further in the future than 5 minutes of clock skew', async () => {
    const api = v1App();
    const { member } = await signUp(api);
    const now = api.clock.now();
    const at = (issuedAt: number) => signToken(env.TOKEN_SECRET, member.id, issuedAt);
    await expectJsonError(await api.call('GET', '/members/me', undefined, await at(1)), 401, 'unauthorized');
    expect((await api.call('GET', '/members/me', undefined, await at(now + TOKEN_CLOCK_SKEW_MS))).status).toBe(200);
    await expectJsonError(
      await api.call('GET', '/members/me', undefined, await at(now + TOKEN_CLOCK_SKEW_MS + 1)),
      401,
      'unauthorized',
    );
  });
});

describe('token renewal', () => {
  it('hands a fresh token back on a call a day after issue, and the fresh one outlives the old', async () => {
    const api = v1App();
    const { member, token } = await signUp(api);
    const early = await api.call('GET', '/members/me', undefined, token);
    expect(early.status).toBe(200);
    expect(early.headers.get(TOKEN_RENEWAL_HEADER)).toBeNull();

    api.clock.time += TOKEN_RENEW_AFTER_MS;
    const later = await api.call('GET', '/members/me', undefined, token);
    expect(later.status).toBe(200);
    const fresh = later.headers.get(TOKEN_RENEWAL_HEADER);
    expect(fresh).toBe(await signToken(env.TOKEN_SECRET, member.id, api.clock.now()));

    api.clock.time += TOKEN_LIFETIME_MS - TOKEN_RENEW_AFTER_MS;
    await expectJsonError(await api.call('GET', '/members/me', undefined, token), 401, 'unauthorized');
    expect((await api.call('GET', '/members/me', undefined, fresh ?? '')).status).toBe(200);
  });

  it('rides on answers that succeed, not on refusals', async () => {
    const api = v1App();
    const { token } = await signUp(api);
    api.clock.time += TOKEN_RENEW_AFTER_MS;
    const created = await api.call(
      'POST',
      '/studies',
      { name: 'x', totalCycles: 1, minutesPerCycle: 20, mode: 'solo' },
      token,
    );
    expect(created.status).toBe(201);
    expect(created.headers.get(TOKEN_RENEWAL_HEADER)).toMatch(/\S/);
    const missing = await api.call('GET', '/api/v2/studies/nope', undefined, token);
    expect(missing.status).toBe(404);
    expect(missing.headers.get(TOKEN_RENEWAL_HEADER)).toBeNull();
  });
});

describe('rotating TOKEN_SECRET', () => {
  it('accepts the previous secret during the window and renews onto the new one; new tokens use the new one only', async () => {
    const api = v1App();
    const { member, token } = await signUp(api);
    const rotated: Env = { ...api.env, TOKEN_SECRET: 'the-rotated-secret', TOKEN_SECRET_PREVIOUS: env.TOKEN_SECRET };

    const res = await callWith(api, rotated, 'GET', '/members/me', token);
    expect(res.status).toBe(200);
    const fresh = res.headers.get(TOKEN_RENEWAL_HEADER) ?? '';
    expect(await memberOf('the-rotated-secret', fresh, api.clock.now())).toBe(member.id);

    const created = await ok<{ token: string }>(
      callWith(api, rotated, 'POST', '/members', undefined, { nickname: 'new' }),
      201,
    );
    expect(await memberOf('the-rotated-secret', created.token, api.clock.now())).not.toBeNull();
    expect(await memberOf(env.TOKEN_SECRET, created.token, api.clock.now())).toBeNull();

    // The window ends when TOKEN_SECRET_PREVIOUS is removed: a token nobody renewed stops working.
    const after: Env = { ...api.env, TOKEN_SECRET: 'the-rotated-secret' };
    await expectJsonError(await callWith(api, after, 'GET', '/members/me', token), 401, 'unauthorized');
    expect((await callWith(api, after, 'GET', '/members/me', fresh)).status).toBe(200);
  });

  it('still refuses a token signed with neither secret', async () => {
    const api = v1App();
    const { member } = await signUp(api);
    const rotated: Env = { ...api.env, TOKEN_SECRET: 'the-rotated-secret', TOKEN_SECRET_PREVIOUS: env.TOKEN_SECRET };
    const forged = await signToken('a-third-secret', member.id, api.clock.now());
    await expectJsonError(await callWith(api, rotated, 'GET', '/members/me', forged), 401, 'unauthorized');
  });
});

describe('without TOKEN_SECRET', () => {
  it.each([
    ['empty', ''],
    ['unset', undefined],
  ])(
    '(%s) sign-up and every authenticated call answer 503 token_secret_missing, and nothing is created',
    async (_, secret) => {
      const api = v1App();
      const { token } = await signUp(api);
      const broken = { ...api.env, TOKEN_SECRET: secret } as Env;
      const before = await tableCounts();
      const signUpRes = await callWith(api, broken, 'POST', '/members', undefined, { nickname: 'hana' });
      const body = await expectJsonError(signUpRes, 503, 'token_secret_missing');
      expect(body.message).toContain('TOKEN_SECRET');
      // Before the body is looked at: a bad one is still the server's 503.
      await expectJsonError(
        await callWith(api, broken, 'POST', '/members', undefined, { nickname: '' }),
        503,
        'token_secret_missing',
      );
      await expectJsonError(await callWith(api, broken, 'GET', '/members/me', token), 503, 'token_secret_missing');
      await expectJsonError(
        await callWith(api, broken, 'POST', '/studies', token, {
          name: 'x',
          totalCycles: 1,
          minutesPerCycle: 20,
          mode: 'solo',
        }),
        503,
        'token_secret_missing',
      );
      expect(await tableCounts()).toEqual(before);
      // The socket door's reader refuses rather than throws.
      expect(await memberOf(secret as string, token, api.clock.now())).toBeNull();
    },
  );
});
