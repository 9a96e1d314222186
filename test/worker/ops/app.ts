/**
 * Worker versions for the telemetry and operator-view tests: each app has its
 * own version and build, all share one hand-moved clock, and every call runs
 * with an execution context whose `waitUntil` work is awaited, the way the
 * runtime finishes it after the response.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { COMPAT } from '../../../shared/index.ts';
import { createApp } from '../../../worker/app.ts';
import { CLIENT_ADDRESS_HEADER, madeUpAddress } from '../../../scripts/lib/client-address.ts';
import type { Later } from '../../../worker/ops/telemetry.ts';
import { countingD1, TestClock } from '../v1/client.ts';

/** The operator token vitest.config.ts binds. */
export const OPS_TOKEN = 'test-ops-token';

/** One worker version on the shared clock, with its D1 round trips and Analytics Engine points recorded. */
export function versionApp(
  clock: TestClock,
  {
    version,
    build,
    apiLevel = 2,
    flushEveryMs = 0,
    maxPendingRows = 50,
    later,
  }: { version: string; build: string; apiLevel?: number; flushEveryMs?: number; maxPendingRows?: number; later?: Later },
) {
  const d1 = countingD1(env.DB);
  const points: AnalyticsEngineDataPoint[] = [];
  const app = createApp({ build: { id: build, apiLevel }, now: clock.now, telemetry: { flushEveryMs, maxPendingRows, ...(later ? { later } : {}) } });
  const testEnv: Env = {
    ...env,
    DB: d1.db,
    CF_VERSION_METADATA: { id: `${version}-id`, tag: version, timestamp: new Date(clock.time).toISOString() },
    TELEMETRY: { writeDataPoint: (point) => void points.push(point ?? {}) },
  };
  // Each app's callers come from a network of their own, so per-address limits count tests apart.
  const address = madeUpAddress();
  const request = async (path: string, init: RequestInit = {}) => {
    const headers = new Headers(init.headers);
    if (!headers.has(CLIENT_ADDRESS_HEADER)) headers.set(CLIENT_ADDRESS_HEADER, address);
    const ctx = createExecutionContext();
    const res = await app.request(path, { ...init, headers }, testEnv, ctx);
    await waitOnExecutionContext(ctx);
    return res;
  };
  /** An API call from a client `build` at API `level` (no headers when both are omitted). */
  const apiCall = (clientBuild?: string, level?: number) =>
    request('/api/version', {
      headers: { ...(clientBuild ? { [COMPAT.buildHeader]: clientBuild } : {}), ...(level ? { [COMPAT.apiHeader]: String(level) } : {}) },
    });
  /** An operator call with `token` (the right one by default). */
  const ops = (path: string, token: string | null = OPS_TOKEN) => request(path, { headers: token === null ? {} : { Authorization: `Bearer ${token}` } });
  return { app, d1, points, env: testEnv, request, apiCall, ops };
}

/** Telemetry write timers that end only when the test says so. */
export class ManualTimers {
  private waiting: { ms: number; task: () => Promise<void> }[] = [];

  /** The `later` to give the app. */
  later: Later = (ms, task) => {
    this.waiting.push({ ms, task });
  };

  /** The delays of the timers still running. */
  get running(): number[] {
    return this.waiting.map((w) => w.ms);
  }

  /** Ends every running timer and waits for what each one writes. */
  async fire(): Promise<void> {
    for (const { task } of this.waiting.splice(0)) await task();
  }
}

/** A clock at its own hour, so tests sharing one D1 do not see each other's minutes. */
export function clockAt(hoursFromEpochDay: number): TestClock {
  const clock = new TestClock();
  clock.time = Date.UTC(2031, 0, 1) + hoursFromEpochDay * 3_600_000;
  return clock;
}

/** The aggregate rows from `from` on, in a stable order. */
export async function telemetryRows(from: number) {
  const { results } = await env.DB.prepare(
    `SELECT minute, worker_version, client_build, api_level, kind, count FROM telemetry_minute WHERE minute >= ?
     ORDER BY minute, worker_version, client_build, api_level, kind`,
  )
    .bind(from)
    .all();
  return results;
}
