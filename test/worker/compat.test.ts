/**
 * Proves the compat gate of DESIGN §4: every answer names the worker version
 * and the API range it serves; API calls outside the range get a 409 the
 * client can act on; malformed compat headers get a 400; pages and assets are
 * never refused, so an old page can always load.
 */
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { COMPAT, compatErrorSchema, versionInfoSchema } from '../../shared/index.ts';
import { appFor, buildA, expectJsonError, expectVersionHeaders, type FakeBuild, publish } from './helpers.ts';

let a: FakeBuild;

beforeAll(async () => {
  a = await buildA('compatcompat0001');
  await publish(a);
});

const api = (level: string) => ({ headers: { [COMPAT.apiHeader]: level } });

describe('version headers on every answer', () => {
  const cases: [string, string, RequestInit, number][] = [
    ['API 200', '/api/version', {}, 200],
    ['API 400', '/api/version', api('abc'), 400],
    ['API 404', '/api/nope', {}, 404],
    ['API 405', '/api/version', { method: 'POST' }, 405],
    ['API 409', '/api/version', api('7'), 409],
    ['page 200', '/study/abc', {}, 200],
    ['page 304', '/', { headers: { 'If-None-Match': '"compatcompat0001"' } }, 304],
    ['page 405', '/', { method: 'POST' }, 405],
    ['asset 200', '/assets/main-AAAAAAAA.css', {}, 200],
    ['asset 304', '/assets/main-AAAAAAAA.css', { headers: { 'If-None-Match': '*' } }, 304],
    ['asset 404', '/assets/main-ZZZZZZZZ.css', {}, 404],
    ['file 404', '/favicon.ico', {}, 404],
    ['health 200', '/healthz', {}, 200],
    ['health 405', '/healthz', { method: 'DELETE' }, 405],
  ];

  it.each(cases)('%s carries X-Haru-Version and X-Haru-Api-Range', async (_, path, init, status) => {
    const res = await appFor(a).request(path, init, env);
    expect(res.status).toBe(status);
    expectVersionHeaders(res, '1-1');
    await res.arrayBuffer();
  });

  it('carries them on the 503 of an unpublished build', async () => {
    const res = await appFor({ id: 'compatunpublish1', apiLevel: 1 }).request('/', {}, env);
    await expectJsonError(res, 503, 'build_not_published');
    expectVersionHeaders(res, '1-1');
  });

  it('names the range of the build: level 3 serves 2-3', async () => {
    const app = appFor({ id: 'compatlevel3abcd', apiLevel: 3 });
    for (const path of ['/api/version', '/healthz', '/assets/main-AAAAAAAA.js', '/api/nope']) {
      const res = await app.request(path, {}, env);
      expectVersionHeaders(res, '2-3');
      await res.arrayBuffer();
    }
  });

  it('names the version /api/version reports, which is the version metadata binding', async () => {
    const res = await appFor(a).request('/api/version', {}, env);
    const body = versionInfoSchema.parse(await res.json());
    expect(res.headers.get(COMPAT.versionHeader)).toBe(body.version);
    expect(body.versionId).toBe(env.CF_VERSION_METADATA.id);
    expect(body.version).toBe(env.CF_VERSION_METADATA.tag || env.CF_VERSION_METADATA.id);
  });

  it('sends no X-Haru-Compat when nothing is wrong', async () => {
    const res = await appFor(a).request('/api/version', api('1'), env);
    expect(res.status).toBe(200);
    expect(res.headers.get(COMPAT.compatHeader)).toBeNull();
    await res.arrayBuffer();
  });
});

