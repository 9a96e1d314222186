/**
 * Version telemetry (DESIGN §8, issue 5 part 1): every API request and room
 * socket connection counts, by worker version, client build and API level.
 * Production gets one Analytics Engine data point per call (non-blocking);
 * the operator view reads a per-minute aggregate in D1 that each isolate
 * batches in memory and upserts in one D1 batch at most every few seconds,
 * through `waitUntil`, so no request waits for, or adds, a D1 write.
 */
import type { Context, MiddlewareHandler } from 'hono';
import { buildIdSchema, COMPAT, parseApiHeader, parseSubprotocols, TELEMETRY_KEEP_DAYS } from '../../shared/index.ts';
import { workerVersion } from '../compat/version.ts';
import type { AppEnv } from '../types.ts';

/** An HTTP API call or a room socket connection attempt. */
export type TelemetryKind = 'http' | 'socket';

/** One row of `telemetry_minute` (migrations/0003). */
export interface TelemetryRow {
  /** Epoch ms of the minute's start. */
  minute: number;
  workerVersion: string;
  /** '' when the caller sent no valid build id. */
  clientBuild: string;
  /** 0 when the caller's API level could not be read. */
  apiLevel: number;
  kind: TelemetryKind;
  count: number;
}

/** Runs `task` after `ms`, kept alive by the request's `waitUntil`; tests fire it by hand. */
export type Later = (ms: number, task: () => Promise<void>, waitUntil: (promise: Promise<unknown>) => void) => void;

/** How often the aggregate is written; tests shrink or grow these. */
export interface TelemetryOptions {
  /** The client build this worker ships, recorded per version for the retire verdict. */
  build: { id: string; apiLevel: number };
  /** Counts are written this long after the first of them was made, whether or not more calls come. */
  flushEveryMs?: number;
  /** ...or at once when this many distinct rows are pending. */
  maxPendingRows?: number;
  later?: Later;
}

const MINUTE_MS = 60_000;
/** Per-minute rows older than this are deleted; Analytics Engine holds the long history. */
const KEEP_MS = TELEMETRY_KEEP_DAYS * 24 * 60 * MINUTE_MS;

/** Start of the minute `time` falls in. */
export function minuteOf(time: number): number {
  return time - (time % MINUTE_MS);
}

/** A timer in the request's `waitUntil` (Workers allow 30 s there after the response). */
const afterTimeout: Later = (ms, task, waitUntil) => waitUntil(new Promise((resolve) => setTimeout(resolve, ms)).then(task));

/**
 * The counts of one isolate not yet written. Keyed by row, so a burst of
 * requests costs memory per distinct (minute, build, level, kind), not per request.
 */
class TelemetryBatch {
  private pending = new Map<string, TelemetryRow>();

  /** Counts one call. */
  add(row: Omit<TelemetryRow, 'count'>): void {
    const key = `${row.minute}\n${row.workerVersion}\n${row.clientBuild}\n${row.apiLevel}\n${row.kind}`;
    const found = this.pending.get(key);
    if (found) found.count += 1;
    else this.pending.set(key, { ...row, count: 1 });
  }

  /** How many distinct rows are pending. */
  get size(): number {
    return this.pending.size;
  }

  /** Every pending row, forgotten here. */
  take(): TelemetryRow[] {
    const rows = [...this.pending.values()];
    this.pending.clear();
    return rows;
  }
}

const UPSERT_MINUTE = `INSERT INTO telemetry_minute (minute, worker_version, client_build, api_level, kind, count)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (minute, worker_version, client_build, api_level, kind) DO UPDATE SET count = count + excluded.count`;

const UPSERT_VERSION = `INSERT INTO telemetry_version (worker_version, build, first_minute, last_minute)
VALUES (?, ?, ?, ?)
ON CONFLICT (worker_version) DO UPDATE SET build = excluded.build,
  first_minute = min(first_minute, excluded.first_minute), last_minute = max(last_minute, excluded.last_minute)`;

const PRUNE = `DELETE FROM telemetry_minute WHERE minute < ?`;

/**
 * Writes `rows` and the versions they name, and deletes the minutes past
 * `TELEMETRY_KEEP_DAYS` (a range of the primary key), in one D1 batch.
 */
