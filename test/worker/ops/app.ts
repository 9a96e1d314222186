/**
 * Worker versions for the telemetry and operator-view tests: each app has its
 * own version and build, all share one hand-moved clock, and every call runs
 * with an execution context whose `waitUntil` work is awaited, the way the
 * runtime finishes it after the response.
 */
import { createExecutionContext, env, waitOnExecutionContext } from 'cloudflare:test';
import { CLIENT_ADDRESS_HEADER, madeUpAddress } from '../../../scripts/lib/client-address.ts';
import { assetKeys, COMPAT, type ManifestMeta } from '../../../shared/index.ts';
import { createApp } from '../../../worker/app.ts';
import type { Later } from '../../../worker/ops/telemetry.ts';
import { countingD1, TestClock } from '../v1/client.ts';

/** The operator token vitest.config.ts binds. */
export const OPS_TOKEN = 'test-ops-token';

/** Publishes a client build's manifest entry to KV, as `npm run assets:publish` does: only published builds become telemetry series. */
export async function publishBuild(id: string, apiLevel: number, publishedAt = 0): Promise<void> {
  const metadata: ManifestMeta = { apiLevel, publishedAt };
  await env.ASSETS_KV.put(assetKeys.manifest(id), '{}', { metadata });
}

/**
 * One worker version on the shared clock, with its D1 round trips and
 * Analytics Engine points recorded. `version` is its id; `tag` its tag (none
 * by default). Its own build is published before its first call.
 */
export function versionApp(
  clock: TestClock,
  {
    version,
    tag = '',
    build,
    apiLevel = 2,
    flushEveryMs = 0,
    maxPendingRows = 50,
    later,
  }: {
    version: string;
    tag?: string;
    build: string;
    apiLevel?: number;
    flushEveryMs?: number;
    maxPendingRows?: number;
    later?: Later;
  },
) {
  const d1 = countingD1(env.DB);
  const points: AnalyticsEngineDataPoint[] = [];
  let kvLists = 0;
  const kv = Object.create(env.ASSETS_KV) as KVNamespace;
  Object.defineProperty(kv, 'list', {
    value: (options?: KVNamespaceListOptions) => {
      kvLists += 1;
      return env.ASSETS_KV.list(options);
    },
  });
  const app = createApp({
    build: { id: build, apiLevel },
    now: clock.now,
    telemetry: { flushEveryMs, maxPendingRows, ...(later ? { later } : {}) },
  });
  const testEnv: Env = {
    ...env,
    DB: d1.db,
    ASSETS_KV: kv,
    CF_VERSION_METADATA: { id: version, tag, timestamp: new Date(clock.time).toISOString() },
    TELEMETRY: { writeDataPoint: (point) => void points.push(point ?? {}) },
  };
  // Each app's callers come from a network of their own, so per-address limits count tests apart.
  const address = madeUpAddress();
  const published = publishBuild(build, apiLevel);
  const requestWith =
    (callEnv: Env) =>
    async (path: string, init: RequestInit = {}) => {
      await published;
      const headers = new Headers(init.headers);
      if (!headers.has(CLIENT_ADDRESS_HEADER)) headers.set(CLIENT_ADDRESS_HEADER, address);
      const ctx = createExecutionContext();
      const res = await app.request(path, { ...init, headers }, callEnv, ctx);
      await waitOnExecutionContext(ctx);
      return res;
    };
  const request = requestWith(testEnv);
  /**
   * The same version with D1 failing for everything but telemetry: `fail`
   * is thrown from every other statement, as a fault in this version would.
   */
  const failingD1 = (fail: () => Error) => {
    const db = Object.create(d1.db) as D1Database;
    Object.defineProperty(db, 'prepare', {
      value: (query: string) => {
        if (!/telemetry_/.test(query)) throw fail();
        return d1.db.prepare(query);
      },
    });
    return { request: requestWith({ ...testEnv, DB: db }) };
  };
  /** An API call from a client `build` at API `level` (no headers when both are omitted). */
  const apiCall = (clientBuild?: string, level?: number) =>
    request('/api/version', {
      headers: {
        ...(clientBuild ? { [COMPAT.buildHeader]: clientBuild } : {}),
        ...(level ? { [COMPAT.apiHeader]: String(level) } : {}),
      },
    });
  /** An operator call with `token` (the right one by default). */
  const ops = (path: string, token: string | null = OPS_TOKEN) =>
    request(path, { headers: token === null ? {} : { Authorization: `Bearer ${token}` } });
  return { app, d1, points, env: testEnv, request, apiCall, ops, failingD1, kvLists: () => kvLists };
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

/** How `version` answered from minute `from` on, in a stable order. */
export async function outcomeRows(from: number, version: string) {
  const { results } = await env.DB.prepare(
    `SELECT api_level, kind, code, count FROM telemetry_outcome WHERE minute >= ? AND worker_version = ? ORDER BY api_level, kind, code`,
  )
    .bind(from, version)
    .all();
  return results;
}

/** The aggregate rows from `from` on (of `version` only, when named), in a stable order. */
export async function telemetryRows(from: number, version?: string) {
  const { results } = await env.DB.prepare(
    `SELECT minute, worker_version, client_build, api_level, kind, count FROM telemetry_minute
     WHERE minute >= ? AND (? IS NULL OR worker_version = ?)
     ORDER BY minute, worker_version, client_build, api_level, kind`,
  )
    .bind(from, version ?? null, version ?? null)
    .all();
  return results;
}
