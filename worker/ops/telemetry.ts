/**
 * Version telemetry (DESIGN §8): every API answer and room socket door answer
 * counts by worker version id, client build and API level, with its outcome
 * (status); every room socket close counts with its close code (the room
 * records those, worker/room/room.ts). Production gets one Analytics Engine
 * data point each (data-point.ts); the operator view reads per-minute
 * aggregates in D1 that each isolate batches in memory and upserts in one D1
 * batch at most every few seconds, through `waitUntil`, so no request waits
 * for, or adds, a D1 write.
 */
import type { Context, MiddlewareHandler } from 'hono';
import {
  assetKeys,
  buildIdSchema,
  COMPAT,
  manifestMetaSchema,
  parseApiHeader,
  parseSubprotocols,
  TELEMETRY_KEEP_DAYS,
} from '../../shared/index.ts';
import type { AppEnv } from '../types.ts';
import { dataPoint, outcomeOf, type TelemetryKind, UNKNOWN_BUILD } from './data-point.ts';

/** One row of `telemetry_minute` (migrations/0003): who called, per minute. */
export interface CallRow {
  /** Epoch ms of the minute's start. */
  minute: number;
  /** The version id (migrations/0006: ids, so two versions with one tag stay two). */
  workerVersion: string;
  /** '' when the caller sent no valid build id, UNKNOWN_BUILD when no published build has it. */
  clientBuild: string;
  /** 0 when the caller's API level could not be read. */
  apiLevel: number;
  kind: 'http' | 'socket';
  count: number;
}

/** One row of `telemetry_outcome` (migrations/0006): how calls were answered and sockets closed, per minute. */
export interface OutcomeRow {
  minute: number;
  workerVersion: string;
  apiLevel: number;
  kind: TelemetryKind;
  /** HTTP status, or the close code for `close`. */
  code: number;
  count: number;
}

/** Which worker version counts: its id, and its tag ('' when it has none). */
export interface VersionIdentity {
  id: string;
  tag: string;
}

/** The id and tag of the version running, from the version metadata binding; `dev` under `wrangler dev` and in tests. */
export function versionIdentity(meta: WorkerVersionMetadata | undefined): VersionIdentity {
  return { id: meta?.id || 'dev', tag: meta?.tag ?? '' };
}

/** Runs `task` after `ms`, kept alive by `waitUntil`; tests fire it by hand. */
export type Later = (ms: number, task: () => Promise<void>, waitUntil: (promise: Promise<unknown>) => void) => void;

/** How often the aggregate is written; tests shrink or grow these. */
export interface TelemetryOptions {
  /** The client build this worker ships, recorded per version for the retire verdict; empty for a recorder that counts closes only. */
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
/** How long the list of published builds is trusted before a miss may read it again. */
const KNOWN_BUILDS_MS = MINUTE_MS;
/** Manifest pages read at most per refresh (1,000 builds each): bounds one refresh's KV reads. */
const MANIFEST_PAGES = 5;

/** Start of the minute `time` falls in. */
export function minuteOf(time: number): number {
  return time - (time % MINUTE_MS);
}

/** A timer in `waitUntil` (Workers allow 30 s there after the response). */
const afterTimeout: Later = (ms, task, waitUntil) =>
  waitUntil(new Promise((resolve) => setTimeout(resolve, ms)).then(task));

/**
 * Counts not yet written, keyed by row, so a burst of calls costs memory per
 * distinct row, not per call.
 */
class Pending<R extends { count: number }> {
  private rows = new Map<string, R>();

  /** Counts one under `key`. */
  add(key: string, row: Omit<R, 'count'>): void {
    const found = this.rows.get(key);
    if (found) found.count += 1;
    else this.rows.set(key, { ...row, count: 1 } as R);
  }

  get size(): number {
    return this.rows.size;
  }

  /** Every pending row, forgotten here. */
  take(): R[] {
    const rows = [...this.rows.values()];
    this.rows.clear();
    return rows;
  }
}

/**
 * The builds published to KV (manifest keys), so that only those become
 * series: a caller can put anything in `X-Haru-Build`, and a made-up id must
 * not reach the operator view, assets:gc or the retire verdicts. Read with one
 * KV list per minute at most, and only when a build not seen before calls.
 */
export class KnownBuilds {
  private levels = new Map<string, number>();
  private readAt = Number.NEGATIVE_INFINITY;
  private reading: Promise<void> | null = null;

  /** `own` (the build this worker ships) is known without asking KV. */
  constructor(own: string) {
    if (own) this.levels.set(own, 0);
  }

  /** `id` if a published build has it, else UNKNOWN_BUILD. */
  async classify(kv: KVNamespace, id: string, now: number): Promise<string> {
    if (this.levels.has(id)) return id;
    if (now - this.readAt >= KNOWN_BUILDS_MS) {
      this.reading ??= this.read(kv, now).finally(() => (this.reading = null));
      await this.reading;
    }
    return this.levels.has(id) ? id : UNKNOWN_BUILD;
  }

