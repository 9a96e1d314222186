/** The operator view (issue 5 part 2): token, JSON summary, retire verdicts, the HTML page with its charts. */
import { describe, expect, it } from 'vitest';
import { counted, type OpsSummary, type Verdict } from '../../../worker/ops/summary.ts';
import { minuteOf } from '../../../worker/ops/telemetry.ts';
import { expectJsonError } from '../helpers.ts';
import { clockAt, versionApp } from './app.ts';

/** An old and a new worker version on one clock, each shipping its own client build. */
function rollout(hour: number) {
  const clock = clockAt(hour);
  const old = versionApp(clock, { version: `old-${hour}`, build: `build-old-${hour}`, apiLevel: 1 });
  const next = versionApp(clock, { version: `new-${hour}`, build: `build-new-${hour}` });
  return { clock, old, next };
}

async function summary(w: ReturnType<typeof versionApp>, query = ''): Promise<OpsSummary> {
  const res = await w.ops(`/ops/api/summary${query}`);
  expect(res.status, await res.clone().text()).toBe(200);
  return (await res.json()) as OpsSummary;
}

function verdictOf(s: OpsSummary, version: string): Verdict {
  const found = s.verdicts.find((v) => v.version === version);
  if (!found) throw new Error(`no verdict for ${version}`);
  return found;
}

describe('operator token', () => {
  it.each(['/ops/api/summary', '/ops/api/builds'])(
    '%s answers 401 JSON without the token or with a wrong one',
    async (path) => {
      const { next } = rollout(10);
      for (const token of [null, 'wrong', 'test-ops-token-and-more', '']) {
        const res = await next.ops(path, token);
        await expectJsonError(res, 401, 'unauthorized');
        expect(res.headers.get('WWW-Authenticate')).toMatch(/^Bearer/);
        expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
      }
      const basic = await next.request(path, { headers: { Authorization: 'Basic dGVzdC1vcHMtdG9rZW4=' } });
      await expectJsonError(basic, 401, 'unauthorized');
      expect((await next.ops(path)).status).toBe(200);
    },
  );

  it('/ops answers a browser without the token with the sign-in form: 401, page headers, no data', async () => {
    const { next } = rollout(10);
    const refusals = [
      ...[null, 'wrong', ''].map((token) => next.ops('/ops', token)),
      next.request('/ops', { headers: { Authorization: 'Basic dGVzdC1vcHMtdG9rZW4=' } }),
    ];
    for (const res of await Promise.all(refusals)) {
      expect(res.status).toBe(401);
      expect(res.headers.get('Content-Type')).toMatch(/^text\/html/);
      expect(res.headers.get('WWW-Authenticate')).toMatch(/^Bearer/);
      expect(res.headers.get('Content-Security-Policy')).toMatch(/form-action 'self'/);
      expect(res.headers.get('Cache-Control')).toBe('no-store');
      const page = await res.text();
      expect(page).toMatch(/<form method="post" action="\/ops\/login">/);
      expect(page).toMatch(/<input id="token" name="token" type="password"/);
      expect(page).not.toMatch(/<script|<polyline|Retire verdicts/);
    }
    expect((await next.ops('/ops')).status).toBe(200);
  });

  it('opens nothing when no OPS_TOKEN is set, not even to an empty token at the sign-in form', async () => {
    const { next } = rollout(11);
    const unset = { ...next.env, OPS_TOKEN: '' };
    const res = await next.app.request('/ops/api/summary', { headers: { Authorization: 'Bearer x' } }, unset);
    await expectJsonError(res, 401, 'unauthorized');
    const form = {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', 'Sec-Fetch-Site': 'same-origin' },
      body: 'token=',
    };
    const login = await next.app.request('/ops/login', form, unset);
    expect(login.status).toBe(401);
    expect(login.headers.get('Set-Cookie')).toBeNull();
  });
});

