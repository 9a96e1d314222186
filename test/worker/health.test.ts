/**
 * Proves `/healthz` answers cheaply for load balancers and the dev loop, with
 * or without KV, and fails with a clear reason when a secret the app cannot
 * serve learners without is missing.
 */
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

  it('touches neither D1 nor KV', async () => {
    // Any use of either binding throws.
    const untouchable = new Proxy(
      {},
      {
        get() {
          throw new Error('/healthz touched storage');
        },
      },
    ) as D1Database & KVNamespace;
    const res = await app.request('/healthz', {}, { ...env, DB: untouchable, ASSETS_KV: untouchable });
    expect(res.status).toBe(200);
  });

  it('answers POST with 405 and Allow', async () => {
    const res = await app.request('/healthz', { method: 'POST' }, env);
    await expectJsonError(res, 405, 'method_not_allowed');
    expect(res.headers.get('Allow')).toBe('GET, HEAD');
  });
});

describe('GET /healthz with a secret missing', () => {
  const app = appFor({ id: 'healthhealth0002', apiLevel: 1 });

  it.each([
    ['empty', ''],
    ['unset', undefined],
  ])('answers 503 token_secret_missing naming TOKEN_SECRET when it is %s', async (_, secret) => {
    const res = await app.request('/healthz', {}, { ...env, TOKEN_SECRET: secret } as Env);
    const body = await expectJsonError(res, 503, 'token_secret_missing');
    expect(body).toMatchObject({ ok: false, missing: ['TOKEN_SECRET'] });
    expect(body.message).toMatch(/^TOKEN_SECRET is not set: no learner can sign up/);
    expectVersionHeaders(res, '1-1');
    const head = await app.request('/healthz', { method: 'HEAD' }, { ...env, TOKEN_SECRET: secret } as Env);
    expect(head.status).toBe(503);
  });

  it('names both when OPS_TOKEN is missing too', async () => {
    const res = await app.request('/healthz', {}, { ...env, TOKEN_SECRET: '', OPS_TOKEN: '' });
    const body = await expectJsonError(res, 503, 'token_secret_missing');
    expect(body.missing).toEqual(['TOKEN_SECRET', 'OPS_TOKEN']);
  });

  it('stays 200 without OPS_TOKEN, since learners are served, and says what is shut', async () => {
    const res = await app.request('/healthz', {}, { ...env, OPS_TOKEN: '' });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      ok: true,
      missing: ['OPS_TOKEN'],
      message: 'OPS_TOKEN is not set: learners are served, but the operator view /ops opens to no one.',
    });
  });
});
