/**
 * The operator's browser session (worker/ops/session.ts): signing in once
 * through the form (this site's own: cross-site posts are refused), a cookie
 * that is only a signed expiry in one spelling, and every way it ends.
 */
import { generateSignedCookie } from 'hono/cookie';
import { describe, expect, it } from 'vitest';
import { SESSION_COOKIE, SESSION_MS } from '../../../worker/ops/session.ts';
import { forgedSignatures, sameBytesOtherSpellings } from '../credentials.ts';
import { expectJsonError } from '../helpers.ts';
import { clockAt, OPS_TOKEN, versionApp } from './app.ts';

/** What Chromium sends with a form posted from a page of the same site (`app.request` URLs are http://localhost). */
const SAME_ORIGIN = { Origin: 'http://localhost', 'Sec-Fetch-Site': 'same-origin' };
const FORM = { 'Content-Type': 'application/x-www-form-urlencoded' };

function setUp(hour: number) {
  const clock = clockAt(hour);
  const w = versionApp(clock, { version: `v-session-${hour}`, build: 'own' });
  const signIn = (body: string) =>
    w.request('/ops/login', { method: 'POST', headers: { ...FORM, ...SAME_ORIGIN }, body });
  /** A browser call carrying `cookie`. */
  const withCookie = (path: string, cookie: string) => w.request(path, { headers: { Cookie: cookie } });
  return { clock, w, signIn, withCookie };
}

/** `name=value` of a Set-Cookie header. */
function cookieOf(res: Response): string {
  const header = res.headers.get('Set-Cookie');
  if (!header) throw new Error('no Set-Cookie');
  return header.split(';')[0] as string;
}

describe('signing in at /ops/login', () => {
  it('with the token: back to /ops with a cookie for /ops only (HttpOnly, Secure, SameSite=Strict, 8 hours) that opens the view and its JSON', async () => {
    const { signIn, withCookie } = setUp(3000);
    const res = await signIn(`token=${encodeURIComponent(OPS_TOKEN)}`);
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe('/ops');
    const header = res.headers.get('Set-Cookie') ?? '';
    // Hono's signed cookie: `<expires>.<standard base64 HMAC>`, URI-encoded.
    expect(header).toMatch(new RegExp(`^${SESSION_COOKIE}=\\d+\\.(?:[A-Za-z0-9]|%2B|%2F){43}%3D;`));
    for (const part of [`Max-Age=${SESSION_MS / 1000}`, 'Path=/ops', 'HttpOnly', 'Secure', 'SameSite=Strict'])
      expect(header).toContain(part);
    // The cookie carries no secret.
    expect(header).not.toContain(OPS_TOKEN);

    const cookie = cookieOf(res);
    const page = await withCookie('/ops', cookie);
    expect(page.status).toBe(200);
    const html = await page.text();
    expect(html).toContain('Retire verdicts');
    expect(html).toMatch(/<form method="post" action="\/ops\/logout">/);
    expect((await withCookie('/ops/api/summary', cookie)).status).toBe(200);
  });

  it.each([
    ['a wrong token', 'token=guess'],
    ['no token', ''],
    ['another field', `password=${OPS_TOKEN}`],
  ])('with %s: the form again, 401, no cookie', async (_, body) => {
    const { signIn } = setUp(3001);
    const res = await signIn(body);
    expect(res.status).toBe(401);
    expect(res.headers.get('Set-Cookie')).toBeNull();
    const html = await res.text();
    expect(html).toContain('That is not the operator token.');
    expect(html).toMatch(/<form method="post" action="\/ops\/login">/);
  });

  it('over plain http on a host that is not loopback, says to use https (a browser would drop the Secure cookie)', async () => {
    const { w } = setUp(3007);
    const form = { method: 'POST', headers: { ...FORM, 'Sec-Fetch-Site': 'same-origin' }, body: `token=${OPS_TOKEN}` };
    const lan = await w.app.request('http://192.168.1.20:8787/ops/login', form, w.env);
    expect(lan.status).toBe(400);
    expect(lan.headers.get('Set-Cookie')).toBeNull();
    expect(await lan.text()).toContain('Sign in over https, or at localhost or 127.0.0.1');
    for (const url of [
      'https://haru.example/ops/login',
      'http://127.0.0.1:8787/ops/login',
      'http://localhost:8787/ops/login',
    ]) {
      expect((await w.app.request(url, form, w.env)).status, url).toBe(303);
    }
  });

  it('refuses a body over 16 KiB with 413, and anything but POST with 405', async () => {
    const { signIn, w } = setUp(3002);
    await expectJsonError(await signIn(`token=${'x'.repeat(17 * 1024)}`), 413, 'body_too_large');
    const get = await w.request('/ops/login');
    await expectJsonError(get, 405, 'method_not_allowed');
    expect(get.headers.get('Allow')).toBe('POST');
  });
});

