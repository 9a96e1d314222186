/**
 * Smoke test of `npm run bench`: a tiny run (5 sockets, 10 rounds, a
 * 2-participant cycle, the bare rooms but no PartyServer, and 6-socket "big"
 * rooms for the connect, drop-all and reconnect-all storms) through the same
 * code, so the bench keeps working as the room changes. It checks that every
 * scenario ran and the report renders; it never asserts a timing.
 */
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { type BenchOptions, DEFAULTS, report, runBench } from './run.ts';

const TINY: BenchOptions = {
  ...DEFAULTS,
  sockets: 5,
  rounds: 10,
  warmup: 2,
  party: false,
  bare: true,
  deflate: 'off',
  cycleSizes: [2],
  big: 6,
  bigRounds: 3,
  bigWarmup: 1,
};

test('the bench runs end to end on a tiny room', { timeout: 120_000 }, async () => {
  const result = await runBench(TINY);
  assert.deepEqual(
    result.fanOut.map((f) => f.kind),
    ['haru', 'bare', 'bare-store'],
  );
  assert.ok(result.fanOut.every((f) => f.summary.n === TINY.rounds));
  const [cycle] = result.cycles;
  assert.ok(cycle, 'the cycle ran');
  assert.equal(cycle.participants.length, 2);
  assert.equal(cycle.timeUps, 3, 'one time_up per timed step, from the room alarm');
  assert.ok(cycle.keepAliveAnswered);
  assert.ok(cycle.participants.every((p) => p.sent > 0 && p.received > 0));
  assert.deepEqual(
    result.big.map((b) => b.kind),
    ['bare', 'bare-store', 'haru'],
  );
  for (const b of result.big) {
    assert.equal(b.size, TINY.big);
    assert.equal(b.broadcast.summary.n, TINY.bigRounds);
    assert.equal(b.drop.closed, TINY.big - 1, 'every socket but the watcher dropped');
    assert.equal(b.joins !== null, b.kind === 'haru', 'joins over HTTP in the Haru room only');
  }
  const haru = result.big.find((b) => b.kind === 'haru');
  // Only presence changed while they were away: every learner comes back with a resume.
  assert.equal(haru?.reconnect.resumed, TINY.big - 1);
  const text = report(result, TINY);
  assert.match(text, /## Summary/);
  assert.match(text, /## 1\. Fan-out/);
  assert.match(text, /## 2\. Messages per participant/);
  assert.match(text, /## 3\. Rooms of 6 sockets/);
});
