/** Proves `/healthz` answers cheaply for load balancers and the dev loop, with or without KV. */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { appFor, expectJsonError, expectVersionHeaders } from './helpers.ts';

describe('GET /healthz', () => {
  // No build is published in this file: health must not depend on KV.
  const app = appFor({ id: 'healthhealth0001', apiLevel: 1 });

  it('answers 200 {ok: true} as JSON', async () => {
    const res = await app.request('/healthz', {}, env);
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^application\/json/);
    expect(await res.json()).toEqual({ ok: true });
    expectVersionHeaders(res, '1-1');
  });

  it('answers HEAD with 200 and no body', async () => {
    const res = await app.request('/healthz', { method: 'HEAD' }, env);
    expect(res.status).toBe(200);
    expect(res.body).toBeNull();
  });

  it('answers POST with 405 and Allow', async () => {
    const res = await app.request('/healthz', { method: 'POST' }, env);
    await expectJsonError(res, 405, 'method_not_allowed');
    expect(res.headers.get('Allow')).toBe('GET, HEAD');
  });
});
