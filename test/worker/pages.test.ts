/**
 * Proves the page side of DESIGN §5: every client route gets this worker's
 * build's index.html, never cached long, revalidated by ETag, with a strict
 * Content-Security-Policy; and an unpublished build answers 503, not a blank page.
 */
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { appFor, buildA, expectJsonError, expectVersionHeaders, type FakeBuild, publish } from './helpers.ts';

let a: FakeBuild;

beforeAll(async () => {
  a = await buildA('pagespagespages1');
  await publish(a);
});

/** Asserts the security headers of an HTML answer and returns the CSP directives by name. */
function expectPageSecurity(res: Response): Map<string, string> {
  const csp = res.headers.get('Content-Security-Policy') ?? '';
  const directives = new Map(
    csp.split(';').map((part) => {
      const [name = '', ...values] = part.trim().split(/\s+/);
      return [name, values.join(' ')] as const;
    }),
  );
  expect(directives.get('script-src')).toBe("'self'");
  expect(directives.get('frame-ancestors')).toBe("'none'");
  expect(directives.get('object-src')).toBe("'none'");
  expect(csp).not.toContain('unsafe-inline');
  expect(csp).not.toContain('unsafe-eval');
  expect(res.headers.get('X-Frame-Options')).toBe('DENY');
  expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
  expect(res.headers.get('Referrer-Policy')).toBe('strict-origin-when-cross-origin');
  return directives;
}

describe('client routes', () => {
  it.each(['/', '/study/abc', '/records', '/study/abc/retro', '/some/unknown/page'])(
    'GET %s serves the build page, no-cache, with security headers',
    async (path) => {
      const res = await appFor(a).request(path, {}, env);
      expect(res.status).toBe(200);
      expect(res.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
      expect(res.headers.get('Cache-Control')).toBe('no-cache');
      expect(res.headers.get('ETag')).toBe(`"${a.info.id}"`);
      expectPageSecurity(res);
      expectVersionHeaders(res, '1-1');
      expect(await res.text()).toBe(a.html);
    },
  );

  it('keeps the query string out of routing', async () => {
    const res = await appFor(a).request('/records?week=2026-W48', {}, env);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(a.html);
  });

  it('answers 304 with no body when If-None-Match carries the page etag', async () => {
    const res = await appFor(a).request('/study/abc', { headers: { 'If-None-Match': `"${a.info.id}"` } }, env);
    expect(res.status).toBe(304);
    expect(res.headers.get('ETag')).toBe(`"${a.info.id}"`);
    expect(res.headers.get('Cache-Control')).toBe('no-cache');
    expectPageSecurity(res);
    expect(await res.text()).toBe('');
  });

  it("answers 200 with the page when If-None-Match carries another build's etag", async () => {
    const res = await appFor(a).request('/', { headers: { 'If-None-Match': '"someotherbuild01"' } }, env);
    expect(res.status).toBe(200);
    expect(await res.text()).toBe(a.html);
  });

  it('answers HEAD with the page headers and no body', async () => {
    const res = await appFor(a).request('/records', { method: 'HEAD' }, env);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
    expect(res.headers.get('ETag')).toBe(`"${a.info.id}"`);
    expect(res.body).toBeNull();
  });

  it('answers 503 build_not_published when this build is not in KV', async () => {
    const res = await appFor({ id: 'neverpublished01', apiLevel: 1 }).request('/study/abc', {}, env);
    const body = await expectJsonError(res, 503, 'build_not_published');
    expect(body.message).toContain('neverpublished01');
    expect(res.headers.get('Cache-Control')).toBeNull();
    expectVersionHeaders(res, '1-1');
  });
});

describe('headers on answers that are not pages', () => {
  it('gives JSON answers nosniff and a referrer policy too', async () => {
    const res = await appFor(a).request('/api/version', {}, env);
    expect(res.status).toBe(200);
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(res.headers.get('Referrer-Policy')).toBe('strict-origin-when-cross-origin');
    expect(await res.json()).toMatchObject({ build: a.info.id });
  });

  it('gives assets nosniff, so a script is never sniffed as something else', async () => {
    const res = await appFor(a).request('/assets/main-AAAAAAAA.js', {}, env);
    expect(res.status).toBe(200);
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(await res.text()).toContain('build A');
  });
});
