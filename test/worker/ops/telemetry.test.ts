/**
 * Version telemetry: counted per answer with its outcome, by version id,
 * written to D1 in batches off the hot path, and only published builds as series.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { BLOBS, DOUBLES, UNKNOWN_BUILD } from '../../../worker/ops/data-point.ts';
import { minuteOf } from '../../../worker/ops/telemetry.ts';
import { clockAt, ManualTimers, outcomeRows, publishBuild, telemetryRows, versionApp } from './app.ts';

beforeAll(async () => {
  await publishBuild('build-1', 1);
  await publishBuild('build-2', 2);
});

const row = (
  version: string,
  minute: number,
  client_build: string,
  api_level: number,
  kind: string,
  count: number,
) => ({
  minute,
  worker_version: version,
  client_build,
  api_level,
  kind,
  count,
});

describe('telemetry middleware', () => {
  it('counts calls per minute, build, level and kind, and writes them in one batch when the timer ends', async () => {
    const clock = clockAt(1);
    const start = minuteOf(clock.time);
    const timers = new ManualTimers();
    const w = versionApp(clock, { version: 'v-count', build: 'own-build', flushEveryMs: 10_000, later: timers.later });
    for (let i = 0; i < 3; i++) expect((await w.apiCall('build-1', 1)).status).toBe(200);
    expect((await w.apiCall('build-2', 2)).status).toBe(200);
    clock.advanceMinutes(1);
    // A room connection: level from the subprotocol, build from the query (browsers cannot set headers).
    const socket = await w.request('/api/v2/studies/none/socket?build=build-2', {
      headers: { Upgrade: 'websocket', 'Sec-WebSocket-Protocol': 'haru.2' },
    });
    expect(socket.status).toBe(101);
    // Nothing written on the request path; one timer for all five calls.
    expect(await telemetryRows(start, 'v-count')).toEqual([]);
    expect(w.d1.trips()).toBe(0);
    expect(timers.running).toEqual([10_000]);

    await timers.fire();
    const r = (...args: [number, string, number, string, number]) => row('v-count', ...args);
    expect(await telemetryRows(start, 'v-count')).toEqual([
      r(start, 'build-1', 1, 'http', 3),
      r(start, 'build-2', 2, 'http', 1),
      r(start + 60_000, 'build-2', 2, 'socket', 1),
    ]);
    expect(w.d1.trips()).toBe(1);

    // No compat headers (curl): counted at the current level with no build; the next call starts the next timer.
    expect(timers.running).toEqual([]);
    await w.apiCall();
    await w.apiCall();
    expect(timers.running).toEqual([10_000]);
    await timers.fire();
    expect((await telemetryRows(start, 'v-count')).at(2)).toEqual(r(start + 60_000, '', 2, 'http', 2));
    expect(w.d1.trips()).toBe(2);
    expect(w.points).toHaveLength(7);
  });

  it('writes each Analytics Engine data point in the declared layout, with the version id, its tag and the outcome', async () => {
    const clock = clockAt(6);
    const w = versionApp(clock, { version: '0a1b2c3d-layout', tag: 'v9.9.9', build: 'own-build' });
    await w.apiCall('build-1', 1);
    await w.request('/api/v1/nowhere', { headers: { 'X-Haru-Build': 'build-2', 'X-Haru-Api': '2' } });
    const [ok, missing] = w.points;
    const named = (point: AnalyticsEngineDataPoint | undefined) => ({
      ...Object.fromEntries(BLOBS.map((name, i) => [name, point?.blobs?.[i]])),
      ...Object.fromEntries(DOUBLES.map((name, i) => [name, point?.doubles?.[i]])),
      index: point?.indexes?.[0],
    });
    expect(named(ok)).toEqual({
      version_id: '0a1b2c3d-layout',
      version_tag: 'v9.9.9',
      client_build: 'build-1',
      kind: 'http',
      outcome: '2xx',
      worker_build: 'own-build',
      api_level: 1,
      count: 1,
      code: 200,
      index: '0a1b2c3d-layout',
    });
    expect(named(missing)).toMatchObject({ client_build: 'build-2', outcome: '4xx', code: 404, api_level: 2 });
  });

  it('counts every answer by status per version and level, refusals and server errors included', async () => {
    const clock = clockAt(7);
    const w = versionApp(clock, { version: 'v-outcome', build: 'own-build' });
    await w.apiCall('build-2', 2);
    await w.apiCall('build-2', 2);
    await w.request('/api/v1/nowhere');
    // A page too new for this worker: refused by the compat gate, still counted.
    expect((await w.apiCall('build-2', 3)).status).toBe(409);
    // A D1 that fails with something other than an outage: the 500 counts.
    const broken = w.failingD1(() => new Error('injected fault'));
    expect(
      (
        await broken.request('/api/v1/members', {
          method: 'POST',
          headers: { 'Content-Type': 'application/json' },
          body: '{"nickname":"hana"}',
        })
      ).status,
    ).toBe(500);
    expect(await outcomeRows(minuteOf(clock.time), 'v-outcome')).toEqual([
      { api_level: 2, kind: 'http', code: 200, count: 2 },
      { api_level: 2, kind: 'http', code: 404, count: 1 },
      { api_level: 2, kind: 'http', code: 500, count: 1 },
      { api_level: 3, kind: 'http', code: 409, count: 1 },
    ]);
  });

  it('adds to the rows already written instead of replacing them', async () => {
    const clock = clockAt(2);
    const w = versionApp(clock, { version: 'v-add', build: 'own-build' });
    await w.apiCall('build-1', 2);
    await w.apiCall('build-1', 2);
    expect(await telemetryRows(minuteOf(clock.time), 'v-add')).toEqual([
      row('v-add', minuteOf(clock.time), 'build-1', 2, 'http', 2),
    ]);
  });

  it('makes one D1 write per timer however many calls come in, and loses none of them', async () => {
    const clock = clockAt(3);
    const timers = new ManualTimers();
    const w = versionApp(clock, { version: 'v-bound', build: 'own-build', flushEveryMs: 10_000, later: timers.later });
    for (let round = 0; round < 3; round++) {
      for (let i = 0; i < 70; i++) {
        await w.apiCall('build-1', 2);
        clock.time += 100;
        expect(timers.running).toHaveLength(1);
      }
      await timers.fire();
    }
    expect(w.d1.trips()).toBe(3);
    const written = (await telemetryRows(minuteOf(clock.time) - 60_000, 'v-bound')).reduce(
      (n, r) => n + (r.count as number),
      0,
    );
    expect(written).toBe(210);
  });

  it('writes at once when many distinct rows are pending, still as one batch', async () => {
    const clock = clockAt(4);
    const timers = new ManualTimers();
    const w = versionApp(clock, {
      version: 'v-size',
      build: 'own-build',
      flushEveryMs: 3_600_000,
      later: timers.later,
      maxPendingRows: 20,
    });
    for (let i = 0; i < 25; i++) await publishBuild(`size-${i}`, 2);
    // Each call is a row of its own (its build) plus the one outcome row they share (2xx at level 2).
    for (let i = 0; i < 25; i++) await w.apiCall(`size-${i}`, 2);
    expect(w.d1.trips()).toBe(1);
    expect(await telemetryRows(minuteOf(clock.time), 'v-size')).toHaveLength(19);
    // The other six wait for the timer.
    await timers.fire();
    expect(w.d1.trips()).toBe(2);
    expect(await telemetryRows(minuteOf(clock.time), 'v-size')).toHaveLength(25);
  });

  it('starts another timer when the running one is overdue (its waitUntil was cancelled), so counts do not pile up', async () => {
    // Hour 0: the later tests read from their own hour on, and this one reads its own version only.
    const clock = clockAt(0);
    const timers = new ManualTimers();
    const w = versionApp(clock, { version: 'v-lost', build: 'own-build', flushEveryMs: 20, later: timers.later });
    await w.apiCall('build-1', 2);
    await w.apiCall('build-1', 2);
    expect(timers.running).toEqual([20]);
    // Three periods pass in real time and the first timer never ends.
    await new Promise((resolve) => setTimeout(resolve, 100));
    await w.apiCall('build-1', 2);
    expect(timers.running).toEqual([20, 20]);
    await timers.fire();
    expect(w.d1.trips()).toBe(1);
    expect(
      (await telemetryRows(minuteOf(clock.time))).filter((r) => r.worker_version === 'v-lost').map((r) => r.count),
    ).toEqual([3]);
  });

  it('writes the last calls after a real timer even when no call follows', async () => {
    const clock = clockAt(5);
    // The default timer, kept alive by the request's waitUntil (which the helper awaits, as the runtime does).
    const w = versionApp(clock, { version: 'v-idle', build: 'own-build', flushEveryMs: 50 });
    await w.apiCall('build-1', 2);
    expect(await telemetryRows(minuteOf(clock.time), 'v-idle')).toEqual([
      row('v-idle', minuteOf(clock.time), 'build-1', 2, 'http', 1),
    ]);
    expect(w.d1.trips()).toBe(1);
  });
});

describe('forged build ids', () => {
  it('count as one "(unknown)" build, however many a stranger makes up, in D1 and in Analytics Engine', async () => {
    const clock = clockAt(8);
    const w = versionApp(clock, { version: 'v-forged', build: 'own-build' });
    for (let i = 0; i < 60; i++) expect((await w.apiCall(`evil-${i}`)).status).toBe(200);
    await w.apiCall('build-2', 2);
    expect(await telemetryRows(minuteOf(clock.time), 'v-forged')).toEqual([
      row('v-forged', minuteOf(clock.time), UNKNOWN_BUILD, 2, 'http', 60),
      row('v-forged', minuteOf(clock.time), 'build-2', 2, 'http', 1),
    ]);
    expect(new Set(w.points.map((p) => p.blobs?.[BLOBS.indexOf('client_build')]))).toEqual(
      new Set([UNKNOWN_BUILD, 'build-2']),
    );
    // The manifest was listed once for the 60 made-up ids, not once each.
    expect(w.kvLists()).toBe(1);
  });

  it('becomes a series once the build is published (read again at most a minute later)', async () => {
    const clock = clockAt(9);
    const w = versionApp(clock, { version: 'v-late', build: 'own-build' });
    await w.apiCall('late-build', 2);
    await publishBuild('late-build', 2);
    await w.apiCall('late-build', 2);
    clock.advanceMinutes(1);
    await w.apiCall('late-build', 2);
    expect(
      (await telemetryRows(minuteOf(clock.time) - 60_000, 'v-late')).map((r) => [r.client_build, r.count]),
    ).toEqual([
      [UNKNOWN_BUILD, 2],
      ['late-build', 1],
    ]);
  });
});