describe('GET /ops/api/summary', () => {
  it('counts per minute per worker version and per client build over the window', async () => {
    const { clock, old, next } = rollout(12);
    const start = minuteOf(clock.time);
    for (let i = 0; i < 4; i++) await old.apiCall(`build-old-12`, 1);
    clock.advanceMinutes(1);
    await old.apiCall(`build-old-12`, 1);
    await next.apiCall(`build-new-12`, 2);
    await next.apiCall(`build-new-12`, 2);
    await next.apiCall(`build-old-12`, 1);
    clock.advanceMinutes(1);

    const s = await summary(next, '?minutes=5');
    expect(s.window).toEqual({ minutes: 5, from: start - 2 * 60_000, to: start + 2 * 60_000 });
    expect(s.minutes).toEqual([-2, -1, 0, 1, 2].map((m) => start + m * 60_000));
    expect(s.currentVersion).toBe('new-12');
    expect(s.workerVersions).toEqual([
      { name: 'old-12', label: 'old-12', counts: [0, 0, 4, 1, 0], total: 5 },
      { name: 'new-12', label: 'new-12', counts: [0, 0, 0, 3, 0], total: 3 },
    ]);
    expect(s.clientBuilds).toEqual([
      { name: 'build-old-12', label: 'build-old-12', counts: [0, 0, 4, 2, 0], total: 6 },
      { name: 'build-new-12', label: 'build-new-12', counts: [0, 0, 0, 2, 0], total: 2 },
    ]);
    expect(s.inProgress).toMatchObject({
      solo: expect.any(Number),
      group: expect.any(Number),
      perVersion: 'approximate',
    });
    expect(s.inProgress.attribution).toMatch(/does not record which worker version/);
    expect((await summary(next)).minutes).toHaveLength(60);
  });

  it.each([
    ['?minutes=0', 'minutes: a whole number of minutes from 1 to 1440'],
    ['?minutes=1441', 'minutes: a whole number of minutes from 1 to 1440'],
    ['?minutes=abc', 'minutes: a whole number of minutes from 1 to 1440'],
    ['?quiet=2.5', 'quiet: a whole number of minutes from 1 to 1440'],
  ])('refuses %s: %s', async (query, message) => {
    const { next } = rollout(13);
    expect((await expectJsonError(await next.ops(`/ops/api/summary${query}`), 400, 'invalid_query')).message).toBe(
      message,
    );
  });

  it('refuses a parameter it does not know', async () => {
    const { next } = rollout(13);
    expect((await expectJsonError(await next.ops('/ops/api/summary?other=1'), 400, 'invalid_query')).message).toBe(
      'query: Unrecognized key: "other"',
    );
  });
});

describe('retire verdict', () => {
  it('keeps a version with recent traffic, studies in progress or its build still requested; retires it once all are gone', async () => {
    const { clock, old, next } = rollout(14);
    const member = await old.request('/api/v1/members', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ nickname: 'hana' }),
    });
    const { token } = (await member.json()) as { token: string };
    const study = await old.request('/api/v1/studies', {
      method: 'POST',
      headers: { 'Content-Type': 'application/json', Authorization: `Bearer ${token}` },
      body: JSON.stringify({ name: 'math', totalCycles: 1, minutesPerCycle: 25, mode: 'solo' }),
    });
    expect(study.status).toBe(201);
    clock.advanceMinutes(5);
    await next.apiCall('build-new-14', 2);

    const busy = verdictOf(await summary(next), 'old-14');
    expect(busy).toMatchObject({
      safeToRetire: false,
      recentRequests: 2,
      studiesInProgress: { solo: 1, group: 0 },
      buildRequests: 0,
    });
    expect(busy.reasons).toEqual([
      '2 requests in the last 30 minutes',
      '1 study still in progress that started while it served (1 solo, 0 group)',
    ]);
    const current = verdictOf(await summary(next), 'new-14');
    expect(current).toMatchObject({ current: true, safeToRetire: false });

    // Quiet for 40 minutes, but an old page still calls the new version, and the study is open.
    clock.advanceMinutes(40);
    await next.apiCall('build-old-14', 1);
    const stillUsed = verdictOf(await summary(next), 'old-14');
    expect(stillUsed).toMatchObject({ safeToRetire: false, recentRequests: 0, buildRequests: 1 });
    expect(stillUsed.reasons).toContain('its client build build-old-14 made 1 request in the last 30 minutes');
    expect(stillUsed.reasons).toContain('1 study still in progress that started while it served (1 solo, 0 group)');

    // A day later the study counts as abandoned and nothing calls the old version or its build.
    clock.advanceMinutes(25 * 60);
    const retired = verdictOf(await summary(next), 'old-14');
    expect(retired).toMatchObject({
      safeToRetire: true,
      recentRequests: 0,
      buildRequests: 0,
      studiesInProgress: { solo: 0, group: 0 },
    });
    expect(retired.reasons[0]).toBe('no requests in the last 30 minutes');
  });

  it('lets the quiet window be chosen', async () => {
    const { clock, old, next } = rollout(15);
    await old.apiCall('build-old-15', 1);
    clock.advanceMinutes(10);
    expect(verdictOf(await summary(next, '?quiet=30'), 'old-15').safeToRetire).toBe(false);
    expect(verdictOf(await summary(next, '?quiet=5'), 'old-15')).toMatchObject({
      safeToRetire: true,
      recentRequests: 0,
    });
  });
});

