/**
 * Response headers every answer carries, and those of personal answers:
 * `Strict-Transport-Security` on pages, assets, API answers and errors alike;
 * `Cache-Control: no-store` on every API answer (a learner's own data, or a
 * renewed token) while assets stay immutable and the page `no-cache`.
 */
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import type { StudyPage } from '../../shared/index.ts';
import { appFor, buildA, type FakeBuild, publish } from './helpers.ts';
import { ok, signUp, v1App } from './v1/client.ts';

const HSTS = 'max-age=15552000; includeSubDomains';

let a: FakeBuild;

beforeAll(async () => {
  a = await buildA('headersheaders01');
  await publish(a);
});

describe('Strict-Transport-Security', () => {
  it.each([
    ['the page', 'GET', '/study/abc', 200],
    ['an asset', 'GET', '/assets/main-AAAAAAAA.js', 200],
    ['an API answer', 'GET', '/api/version', 200],
    ['an API 404', 'GET', '/api/nope', 404],
    ['a 401', 'GET', '/api/v1/members/me', 401],
    ['a 405', 'POST', '/healthz', 405],
    ['the health check', 'GET', '/healthz', 200],
    ['the operator sign-in form', 'GET', '/ops', 401],
    ['an unknown file', 'GET', '/favicon.ico', 404],
  ])('is on %s (%s %s)', async (_, method, path, status) => {
    const res = await appFor(a).request(path, { method }, env);
    expect(res.status).toBe(status);
    expect(res.headers.get('Strict-Transport-Security')).toBe(HSTS);
    // The headers that were there before stay, with the same values.
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(res.headers.get('Referrer-Policy')).toBe('strict-origin-when-cross-origin');
  });

  it('comes with no framing rule or CSP on answers that are not pages, as before', async () => {
    const res = await appFor(a).request('/api/version', {}, env);
    expect(res.headers.get('X-Frame-Options')).toBeNull();
    expect(res.headers.get('Content-Security-Policy')).toBeNull();
    const page = await appFor(a).request('/', {}, env);
    expect(page.headers.get('X-Frame-Options')).toBe('DENY');
    expect(page.headers.get('Content-Security-Policy')).toMatch(/script-src 'self'/);
  });
});

describe('the page security headers', () => {
  it('are the same on the page and its 304: the whole CSP and DENY framing', async () => {
    const csp =
      "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; object-src 'none'; base-uri 'none'; form-action 'self'; frame-ancestors 'none'";
    const page = await appFor(a).request('/study/abc', {}, env);
    const again = await appFor(a).request(
      '/study/abc',
      { headers: { 'If-None-Match': page.headers.get('ETag') ?? '' } },
      env,
    );
    expect(again.status).toBe(304);
    for (const res of [page, again]) {
      expect(res.headers.get('Content-Security-Policy')).toBe(csp);
      expect(res.headers.get('X-Frame-Options')).toBe('DENY');
      // None of Hono's other defaults.
      expect(res.headers.get('Cross-Origin-Opener-Policy')).toBeNull();
      expect(res.headers.get('X-XSS-Protection')).toBeNull();
    }
  });
});

describe('Cache-Control on personal answers', () => {
  it('is no-store on every learner call: sign-up, me, studies, records, and the live room (create, join, view)', async () => {
    const api = v1App();
    const signUpRes = await api.call('POST', '/members', { nickname: 'hana' });
    expect(signUpRes.status).toBe(201);
    expect(signUpRes.headers.get('Cache-Control')).toBe('no-store');
    const { token } = (await signUpRes.json()) as { token: string };
    const guest = await signUp(api, 'jun');

    const study = await ok<StudyPage>(
      api.call('POST', '/studies', { name: 'math', totalCycles: 1, minutesPerCycle: 20, mode: 'solo' }, token),
      201,
    );
    const room = await ok<{ state: { studyId: string; code: string } }>(
      api.call('POST', '/api/v2/studies', { name: 'live', totalCycles: 1, minutesPerCycle: 25 }, token),
      201,
    );
    const calls: [string, string, unknown, string, number][] = [
      ['GET', '/members/me', undefined, token, 200],
      ['POST', '/studies', { name: 'math', totalCycles: 1, minutesPerCycle: 20, mode: 'solo' }, token, 201],
      ['GET', `/studies/${study.study.id}`, undefined, token, 200],
      ['GET', `/studies/${study.study.id}/records`, undefined, token, 200],
      ['GET', '/me/records', undefined, token, 200],
      ['POST', '/api/v2/studies', { name: 'live', totalCycles: 1, minutesPerCycle: 25 }, token, 201],
      ['POST', '/api/v2/studies/join', { code: room.state.code, nickname: 'jun' }, guest.token, 201],
      ['GET', `/api/v2/studies/${room.state.studyId}`, undefined, token, 200],
      ['GET', '/api/version', undefined, token, 200],
      ['GET', '/members/me', undefined, 'not-a-token', 401],
    ];
    for (const [method, path, body, caller, status] of calls) {
      const res = await api.call(method, path, body, caller);
      expect(res.status, `${method} ${path}`).toBe(status);
      expect(res.headers.get('Cache-Control'), `${method} ${path}`).toBe('no-store');
    }
  });

  it('leaves the caching of assets and the page as they were', async () => {
    expect((await appFor(a).request('/assets/main-AAAAAAAA.js', {}, env)).headers.get('Cache-Control')).toBe(
      'public, max-age=31536000, immutable',
    );
    expect((await appFor(a).request('/study/abc', {}, env)).headers.get('Cache-Control')).toBe('no-cache');
  });
});
