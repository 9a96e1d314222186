/** Version telemetry (issue 5 part 1): counted per call, written to D1 in batches off the hot path. */
import { describe, expect, it } from 'vitest';
import { minuteOf } from '../../../worker/ops/telemetry.ts';
import { clockAt, ManualTimers, telemetryRows, versionApp } from './app.ts';

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
    const socket = await w.request('/api/v2/studies/none/socket?build=build-2', { headers: { Upgrade: 'websocket', 'Sec-WebSocket-Protocol': 'haru.2' } });
    expect(socket.status).toBe(101);
    // Nothing written on the request path; one timer for all five calls.
    expect(await telemetryRows(start)).toEqual([]);
    expect(w.d1.trips()).toBe(0);
    expect(timers.running).toEqual([10_000]);

    await timers.fire();
    const row = (minute: number, client_build: string, api_level: number, kind: string, count: number) => ({
      minute,
      worker_version: 'v-count',
      client_build,
      api_level,
      kind,
      count,
    });
    expect(await telemetryRows(start)).toEqual([
      row(start, 'build-1', 1, 'http', 3),
      row(start, 'build-2', 2, 'http', 1),
      row(start + 60_000, 'build-2', 2, 'socket', 1),
    ]);
    expect(w.d1.trips()).toBe(1);

    // No compat headers (curl): counted at the current level with no build; the next call starts the next timer.
    expect(timers.running).toEqual([]);
    await w.apiCall();
    await w.apiCall();
    expect(timers.running).toEqual([10_000]);
    await timers.fire();
    expect((await telemetryRows(start)).at(2)).toEqual(row(start + 60_000, '', 2, 'http', 2));
    expect(w.d1.trips()).toBe(2);
    expect(w.points).toHaveLength(7);
    expect(w.points[0]).toEqual({ indexes: ['v-count'], blobs: ['v-count', 'build-1', 'http', 'own-build'], doubles: [1, 1] });
  });

  it('adds to the rows already written instead of replacing them', async () => {
    const clock = clockAt(2);
    const w = versionApp(clock, { version: 'v-add', build: 'own-build' });
    await w.apiCall('build-1', 2);
    await w.apiCall('build-1', 2);
    expect(await telemetryRows(minuteOf(clock.time))).toEqual([
      { minute: minuteOf(clock.time), worker_version: 'v-add', client_build: 'build-1', api_level: 2, kind: 'http', count: 2 },
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
    const written = (await telemetryRows(minuteOf(clock.time) - 60_000)).reduce((n, r) => n + (r.count as number), 0);
    expect(written).toBe(210);
  });

  it('writes at once when many distinct rows are pending, still as one batch', async () => {
    const clock = clockAt(4);
    const timers = new ManualTimers();
    const w = versionApp(clock, { version: 'v-size', build: 'own-build', flushEveryMs: 3_600_000, later: timers.later, maxPendingRows: 20 });
    for (let i = 0; i < 25; i++) await w.apiCall(`build-${i}`, 2);
    expect(w.d1.trips()).toBe(1);
    expect(await telemetryRows(minuteOf(clock.time))).toHaveLength(20);
    // The other five wait for the timer.
    await timers.fire();
    expect(w.d1.trips()).toBe(2);
    expect(await telemetryRows(minuteOf(clock.time))).toHaveLength(25);
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
    expect((await telemetryRows(minuteOf(clock.time))).filter((r) => r.worker_version === 'v-lost').map((r) => r.count)).toEqual([3]);
  });

  it('writes the last calls after a real timer even when no call follows', async () => {
    const clock = clockAt(5);
    // The default timer, kept alive by the request's waitUntil (which the helper awaits, as the runtime does).
    const w = versionApp(clock, { version: 'v-idle', build: 'own-build', flushEveryMs: 50 });
    await w.apiCall('build-1', 2);
    expect(await telemetryRows(minuteOf(clock.time))).toEqual([
      { minute: minuteOf(clock.time), worker_version: 'v-idle', client_build: 'build-1', api_level: 2, kind: 'http', count: 1 },
    ]);
    expect(w.d1.trips()).toBe(1);
  });
});