describe('counted', () => {
  it('reads as a sentence for one and for many', () => {
    expect(counted(1, 'study', 'studies')).toBe('1 study');
    expect(counted(0, 'study', 'studies')).toBe('0 studies');
    expect(counted(2, 'request')).toBe('2 requests');
  });
});

describe('GET /ops', () => {
  it('is a page with one polyline per series, axes and a legend, no script, and the page security headers', async () => {
    const { clock, old, next } = rollout(16);
    await old.apiCall('build-old-16', 1);
    clock.advanceMinutes(1);
    await next.apiCall('build-new-16', 2);
    await next.apiCall(undefined, undefined);
    const res = await next.ops('/ops?minutes=10');
    expect(res.status).toBe(200);
    expect(res.headers.get('Content-Type')).toMatch(/^text\/html/);
    expect(res.headers.get('Content-Security-Policy')).toMatch(/script-src 'self'/);
    expect(res.headers.get('X-Frame-Options')).toBe('DENY');
    expect(res.headers.get('X-Content-Type-Options')).toBe('nosniff');
    expect(res.headers.get('Cache-Control')).toBe('no-store');
    const page = await res.text();
    expect(page).not.toMatch(/<script/i);
    expect(page.match(/<figure>/g)).toHaveLength(2);
    const polylines = [...page.matchAll(/<polyline data-series="([^"]*)" points="([^"]*)"/g)];
    expect(polylines.map((m) => m[1]).sort()).toEqual([
      '(no build)',
      'build-new-16',
      'build-old-16',
      'new-16',
      'old-16',
    ]);
    for (const [, , points] of polylines) expect(points?.split(' ')).toHaveLength(10);
    expect(page).toContain('requests/min');
    expect(page).toMatch(/\d\d:\d\d UTC/);
    expect(page).toMatch(/<li><svg[^>]*>.*<\/svg> old-16 \(1\)<\/li>/);
    expect(page).toContain('not yet');
  });

  it('reloads itself only when asked, and says how to stop', async () => {
    const { next } = rollout(18);
    const still = await (await next.ops('/ops?minutes=10&quiet=15')).text();
    expect(still).not.toContain('http-equiv="refresh"');
    expect(still).toContain(
      '<a href="/ops?minutes=10&amp;quiet=15&amp;errors=10&amp;refresh=60">Reload every minute</a>',
    );
    expect(still).toContain('<a href="/ops/api/summary?minutes=10&amp;quiet=15&amp;errors=10">as JSON</a>');
    const reloading = await (await next.ops('/ops?minutes=10&quiet=15&refresh=60')).text();
    expect(reloading).toContain('<meta http-equiv="refresh" content="60" />');
    expect(reloading).toContain(
      'Reloads every 60 seconds; <a href="/ops?minutes=10&amp;quiet=15&amp;errors=10">stop reloading</a>',
    );
    for (const bad of ['refresh=5', 'refresh=3601', 'refresh=x']) {
      const body = await expectJsonError(await next.ops(`/ops?${bad}`), 400, 'invalid_query');
      expect(body.message).toBe('refresh: a whole number of seconds from 10 to 3600');
    }
    // The JSON has no refresh.
    await expectJsonError(await next.ops('/ops/api/summary?refresh=60'), 400, 'invalid_query');
  });

  it('says so when there is no traffic in the window', async () => {
    const { next } = rollout(17);
    const page = await (await next.ops('/ops?minutes=5')).text();
    expect(page.match(/<svg xmlns/g)).toHaveLength(2);
    expect(page).not.toContain('<polyline');
    expect(page).toContain('No traffic in this window');
    expect(page).toContain('Last 5 minutes;');
    expect(page).toMatch(/<p>\d+ solo stud(y|ies) and \d+ group rooms?\./);
  });
});
