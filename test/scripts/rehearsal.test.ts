/** The rehearsal's pure parts: how the router splits traffic, and how the report counts and decides. */
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { buildReport, formatReport, newStep, noteFailure, serverErrorProblem } from '../../scripts/rehearsal/report.ts';
import { bucketOf, roomSide, sideFor } from '../../scripts/rehearsal/split.ts';

describe('traffic split', () => {
  it('gives a key the same bucket every time, in [0, 100)', () => {
    for (const key of ['a', 'learner-1', crypto.randomUUID()]) {
      const bucket = bucketOf(key);
      assert.equal(bucketOf(key), bucket);
      assert.ok(bucket >= 0 && bucket < 100, `${key} -> ${bucket}`);
    }
  });

  it('sends about p % of keys to the new version, and a key once new stays new as p grows', () => {
    const keys = Array.from({ length: 10_000 }, (_, i) => `learner-${i}`);
    for (const p of [10, 50]) {
      const share = keys.filter((k) => sideFor(bucketOf(k), p) === 'new').length / keys.length;
      assert.ok(Math.abs(share - p / 100) < 0.02, `${p} % -> ${(share * 100).toFixed(1)} %`);
    }
    assert.ok(keys.every((k) => sideFor(bucketOf(k), 10) === 'old' || sideFor(bucketOf(k), 50) === 'new'));
    assert.ok(keys.every((k) => sideFor(bucketOf(k), 0) === 'old' && sideFor(bucketOf(k), 100) === 'new'));
  });

  it('assigns a room object a version by its id when both versions have rooms, else the deployed one that has them', () => {
    const both = { old: true, new: true };
    const ids = Array.from({ length: 1_000 }, (_, i) => `study-${i}`);
    const onNew = ids.filter((id) => roomSide(id, 50, both) === 'new').length;
    assert.ok(onNew > 400 && onNew < 600, `${onNew} of 1000 rooms on new at 50 %`);
    const sides = ids.map((id) => roomSide(id, 50, both));
    assert.deepEqual(
      ids.map((id) => roomSide(id, 50, both)),
      sides,
      'a room gets the same version every time it is asked',
    );
    assert.equal(roomSide('s', 10, { old: false, new: true }), 'new');
    assert.equal(roomSide('s', 0, { old: false, new: true }), null, 'a version at 0 % serves no room');
    assert.equal(roomSide('s', 100, { old: true, new: false }), null);
    assert.equal(roomSide('s', 100, { old: true, new: true }), 'new');
    assert.equal(roomSide('s', 50, { old: false, new: false }), null);
  });
});

describe('report', () => {
  const steps = () => {
    const first = newStep('0 %', 0);
    first.solo = { tried: 10, failed: 0 };
    const second = newStep('10 %', 10);
    second.solo = { tried: 8, failed: 0 };
    second.group = { tried: 4, failed: 1 };
    second.met = { 'old>old': 1, 'old>new': 0, 'new>old': 2, 'new>new': 3 };
    return [first, second];
  };
  const submissions = [
    { nonce: 'n1', step: 0, kind: 'solo' as const },
    { nonce: 'n2', step: 1, kind: 'group' as const },
  ];

  it('is ok when every acknowledged answer is in D1 and no solo action failed (4xx group refusals are shown, not fatal)', () => {
    const report = buildReport({ from: 'v1', to: '.', steps: steps(), submissions, found: new Set(['n1', 'n2']) });
    assert.equal(report.ok, true);
    assert.deepEqual(report.totals, {
      soloTried: 18,
      soloFailed: 0,
      groupTried: 4,
      groupFailed: 1,
      groupServerErrors: 0,
      submissions: 2,
      found: 2,
      lost: 0,
    });
  });

  it('fails on a group action answered 5xx, naming the pairings, version skew first', () => {
    const failing = steps();
    failing[1]!.serverErrors['new>old'] = 9;
    failing[1]!.serverErrors['new>new'] = 1;
    failing[0]!.serverErrors['new>old'] = 2;
    failing[0]!.serverErrors['no room'] = 3;
    const report = buildReport({ from: 'v1', to: '.', steps: failing, submissions, found: new Set(['n1', 'n2']) });
    assert.equal(report.ok, false);
    assert.equal(report.totals.groupServerErrors, 15);
    const why =
      '15 group actions answered 5xx or lost their socket to a worker failure (version skew: new worker > old room 11; same version: new worker > new room 1; naming no room: 3)';
    assert.deepEqual(report.problems, [why]);
    assert.match(formatReport(report), /^10 % +8\/0 +4\/1 +10 /m);
    assert.ok(formatReport(report).endsWith(`FAILED: ${why}`));
  });

  it('has no server error problem when every group failure was a 4xx refusal', () => {
    assert.equal(serverErrorProblem(steps()), null);
    const one = newStep('50 %', 50);
    one.serverErrors['old>new'] = 1;
    assert.equal(
      serverErrorProblem([one]),
      '1 group action answered 5xx or lost their socket to a worker failure (version skew: old worker > new room 1)',
    );
  });

  it('counts an acknowledged answer missing from D1 as lost, in the step it was made, and fails', () => {
    const report = buildReport({ from: 'v1', to: '.', steps: steps(), submissions, found: new Set(['n2']) });
    assert.equal(report.ok, false);
    assert.deepEqual(
      report.steps.map((s) => s.lost),
      [1, 0],
    );
    assert.deepEqual(report.lostNonces, ['n1']);
    assert.match(report.problems.join(), /1 acknowledged submission\(s\) are not in D1/);
    assert.match(formatReport(report), /FAILED/);
  });

  it('fails on a failed solo action, and when no learner ran at all', () => {
    const failing = steps();
    failing[1]!.solo.failed = 1;
    noteFailure(failing[1]!, 'solo save the plan: 500');
    const report = buildReport({ from: 'v1', to: '.', steps: failing, submissions, found: new Set(['n1', 'n2']) });
    assert.equal(report.ok, false);
    assert.match(formatReport(report), /\[10 %\] solo save the plan: 500/);
    assert.equal(
      buildReport({ from: 'v1', to: '.', steps: [newStep('0 %', 0)], submissions: [], found: new Set() }).ok,
      false,
    );
  });

  it('prints one row per step and a total', () => {
    const text = formatReport(
      buildReport({ from: 'v1.0.0', to: '.', steps: steps(), submissions, found: new Set(['n1', 'n2']) }),
    );
    assert.match(text, /^Rehearsal v1\.0\.0 -> \./);
    assert.match(text, /^10 % +8\/0 +4\/1 +0 +1 +0/m);
    assert.match(text, /^total +18\/0 +4\/1 +0 +2 +0/m);
    // Which worker version met which room object version: old>old/old>new/new>old/new>new.
    assert.match(text, /worker>room oo\/on\/no\/nn$/m);
    assert.match(text, /^10 % .* 1\/0\/2\/3$/m);
    assert.match(text, /^total .* 1\/0\/2\/3$/m);
    assert.match(text, /OK: nothing lost/);
  });
});
