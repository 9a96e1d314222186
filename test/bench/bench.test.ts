/**
 * Smoke test of `npm run bench`: a tiny run (5 sockets, 10 rounds, a
 * 2-participant cycle, no PartyServer, no big room) through the same code,
 * so the bench keeps working as the room changes. It checks that every
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
  deflate: 'off',
  cycleSizes: [2],
  big: 0,
};

test('the bench runs end to end on a tiny room', { timeout: 90_000 }, async () => {
  const result = await runBench(TINY);
  assert.equal(result.fanOut.length, 1);
  assert.equal(result.fanOut[0]!.summary.n, TINY.rounds);
  const [cycle] = result.cycles;
  assert.ok(cycle, 'the cycle ran');
  assert.equal(cycle.participants.length, 2);
  assert.equal(cycle.timeUps, 3, 'one time_up per timed step, from the room alarm');
  assert.ok(cycle.keepAliveAnswered);
  assert.ok(cycle.participants.every((p) => p.sent > 0 && p.received > 0));
  assert.equal(result.big, null);
  const text = report(result, TINY);
  assert.match(text, /## 1\. Fan-out/);
  assert.match(text, /## 2\. Messages per participant/);
});
