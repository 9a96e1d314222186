/**
 * What assets:gc reads from the telemetry (issue 5 part 3): when clients last
 * asked for each build, over days, and D1 keeping TELEMETRY_KEEP_DAYS of it.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { TELEMETRY_KEEP_DAYS } from '../../../shared/index.ts';
import type { BuildsLastRequested } from '../../../worker/ops/summary.ts';
import { minuteOf } from '../../../worker/ops/telemetry.ts';
import { expectJsonError } from '../helpers.ts';
import { clockAt, publishBuild, telemetryRows, versionApp } from './app.ts';

const DAY_MINUTES = 24 * 60;

beforeAll(async () => {
  for (const build of ['build-a', 'build-b', 'build-c', 'build-first', 'build-later', 'build-last'])
    await publishBuild(build, 2);
});

describe('GET /ops/api/builds', () => {
  it('gives the last minute a client asked for each build within the last days, latest first', async () => {
    const clock = clockAt(2000);
    const w = versionApp(clock, { version: 'v-gc', build: 'own' });
    await w.apiCall('build-a', 1);
    const a = minuteOf(clock.time);
    clock.advanceMinutes(7 * DAY_MINUTES);
    await w.apiCall('build-b', 2);
    clock.advanceMinutes(1);
    await w.apiCall('build-b', 2);
    const b = minuteOf(clock.time);
    clock.advanceMinutes(3 * DAY_MINUTES - 5);
    await w.apiCall('build-c', 2);
    const c = minuteOf(clock.time);
    // curl: no build id, so nothing gc could keep or delete; a made-up id is not a build either.
    await w.apiCall();
    await w.apiCall('evil-1');
    clock.advanceMinutes(5);

    const read = async (query: string) => {
      const res = await w.ops(`/ops/api/builds${query}`);
      expect(res.status, await res.clone().text()).toBe(200);
      return (await res.json()) as BuildsLastRequested;
    };
    const week = await read('');
    expect(week).toEqual({
      days: 7,
      from: minuteOf(clock.time - 7 * DAY_MINUTES * 60_000),
      builds: [
        { build: 'build-c', lastRequested: c },
        { build: 'build-b', lastRequested: b },
      ],
    });
    expect(await read('?days=7')).toEqual(week);
    expect((await read(`?days=${TELEMETRY_KEEP_DAYS}`)).builds.map((x) => [x.build, x.lastRequested])).toEqual([
      ['build-c', c],
      ['build-b', b],
      ['build-a', a],
    ]);
    expect((await read('?days=1')).builds.map((x) => x.build)).toEqual(['build-c']);
  });

  it.each(['?days=0', `?days=${TELEMETRY_KEEP_DAYS + 1}`, '?days=1.5', '?days=abc'])(
    'refuses %s, saying what days may be',
    async (query) => {
      const w = versionApp(clockAt(2100), { version: 'v-gc-bad', build: 'own' });
      const body = await expectJsonError(await w.ops(`/ops/api/builds${query}`), 400, 'invalid_query');
      expect(body.message).toBe(`days: a whole number of days from 1 to ${TELEMETRY_KEEP_DAYS}`);
    },
  );

  it('refuses a parameter it does not know', async () => {
    const w = versionApp(clockAt(2101), { version: 'v-gc-other', build: 'own' });
    await expectJsonError(await w.ops('/ops/api/builds?other=1'), 400, 'invalid_query');
  });
});

describe('telemetry retention', () => {
  it(`deletes minutes older than ${TELEMETRY_KEEP_DAYS} days in the batch that writes new ones`, async () => {
    const clock = clockAt(5000);
    const w = versionApp(clock, { version: 'v-keep', build: 'own' });
    const first = minuteOf(clock.time);
    await w.apiCall('build-first', 2);
    clock.advanceMinutes(TELEMETRY_KEEP_DAYS * DAY_MINUTES - 1);
    await w.apiCall('build-later', 2);
    expect((await telemetryRows(first, 'v-keep')).map((r) => r.client_build)).toEqual(['build-first', 'build-later']);
    const trips = w.d1.trips();

    clock.advanceMinutes(2);
    await w.apiCall('build-last', 2);
    expect((await telemetryRows(first, 'v-keep')).map((r) => r.client_build)).toEqual(['build-later', 'build-last']);
    // Still one round trip per write.
    expect(w.d1.trips()).toBe(trips + 1);
  });
});
