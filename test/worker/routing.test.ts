/**
 * Proves the worker turns bad input into the right JSON error, never into the
 * SPA page: unknown API paths, traversal and encoded-slash asset paths,
 * unpublished hashes, stray files, wrong methods (405 with Allow), and a
 * storage failure (500 that leaks nothing).
 */
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it, vi } from 'vitest';
import { appFor, buildA, expectJsonError, expectVersionHeaders, type FakeBuild, publish } from './helpers.ts';

let a: FakeBuild;

beforeAll(async () => {
  a = await buildA('routingrouting01');
  await publish(a);
});

describe('unknown paths', () => {
  it.each(['/api/nope', '/api/version/extra', '/api', '/api/'])('GET %s is a 404 JSON, not the page', async (path) => {
    const res = await appFor(a).request(path, {}, env);
    const body = await expectJsonError(res, 404, 'not_found');
    expect(body.message).toContain(path);
    expectVersionHeaders(res, '1-1');
  });

  it('serves the page for an unknown client route', async () => {
    const res = await appFor(a).request('/no/such/page', {}, env);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toBe('text/html; charset=utf-8');
    expect(await res.text()).toBe(a.html);
  });

  it.each(['/favicon.ico', '/robots.txt', '/main-AAAAAAAA.js', '/build/routingrouting01/index.html'])(
    'GET %s (a file outside /assets) is a 404 JSON',
    async (path) => {
      const res = await appFor(a).request(path, {}, env);
      await expectJsonError(res, 404, 'not_found');
      expect(res.headers.get('Content-Security-Policy')).toBeNull();
    },
  );
});

describe('asset paths that name no published asset', () => {
  it.each([
    // `..` is resolved by URL parsing before routing; what is left is no asset.
    ['/assets/../main-AAAAAAAA.js', 'not_found'],
    ['/assets/%2e%2e/build/routingrouting01/index.html', 'not_found'],
    ['/assets/%2E%2E/main-AAAAAAAA.js', 'not_found'],
    ['/assets/.%2e/main-AAAAAAAA.js', 'not_found'],
    ['/assets/..%2Fbuild%2Frouting%2Findex.html', 'asset_not_found'],
    ['/assets/x%2Fmain-AAAAAAAA.js', 'asset_not_found'],
    ['/assets/x%2fmain-AAAAAAAA.js', 'asset_not_found'],
    ['/assets/main-AAAAAAAA%2Ejs', 'asset_not_found'],
    ['/assets/sub/main-AAAAAAAA.js', 'asset_not_found'],
    ['/assets/main-AAAAAAAA.js/', 'asset_not_found'],
    ['/assets/main-AAAAAAAA.html', 'asset_not_found'],
    ['/assets/main.js', 'asset_not_found'],
    ['/assets/', 'asset_not_found'],
    ['/assets', 'asset_not_found'],
    // Valid shape, never published.
    ['/assets/main-ZZZZZZZZ.js', 'asset_not_found'],
    ['/assets/chunk-0123456789ABCDEF.js', 'asset_not_found'],
  ])('GET %s is a 404 JSON %s', async (path, code) => {
    const res = await appFor(a).request(path, {}, env);
    await expectJsonError(res, 404, code);
    expect(res.headers.get('Cache-Control')).toBeNull();
    expect(res.headers.get('Content-Security-Policy')).toBeNull();
    expectVersionHeaders(res, '1-1');
  });

  it('does not let an encoded path read a KV key outside asset/', async () => {
    // The page lives at build/<id>/index.html; no asset URL may reach it.
    const res = await appFor(a).request('/assets/..%2F..%2Fbuild%2Froutingrouting01%2Findex.html', {}, env);
    await expectJsonError(res, 404, 'asset_not_found');
  });
});

describe('wrong methods', () => {
  it.each([
    ['POST', '/api/version'],
    ['PUT', '/api/version'],
    ['DELETE', '/assets/main-AAAAAAAA.js'],
    ['POST', '/assets/main-ZZZZZZZZ.js'],
    ['POST', '/'],
    ['PUT', '/study/x'],
    ['DELETE', '/records'],
    ['POST', '/healthz'],
  ])('%s %s is a 405 JSON with Allow: GET, HEAD', async (method, path) => {
    const res = await appFor(a).request(path, { method }, env);
    const body = await expectJsonError(res, 405, 'method_not_allowed');
    expect(body.message).toContain(method);
    expect(res.headers.get('Allow')).toBe('GET, HEAD');
    expectVersionHeaders(res, '1-1');
  });

  it('answers HEAD wherever GET is answered, with the GET status and headers and no body', async () => {
    for (const path of ['/api/version', '/healthz', '/', '/assets/main-AAAAAAAA.js']) {
      const get = await appFor(a).request(path, {}, env);
      const head = await appFor(a).request(path, { method: 'HEAD' }, env);
      expect(head.status, path).toBe(get.status);
      expect(head.headers.get('Content-Type'), path).toBe(get.headers.get('Content-Type'));
      expect(await head.text(), path).toBe('');
    }
  });

  it('still answers 404 for a wrong method on an unknown API path', async () => {
    const res = await appFor(a).request('/api/nope', { method: 'POST' }, env);
    await expectJsonError(res, 404, 'not_found');
    expect(res.headers.get('Allow')).toBeNull();
  });
});

describe('storage failure', () => {
  it('answers 500 internal as JSON, with version headers, and leaks no detail', async () => {
    const error = vi.spyOn(console, 'error').mockImplementation(() => {});
    try {
      const brokenKv = {
        getWithMetadata: () => Promise.reject(new Error('KV is down: secret detail')),
      } as unknown as KVNamespace;
      const res = await appFor(a).request('/study/abc', {}, { ...env, ASSETS_KV: brokenKv });
      const body = await expectJsonError(res, 500, 'internal');
      expect(JSON.stringify(body)).not.toContain('secret detail');
      expectVersionHeaders(res, '1-1');
      expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
      expect(error).toHaveBeenCalledWith(
        'unhandled',
        expect.objectContaining({ message: 'KV is down: secret detail' }),
      );
    } finally {
      error.mockRestore();
    }
  });
});