describe('a session ends', () => {
  it('after 8 hours', async () => {
    const { clock, signIn, withCookie } = setUp(3003);
    const cookie = cookieOf(await signIn(`token=${OPS_TOKEN}`));
    clock.time += SESSION_MS - 1;
    expect((await withCookie('/ops/api/summary', cookie)).status).toBe(200);
    clock.time += 1;
    await expectJsonError(await withCookie('/ops/api/summary', cookie), 401, 'unauthorized');
    expect((await withCookie('/ops', cookie)).status).toBe(401);
  });

  it('when the token is rotated', async () => {
    const { signIn, w } = setUp(3004);
    const cookie = cookieOf(await signIn(`token=${OPS_TOKEN}`));
    const rotated = await w.app.request(
      '/ops/api/summary',
      { headers: { Cookie: cookie } },
      { ...w.env, OPS_TOKEN: 'a-new-operator-token' },
    );
    await expectJsonError(rotated, 401, 'unauthorized');
  });

  it('when it is tampered with: a later expiry, another signature, or garbage', async () => {
    const { clock, signIn, withCookie } = setUp(3005);
    const cookie = cookieOf(await signIn(`token=${OPS_TOKEN}`));
    const [name, value] = cookie.split('=') as [string, string];
    const [expires, signature] = value.split('.') as [string, string];
    const forged = [
      `${name}=${Number(expires) + 1}.${signature}`,
      `${name}=${expires}.${signature.slice(0, -2)}AA`,
      `${name}=${clock.time + SESSION_MS * 10}.${signature}`,
      `${name}=garbage`,
      `${name}=`,
    ];
    for (const bad of forged) await expectJsonError(await withCookie('/ops/api/summary', bad), 401, 'unauthorized');
  });

  it('when the operator signs out: the cookie is cleared', async () => {
    const { signIn, w } = setUp(3006);
    await signIn(`token=${OPS_TOKEN}`);
    const res = await w.request('/ops/logout', { method: 'POST', headers: SAME_ORIGIN });
    expect(res.status).toBe(303);
    expect(res.headers.get('Location')).toBe('/ops');
    expect(res.headers.get('Set-Cookie')).toMatch(new RegExp(`^${SESSION_COOKIE}=; Max-Age=0; Path=/ops`));
  });
});

describe('a malformed or respelled session cookie', () => {
  it('answers 401, never 500, whatever length or alphabet its signature has', async () => {
    const { clock, withCookie } = setUp(3008);
    const expires = clock.time + SESSION_MS / 2;
    for (const signature of forgedSignatures()) {
      const res = await withCookie('/ops/api/summary', `${SESSION_COOKIE}=${expires}.${signature}`);
      expect(res.status, JSON.stringify(signature)).toBe(401);
    }
  });

  it('opens nothing in another spelling of the same signature bytes', async () => {
    const { signIn, withCookie } = setUp(3009);
    const cookie = cookieOf(await signIn(`token=${OPS_TOKEN}`));
    expect((await withCookie('/ops/api/summary', cookie)).status).toBe(200);
    // The signature's last letter before its `=` padding, respelled.
    const [name, value] = cookie.split('=') as [string, string];
    const signed = decodeURIComponent(value).slice(0, -1);
    for (const twin of sameBytesOtherSpellings(signed)) {
      await expectJsonError(
        await withCookie('/ops/api/summary', `${name}=${encodeURIComponent(`${twin}=`)}`),
        401,
        'unauthorized',
      );
    }
  });
});

describe('the forms /ops/login answers', () => {
  it('carry the page security headers, as the view does', async () => {
    const { signIn, w } = setUp(3014);
    const form = { method: 'POST', headers: { ...FORM, 'Sec-Fetch-Site': 'same-origin' }, body: 'token=guess' };
    for (const res of [
      await signIn('token=guess'),
      await w.app.request('http://192.168.1.20:8787/ops/login', form, w.env),
    ]) {
      expect(res.headers.get('Content-Type')).toMatch(/^text\/html/);
      expect(res.headers.get('Content-Security-Policy')).toMatch(/form-action 'self'/);
      expect(res.headers.get('X-Frame-Options')).toBe('DENY');
    }
  });
});

describe('the session key', () => {
  it('is derived from OPS_TOKEN: a cookie signed with the token itself opens nothing', async () => {
    const { clock, withCookie } = setUp(3013);
    const cookie = await generateSignedCookie(SESSION_COOKIE, String(clock.time + SESSION_MS / 2), OPS_TOKEN);
    await expectJsonError(await withCookie('/ops/api/summary', cookie.split(';')[0] as string), 401, 'unauthorized');
  });
});

describe('cross-site posts', () => {
  it.each([
    ['another Origin', { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' }],
    ['a sibling site', { Origin: 'https://other.localhost', 'Sec-Fetch-Site': 'same-site' }],
    ['neither Origin nor Sec-Fetch-Site', {}],
    ['Origin null (a sandboxed frame)', { Origin: 'null' }],
  ])('to /ops/login from %s: 403 cross_site, even with the right token, and no cookie', async (_, from) => {
    const { w } = setUp(3010);
    const res = await w.request('/ops/login', {
      method: 'POST',
      headers: { ...FORM, ...from },
      body: `token=${OPS_TOKEN}`,
    });
    const body = await expectJsonError(res, 403, 'cross_site');
    expect(body.message).toContain('/ops');
    expect(res.headers.get('Set-Cookie')).toBeNull();
  });

  it('to /ops/logout: 403 cross_site, and the cookie is not cleared', async () => {
    const { w } = setUp(3011);
    const res = await w.request('/ops/logout', {
      method: 'POST',
      headers: { Origin: 'https://evil.example', 'Sec-Fetch-Site': 'cross-site' },
    });
    await expectJsonError(res, 403, 'cross_site');
    expect(res.headers.get('Set-Cookie')).toBeNull();
  });

  it.each([
    ['Origin alone (a browser without Sec-Fetch-Site)', { Origin: 'http://localhost' }],
    ['Sec-Fetch-Site alone', { 'Sec-Fetch-Site': 'same-origin' }],
  ])('from this site with %s: signed in', async (_, from) => {
    const { w } = setUp(3012);
    const res = await w.request('/ops/login', {
      method: 'POST',
      headers: { ...FORM, ...from },
      body: `token=${OPS_TOKEN}`,
    });
    expect(res.status).toBe(303);
    expect(res.headers.get('Set-Cookie')).toMatch(new RegExp(`^${SESSION_COOKIE}=`));
  });
});
