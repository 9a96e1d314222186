/**
 * A tiny v1 API client for worker tests: one app with a hand-moved clock, a
 * D1 binding that counts round trips, and helpers that sign learners up.
 */
import { env } from 'cloudflare:test';
import { createApp as createPreviousReleaseApp } from '@haru/previous-release/app.ts';
import { createApp as createRelease1App } from '@haru/release-1';
import { expect } from 'vitest';
import { CLIENT_ADDRESS_HEADER, madeUpAddress } from '../../../scripts/lib/client-address.ts';
import type { CreateMemberResponse, ProgressView, StudyPage } from '../../../shared/index.ts';
import { createApp } from '../../../worker/app.ts';

/** A clock tests move by hand: a whole study passes in no real time. */
export class TestClock {
  time = Date.UTC(2026, 10, 25, 9, 0, 0);
  now = () => this.time;
  advanceMinutes(minutes: number) {
    this.time += minutes * 60_000;
  }
}

/**
 * Wraps the D1 binding so every round trip to the database is counted: one
 * per `batch`, one per statement run on its own (all/run/first/raw).
 */
export function countingD1(db: D1Database): { db: D1Database; trips: () => number; reset: () => void } {
  let trips = 0;
  const patch = (stmt: D1PreparedStatement): D1PreparedStatement => {
    for (const method of ['all', 'run', 'first', 'raw'] as const) {
      const original = stmt[method].bind(stmt) as (...args: unknown[]) => Promise<unknown>;
      Object.defineProperty(stmt, method, {
        value: (...args: unknown[]) => {
          trips += 1;
          return original(...args);
        },
      });
    }
    const bind = stmt.bind.bind(stmt);
    Object.defineProperty(stmt, 'bind', { value: (...values: unknown[]) => patch(bind(...values)) });
    return stmt;
  };
  const counted = Object.create(db) as D1Database;
  Object.defineProperty(counted, 'prepare', { value: (query: string) => patch(db.prepare(query)) });
  Object.defineProperty(counted, 'batch', {
    value: (statements: D1PreparedStatement[]) => {
      trips += 1;
      return db.batch(statements);
    },
  });
  return { db: counted, trips: () => trips, reset: () => (trips = 0) };
}

/**
 * Worker apps by release: this tree's, and past ones as they shipped (their own
 * code from git, npm run releases:extract), for tests of releases side by side.
 */
const APPS_BY_RELEASE = { current: createApp, '1.0.0': createRelease1App, previous: createPreviousReleaseApp };

/**
 * The app under test with its clock and round-trip counter; `rooms` replaces
 * the ROOM binding (a worker meeting another release's room objects).
 */
export function v1App({
  apiLevel = 1,
  release = 'current',
  rooms,
}: {
  apiLevel?: number;
  release?: keyof typeof APPS_BY_RELEASE;
  rooms?: Env['ROOM'];
} = {}) {
  const clock = new TestClock();
  const d1 = countingD1(env.DB);
  const app = APPS_BY_RELEASE[release]({ build: { id: 'v1test', apiLevel }, now: clock.now });
  const testEnv = { ...env, DB: d1.db, ...(rooms ? { ROOM: rooms } : {}) };
  // Each test's learners call from a network of their own, so per-address limits count tests apart.
  const address = madeUpAddress();
  /** Calls the API as `token` (or anonymously) with a JSON body; paths not under `/api/` are v1's. */
  const call = (method: string, path: string, body?: unknown, token?: string) =>
    app.request(
      path.startsWith('/api/') ? path : `/api/v1${path}`,
      {
        method,
        headers: {
          [CLIENT_ADDRESS_HEADER]: address,
          ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
          ...(token ? { Authorization: `Bearer ${token}` } : {}),
        },
        body: body === undefined ? undefined : typeof body === 'string' ? body : JSON.stringify(body),
      },
      testEnv,
    );
  return { app, clock, d1, call, env: testEnv };
}

/** The test app's type. */
export type V1App = ReturnType<typeof v1App>;

/** Reads a 2xx JSON body after checking the status. */
export async function ok<T>(res: Response | Promise<Response>, status = 200): Promise<T> {
  const response = await res;
  const text = await response.text();
  expect(response.status, text).toBe(status);
  return JSON.parse(text) as T;
}

/** Signs a learner up and returns their token and member. */
export async function signUp(api: V1App, nickname = 'hana') {
  return ok<CreateMemberResponse>(api.call('POST', '/members', { nickname }), 201);
}

/** Creates a study for `token` (solo by default, 1 cycle of 25 minutes). */
export async function createStudy(api: V1App, token: string, body: Record<string, unknown> = {}) {
  return ok<StudyPage>(
    api.call('POST', '/studies', { name: 'math', totalCycles: 1, minutesPerCycle: 25, mode: 'solo', ...body }, token),
    201,
  );
}

/**
 * Takes a new one-cycle, 20-minute solo study from planning to done through the
 * v1 API, checking each step; resolves with the study page as created.
 */
export async function finishOneCycleSolo(api: V1App, token: string): Promise<StudyPage> {
  const page = await createStudy(api, token, { totalCycles: 1, minutesPerCycle: 20 });
  const id = page.me.progressId;
  const advance = (step: string) =>
    ok<ProgressView>(api.call('POST', `/progress/${id}/advance`, { from: { step, cycle: 1 } }, token));
  await ok(api.call('PUT', `/progress/${id}/plan`, { cycle: 1, plan: PLAN }, token));
  expect(await advance('planning')).toMatchObject({ step: 'studying', deadline: api.clock.now() + 20 * 60_000 });
  expect(await advance('studying')).toMatchObject({ step: 'retrospect' });
  await ok(api.call('PUT', `/progress/${id}/retrospect`, { cycle: 1, retrospect: RETRO }, token));
  expect(await advance('retrospect')).toMatchObject({ step: 'done', deadline: null });
  return page;
}

/** A valid plan and retrospect. */
export const PLAN = { toDo: 'read chapter 3', completionCondition: 'all exercises done' };
export const RETRO = { doneAsExpected: 'mostly', experiencedDifficulty: 'proofs', lesson: 'start earlier' };

/** Row counts of the v1 and v2 tables, to prove a rejected request changed nothing. */
export async function tableCounts(): Promise<Record<string, number>> {
  const tables = [
    'member',
    'pomodoro_study',
    'participant_code',
    'pomodoro_progress',
    'pomodoro_content',
    'study',
    'participant',
    'content',
    'participant_code_v2',
  ];
  const counts: Record<string, number> = {};
  for (const table of tables) {
    const row = await env.DB.prepare(`SELECT count(*) AS n FROM ${table}`).first<{ n: number }>();
    counts[table] = row?.n ?? -1;
  }
  return counts;
}