  /** Published builds and their API levels, as last read. */
  async published(kv: KVNamespace, now: number): Promise<Map<string, number>> {
    if (now - this.readAt >= KNOWN_BUILDS_MS) await this.read(kv, now);
    return new Map([...this.levels].filter(([, level]) => level > 0));
  }

  private async read(kv: KVNamespace, now: number): Promise<void> {
    this.readAt = now;
    let cursor: string | undefined;
    for (let page = 0; page < MANIFEST_PAGES; page++) {
      const listed: KVNamespaceListResult<unknown> = await kv.list({
        prefix: assetKeys.manifestPrefix,
        ...(cursor ? { cursor } : {}),
      });
      for (const key of listed.keys) {
        const meta = manifestMetaSchema.safeParse(key.metadata);
        this.levels.set(key.name.slice(assetKeys.manifestPrefix.length), meta.success ? meta.data.apiLevel : 0);
      }
      if (listed.list_complete) break;
      cursor = listed.cursor;
    }
  }
}

const UPSERT_CALLS = `INSERT INTO telemetry_minute (minute, worker_version, client_build, api_level, kind, count)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (minute, worker_version, client_build, api_level, kind) DO UPDATE SET count = count + excluded.count`;

const UPSERT_OUTCOMES = `INSERT INTO telemetry_outcome (minute, worker_version, api_level, kind, code, count)
VALUES (?, ?, ?, ?, ?, ?)
ON CONFLICT (minute, worker_version, api_level, kind, code) DO UPDATE SET count = count + excluded.count`;

const UPSERT_VERSION = `INSERT INTO telemetry_version (worker_version, build, first_minute, last_minute, tag)
VALUES (?, ?, ?, ?, ?)
ON CONFLICT (worker_version) DO UPDATE SET build = excluded.build, tag = excluded.tag,
  first_minute = min(first_minute, excluded.first_minute), last_minute = max(last_minute, excluded.last_minute)`;

/** What one flush writes. */
export interface TelemetryWrite {
  calls: CallRow[];
  outcomes: OutcomeRow[];
  /** The version that counted them, and the build it ships ('' when the writer does not know: then no version row). */
  version: VersionIdentity & { build: string };
}

/**
 * Writes the rows, the version they were counted by, and deletes the minutes
 * past `TELEMETRY_KEEP_DAYS` (a range of each primary key), in one D1 batch.
 */
export async function writeRows(db: D1Database, { calls, outcomes, version }: TelemetryWrite): Promise<void> {
  const minutes = [...calls, ...outcomes].map((r) => r.minute);
  if (minutes.length === 0) return;
  const [first, last] = [Math.min(...minutes), Math.max(...minutes)];
  await db.batch([
    ...calls.map((r) =>
      db.prepare(UPSERT_CALLS).bind(r.minute, r.workerVersion, r.clientBuild, r.apiLevel, r.kind, r.count),
    ),
    ...outcomes.map((r) =>
      db.prepare(UPSERT_OUTCOMES).bind(r.minute, r.workerVersion, r.apiLevel, r.kind, r.code, r.count),
    ),
    ...(version.build && calls.length > 0
      ? [db.prepare(UPSERT_VERSION).bind(version.id, version.build, first, last, version.tag)]
      : []),
    db.prepare(`DELETE FROM telemetry_minute WHERE minute < ?`).bind(last - KEEP_MS),
    db.prepare(`DELETE FROM telemetry_outcome WHERE minute < ?`).bind(last - KEEP_MS),
  ]);
}

/** One thing to count: who called (none for a close) and how it ended. */
export interface TelemetryEvent {
  now: number;
  version: VersionIdentity;
  apiLevel: number;
  kind: TelemetryKind;
  code: number;
  /** The caller's build id as sent ('' when none); answers only. */
  clientBuild?: string;
}

/** Where a recorder writes: the bindings it needs and the request's (or object's) `waitUntil`. */
export interface TelemetrySink {
  env: Pick<Env, 'DB' | 'ASSETS_KV' | 'TELEMETRY'>;
  waitUntil: (promise: Promise<unknown>) => void;
}

/**
 * Counts events in memory and writes them to D1 in batches; writes each
 * event's Analytics Engine data point at once. One per isolate: the worker's
 * middleware has one, the room module another. The first event after a write
 * starts a timer; when it ends, everything counted meanwhile goes in one D1
 * batch, so the aggregate trails by at most `flushEveryMs` even when calls stop.
 */
export class TelemetryRecorder {
  private calls = new Pending<CallRow>();
  private outcomes = new Pending<OutcomeRow>();
  private version: VersionIdentity = { id: '', tag: '' };
  /** Builds published to KV; public for the operator view's per-level verdicts. */
  readonly known: KnownBuilds;
  private readonly build: TelemetryOptions['build'];
  private readonly flushEveryMs: number;
  private readonly maxPendingRows: number;
  private readonly later: Later;
  /**
   * When (real time) the running timer started, or null. A timer not done
   * after three periods is taken as lost (its waitUntil cancelled), so the
   * next event starts another instead of counting into memory forever.
   */
  private timerSince: number | null = null;