export async function writeRows(db: D1Database, rows: TelemetryRow[], build: string): Promise<void> {
  const versions = new Map<string, { first: number; last: number }>();
  for (const row of rows) {
    const seen = versions.get(row.workerVersion);
    versions.set(row.workerVersion, {
      first: Math.min(seen?.first ?? row.minute, row.minute),
      last: Math.max(seen?.last ?? row.minute, row.minute),
    });
  }
  await db.batch([
    ...rows.map((r) => db.prepare(UPSERT_MINUTE).bind(r.minute, r.workerVersion, r.clientBuild, r.apiLevel, r.kind, r.count)),
    ...[...versions].map(([version, span]) => db.prepare(UPSERT_VERSION).bind(version, build, span.first, span.last)),
    db.prepare(PRUNE).bind(Math.max(...rows.map((r) => r.minute)) - KEEP_MS),
  ]);
}

/** What a call says about its client: socket upgrades carry the level in a subprotocol and the build in `?build=`. */
function callerOf(c: Context<AppEnv>, currentLevel: number): { kind: TelemetryKind; clientBuild: string; apiLevel: number } {
  const socket = c.req.header('Upgrade')?.toLowerCase() === 'websocket';
  const build = socket ? c.req.query('build') : c.req.header(COMPAT.buildHeader);
  const clientBuild = build !== undefined && buildIdSchema.safeParse(build).success ? build : '';
  if (socket) {
    return { kind: 'socket', clientBuild, apiLevel: parseSubprotocols(c.req.header('Sec-WebSocket-Protocol') ?? null).level ?? 0 };
  }
  const api = parseApiHeader(c.req.header(COMPAT.apiHeader) ?? null);
  return { kind: 'http', clientBuild, apiLevel: api.ok ? (api.level ?? currentLevel) : 0 };
}

/** `waitUntil` of the request, or null where there is none (`app.request` without an execution context). */
function waitUntilOf(c: Context<AppEnv>): ((promise: Promise<unknown>) => void) | null {
  try {
    const ctx = c.executionCtx;
    return (promise) => ctx.waitUntil(promise);
  } catch {
    return null;
  }
}

/**
 * Counts every call it sees, before the compat gate, so refused old clients
 * count too. One middleware (and one batch) per app, which is per isolate.
 * The first call after a write starts a timer; when it ends, everything
 * counted meanwhile goes to D1 in one batch, so the aggregate trails by at
 * most `flushEveryMs` even when the calls stop. Without an execution context
 * (`app.request` in unit tests) there is nothing to write with, so nothing is counted.
 */
export function telemetry({ build, flushEveryMs = 10_000, maxPendingRows = 50, later = afterTimeout }: TelemetryOptions): MiddlewareHandler<AppEnv> {
  const batch = new TelemetryBatch();
  /**
   * When (real time) the running timer started, or null. A timer not done
   * after three periods is taken as lost (its request's waitUntil cancelled),
   * so the next call starts another instead of counting into memory forever.
   */
  let timerSince: number | null = null;
  const write = async (db: D1Database) => {
    const rows = batch.take();
    if (rows.length === 0) return;
    await writeRows(db, rows, build.id).catch((err: unknown) => console.error('telemetry write failed; these counts are lost', err));
  };
  return async (c, next) => {
    const now = c.var.now();
    const version = workerVersion(c.env.CF_VERSION_METADATA).version;
    const caller = callerOf(c, build.apiLevel);
    c.env.TELEMETRY?.writeDataPoint({
      indexes: [version],
      blobs: [version, caller.clientBuild, caller.kind, build.id],
      doubles: [caller.apiLevel, 1],
    });
    const waitUntil = waitUntilOf(c);
    if (waitUntil) {
      batch.add({ minute: minuteOf(now), workerVersion: version, ...caller });
      if (batch.size >= maxPendingRows) {
        waitUntil(write(c.env.DB));
      } else if (timerSince === null || Date.now() - timerSince > 3 * flushEveryMs) {
        const started = Date.now();
        timerSince = started;
        later(
          flushEveryMs,
          () => {
            if (timerSince === started) timerSince = null;
            return write(c.env.DB);
          },
          waitUntil,
        );
      }
    }
    await next();
  };
}
