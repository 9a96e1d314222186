/**
 * D1 busy, locked or down for a moment: every HTTP route answers 503
 * `unavailable` with `Retry-After`, never a 500, and nothing saved changes.
 * The failure is D1's own wording (a locked local database; an overloaded
 * remote one), injected into the binding the app is given.
 */
import { env } from 'cloudflare:test';
import { describe, expect, it } from 'vitest';
import { expectJsonError } from './helpers.ts';
import { ok, signUp, tableCounts, v1App } from './v1/client.ts';

/** A D1 binding whose every query fails the way D1 does when it cannot answer now. */
function busyD1(db: D1Database, message: string): D1Database {
  const fail = () => Promise.reject(new Error(message));
  const failing = (stmt: D1PreparedStatement): D1PreparedStatement => {
    for (const method of ['all', 'run', 'first', 'raw'] as const) Object.defineProperty(stmt, method, { value: fail });
    const bind = stmt.bind.bind(stmt);
    Object.defineProperty(stmt, 'bind', { value: (...values: unknown[]) => failing(bind(...values)) });
    return stmt;
  };
  const busy = Object.create(db) as D1Database;
  Object.defineProperty(busy, 'prepare', { value: (query: string) => failing(db.prepare(query)) });
  Object.defineProperty(busy, 'batch', { value: fail });
  return busy;
}

describe('D1 unavailable for a moment', () => {
  it.each([
    ['locked (local)', 'D1_ERROR: database is locked: SQLITE_BUSY'],
    ['overloaded', 'D1_ERROR: D1 DB is overloaded. Requests queued for too long.'],
    ['a lost connection', 'D1_ERROR: Network connection lost.'],
  ])('%s: every route answers 503 with Retry-After, and nothing changes', async (_, message) => {
    const api = v1App({ apiLevel: 2 });
    const learner = await signUp(api, 'before');
    const study = await ok<{ study: { id: string } }>(
      api.call('POST', '/studies', { name: 'math', totalCycles: 1, minutesPerCycle: 25, mode: 'solo' }, learner.token),
      201,
    );
    const before = await tableCounts();
    const healthy = api.env.DB;
    api.env.DB = busyD1(env.DB, message);

    for (const [method, path, body] of [
      ['POST', '/members', { nickname: 'during' }],
      ['GET', '/members/me', undefined],
      ['GET', `/studies/${study.study.id}`, undefined],
      ['GET', '/me/records', undefined],
      ['GET', `/studies/${study.study.id}/records`, undefined],
      ['POST', '/api/v2/studies', { name: 'group', totalCycles: 1, minutesPerCycle: 25 }],
      ['POST', '/api/v2/studies/join', { code: 'ABCDEF', nickname: 'g' }],
    ] as const) {
      const res = await api.call(method, path, body, learner.token);
      await expectJsonError(res, 503, 'unavailable');
      expect(res.headers.get('Retry-After')).toBe('5');
      expect(res.headers.get('X-Haru-Version')).not.toBeNull();
    }

    api.env.DB = healthy;
    expect(await tableCounts()).toEqual(before);
    expect((await api.call('GET', '/members/me', undefined, learner.token)).status).toBe(200);
  });

  it('a D1 failure that is not about availability is still a 500', async () => {
    const api = v1App();
    const learner = await signUp(api, 'bug');
    api.env.DB = busyD1(env.DB, 'D1_ERROR: no such column: nickame: SQLITE_ERROR');
    await expectJsonError(await api.call('GET', '/members/me', undefined, learner.token), 500, 'internal');
  });
});