  constructor({ build, flushEveryMs = 10_000, maxPendingRows = 50, later = afterTimeout }: TelemetryOptions) {
    this.build = build;
    this.known = new KnownBuilds(build.id);
    this.flushEveryMs = flushEveryMs;
    this.maxPendingRows = maxPendingRows;
    this.later = later;
  }

  /** Counts `event`: a data point now, a D1 row later. Unknown build ids count as UNKNOWN_BUILD. */
  async record(sink: TelemetrySink, event: TelemetryEvent): Promise<void> {
    const { env } = sink;
    const clientBuild = event.clientBuild ? await this.known.classify(env.ASSETS_KV, event.clientBuild, event.now) : '';
    const { id, tag } = event.version;
    env.TELEMETRY?.writeDataPoint(
      dataPoint({
        version_id: id,
        version_tag: tag,
        client_build: clientBuild,
        kind: event.kind,
        outcome: outcomeOf(event.kind, event.code),
        worker_build: this.build.id,
        api_level: event.apiLevel,
        count: 1,
        code: event.code,
      }),
    );
    const minute = minuteOf(event.now);
    this.version = event.version;
    if (event.kind !== 'close') {
      const row = { minute, workerVersion: id, clientBuild, apiLevel: event.apiLevel, kind: event.kind };
      this.calls.add(`${minute}\n${id}\n${clientBuild}\n${event.apiLevel}\n${event.kind}`, row);
    }
    const outcome = { minute, workerVersion: id, apiLevel: event.apiLevel, kind: event.kind, code: event.code };
    this.outcomes.add(`${minute}\n${id}\n${event.apiLevel}\n${event.kind}\n${event.code}`, outcome);
    this.schedule(sink);
  }

  private schedule(sink: TelemetrySink): void {
    if (this.calls.size + this.outcomes.size >= this.maxPendingRows) {
      sink.waitUntil(this.flush(sink.env.DB));
    } else if (this.timerSince === null || Date.now() - this.timerSince > 3 * this.flushEveryMs) {
      const started = Date.now();
      this.timerSince = started;
      this.later(
        this.flushEveryMs,
        () => {
          if (this.timerSince === started) this.timerSince = null;
          return this.flush(sink.env.DB);
        },
        sink.waitUntil,
      );
    }
  }

  /** Writes what is pending now, as the timer does when it ends (tests call it instead of waiting). */
  async flush(db: D1Database): Promise<void> {
    const write: TelemetryWrite = {
      calls: this.calls.take(),
      outcomes: this.outcomes.take(),
      version: { ...this.version, build: this.build.id },
    };
    await writeRows(db, write).catch((err: unknown) =>
      console.error('telemetry write failed; these counts are lost', err),
    );
  }
}

/** What a call says about its client: socket upgrades carry the level in a subprotocol and the build in `?build=`. */
function callerOf(
  c: Context<AppEnv>,
  currentLevel: number,
): { kind: 'http' | 'socket'; clientBuild: string; apiLevel: number } {
  const socket = c.req.header('Upgrade')?.toLowerCase() === 'websocket';
  const build = socket ? c.req.query('build') : c.req.header(COMPAT.buildHeader);
  const clientBuild = build !== undefined && buildIdSchema.safeParse(build).success ? build : '';
  if (socket) {
    return {
      kind: 'socket',
      clientBuild,
      apiLevel: parseSubprotocols(c.req.header('Sec-WebSocket-Protocol') ?? null).level ?? 0,
    };
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
 * Counts every answer after it is made, so the status is known, including
 * the compat gate's refusals of old clients and errors `onError` turned into
 * a 500. Counting runs in `waitUntil`, after the response. Without an
 * execution context (`app.request` in unit tests) there is nothing to write
 * with, so nothing is counted.
 */
export function telemetry(recorder: TelemetryRecorder, currentLevel: number): MiddlewareHandler<AppEnv> {
  return async (c, next) => {
    await next();
    const waitUntil = waitUntilOf(c);
    if (!waitUntil) return;
    const caller = callerOf(c, currentLevel);
    const event: TelemetryEvent = {
      now: c.var.now(),
      version: versionIdentity(c.env.CF_VERSION_METADATA),
      code: c.res.status,
      ...caller,
    };
    waitUntil(recorder.record({ env: c.env, waitUntil }, event));
  };
}