describe('GET /api/version', () => {
  it('serves a caller with no compat headers (curl) as the current level', async () => {
    const res = await appFor(a).request('/api/version', {}, env);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({
      version: env.CF_VERSION_METADATA.tag || env.CF_VERSION_METADATA.id,
      versionId: env.CF_VERSION_METADATA.id,
      build: 'compatcompat0001',
      apiLevel: 1,
      apiRange: { min: 1, max: 1 },
    });
  });

  it.each(['2', '3'])('accepts X-Haru-Api: %s on a level-3 worker (its own and the previous)', async (level) => {
    const res = await appFor({ id: 'compatlevel3abcd', apiLevel: 3 }).request('/api/version', api(level), env);
    expect(res.status).toBe(200);
    expect(versionInfoSchema.parse(await res.json())).toMatchObject({
      build: 'compatlevel3abcd',
      apiLevel: 3,
      apiRange: { min: 2, max: 3 },
    });
  });

  it.each([
    ['1', 'client_outdated'],
    ['0', 'client_outdated'],
    ['4', 'client_too_new'],
    ['9999', 'client_too_new'],
  ])('answers X-Haru-Api: %s on a level-3 worker with 409 %s and X-Haru-Compat: reload', async (level, code) => {
    const res = await appFor({ id: 'compatlevel3abcd', apiLevel: 3 }).request('/api/version', api(level), env);
    expect(res.status).toBe(409);
    expect(res.headers.get(COMPAT.compatHeader)).toBe('reload');
    expectVersionHeaders(res, '2-3');
    const body = compatErrorSchema.parse(await res.json());
    expect(body).toEqual({
      error: code,
      message: expect.stringMatching(/Reload/),
      serverVersion: res.headers.get(COMPAT.versionHeader),
      apiRange: { min: 2, max: 3 },
    });
  });

  it('gates every API path, not only /api/version', async () => {
    const res = await appFor(a).request('/api/anything', api('2'), env);
    expect(res.status).toBe(409);
    expect(res.headers.get(COMPAT.compatHeader)).toBe('reload');
    expect(await res.json()).toMatchObject({ error: 'client_too_new', apiRange: { min: 1, max: 1 } });
  });

  it.each(['abc', '1.5', '-1', '', '1e2', '0x1', '12345', '1 2'])(
    'answers X-Haru-Api: "%s" with 400 bad_api_header',
    async (level) => {
      const res = await appFor(a).request('/api/version', api(level), env);
      const body = await expectJsonError(res, 400, 'bad_api_header');
      expect(body.message).toContain(COMPAT.apiHeader);
      expect(res.headers.get(COMPAT.compatHeader)).toBeNull();
      expectVersionHeaders(res, '1-1');
    },
  );

  it.each(['bad build!', 'a'.repeat(65), '-leadingdash', '.hidden', 'build/../x', 'a"b', 'a,b'])(
    'answers X-Haru-Build: "%s" with 400 bad_build_header',
    async (build) => {
      const headers = { [COMPAT.apiHeader]: '1', [COMPAT.buildHeader]: build };
      const res = await appFor(a).request('/api/version', { headers }, env);
      const body = await expectJsonError(res, 400, 'bad_build_header');
      expect(body.message).toContain(COMPAT.buildHeader);
    },
  );

  it.each(['compatcompat0001', '1.0.0-ab12cd3', 'a'.repeat(64), 'x', 'build_2026.11-rc1'])(
    'accepts X-Haru-Build: %s',
    async (build) => {
      const res = await appFor(a).request(
        '/api/version',
        { headers: { [COMPAT.apiHeader]: '1', [COMPAT.buildHeader]: build } },
        env,
      );
      expect(res.status).toBe(200);
      expect(await res.json()).toMatchObject({ build: 'compatcompat0001', apiLevel: 1 });
    },
  );
});

describe('pages and assets are never refused', () => {
  const outside: [string, Record<string, string>][] = [
    ['an outdated level', { [COMPAT.apiHeader]: '0' }],
    ['a level from the future', { [COMPAT.apiHeader]: '99' }],
    ['a malformed level', { [COMPAT.apiHeader]: 'abc' }],
    ['a malformed build', { [COMPAT.apiHeader]: '1', [COMPAT.buildHeader]: 'bad build!' }],
  ];

  it.each(outside)('serves the page to a client with %s', async (_, headers) => {
    const res = await appFor(a).request('/study/abc', { headers }, env);
    expect(res.status).toBe(200);
    expect(res.headers.get(COMPAT.compatHeader)).toBeNull();
    expect(await res.text()).toBe(a.html);
  });

  it.each(outside)('serves assets to a client with %s', async (_, headers) => {
    const res = await appFor(a).request('/assets/chunk-AONLY001.js', { headers }, env);
    expect(res.status).toBe(200);
    expect(res.headers.get(COMPAT.compatHeader)).toBeNull();
    expect(await res.text()).toBe('export const lazy = "only in A";\n');
  });

  it.each(outside)('answers /healthz to a caller with %s', async (_, headers) => {
    const res = await appFor(a).request('/healthz', { headers }, env);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });
});
