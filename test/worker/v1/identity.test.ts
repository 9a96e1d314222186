/**
 * Guest identity: a nickname gets a signed token; every learner endpoint
 * refuses a missing, malformed or forged token with 401; bad bodies get a
 * specific 400/413 and create nothing.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { signToken, verifyToken } from '../../../worker/identity/token.ts';
import { expectJsonError } from '../helpers.ts';
import { ok, signUp, tableCounts, v1App } from './client.ts';

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
    ['11-character nickname', { nickname: 'abcdefghijk' }, /^nickname: Too big: expected string to have <=10 characters$/],
    ['missing nickname', {}, /^nickname: Invalid input: expected string/],
    ['unknown field', { nickname: 'hana', admin: true }, /^body: Unrecognized key: "admin"$/],
    ['number nickname', { nickname: 5 }, /^nickname: Invalid input: expected string, received number$/],
  ])('rejects %s with 400 invalid_body, a message that says what is wrong, and creates nothing', async (_, body, message) => {
    const api = v1App();
    const before = await tableCounts();
    const res = await api.call('POST', '/members', body);
    const error = await expectJsonError(res, 400, 'invalid_body');
    expect(Array.isArray(error.issues) && error.issues.length > 0).toBe(true);
    expect(error.message).toMatch(message);
    expect(await tableCounts()).toEqual(before);
  });

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

  it('answers 405 for other methods', async () => {
    const res = await v1App().call('GET', '/members');
    await expectJsonError(res, 405, 'method_not_allowed');
    expect(res.headers.get('Allow')).toBe('POST');
  });
});

describe('tokens', () => {
  it('verifies only what it signed', async () => {
    const id = crypto.randomUUID();
    const token = await signToken('secret-one', id, 1);
    expect(await verifyToken('secret-one', token)).toBe(id);
    expect(await verifyToken('secret-two', token)).toBeNull();
    const [, issued, signature] = token.split('.');
    expect(await verifyToken('secret-one', `${crypto.randomUUID()}.${issued}.${signature}`)).toBeNull();
    expect(await verifyToken('secret-one', `${id}.${issued}.${signature?.slice(0, -2)}AA`)).toBeNull();
    expect(await verifyToken('secret-one', 'not a token')).toBeNull();
  });

  it.each([
    ['no header', undefined],
    ['garbage', 'Bearer nonsense'],
    ['wrong scheme', 'Basic abc'],
  ])('GET /members/me with %s is 401', async (_, header) => {
    const api = v1App();
    const res = await api.app.request('/api/v1/members/me', { headers: header ? { Authorization: header } : {} }, api.env);
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
