/**
 * `npm run rehearse` end to end, as CI runs it: Release 1 (from git) rolled
 * out to this working tree and rolled back, with nothing lost; and two
 * known-bad rollouts the rehearsal must catch: a release whose migration
 * quietly deletes answers, and Release 1.5 -> 2.0.0, whose worker calls a
 * method Release 1.5's room object lacks.
 */
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ROOT } from '../../scripts/lib/paths.ts';
import { releaseCommit } from '../../scripts/lib/releases.ts';
import type { Report } from '../../scripts/rehearsal/report.ts';

/** Runs `scripts/rehearse.ts` with `args`; resolves with its exit code, output and JSON report. */
async function rehearse(args: string[]): Promise<{ code: number | null; output: string; report: Report }> {
  const dir = await mkdtemp(join(tmpdir(), 'haru-rehearse-test-'));
  try {
    const json = join(dir, 'report.json');
    const child = spawn(process.execPath, [join(ROOT, 'scripts/rehearse.ts'), ...args, '--json', json], {
      cwd: ROOT,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    const report = JSON.parse(await readFile(json, 'utf8').catch(() => 'null')) as Report;
    assert.ok(report, `the rehearsal wrote a report:\n${output}`);
    return { code, output, report };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
}

/**
 * A commit (on no branch) of this checkout's HEAD plus a migration that
 * passes the migration check yet deletes every saved answer, the kind of
 * mistake only data can show.
 */
async function brokenRelease(): Promise<string> {
  const dir = await mkdtemp(join(tmpdir(), 'haru-broken-'));
  const git = (args: string[], cwd = ROOT) => execFileSync('git', args, { cwd, encoding: 'utf8' }).trim();
  try {
    git(['worktree', 'add', '--detach', '--force', dir, 'HEAD']);
    await writeFile(
      join(dir, 'migrations', '0099_tidy_answers.sql'),
      '-- Deliberately broken (test only): meant to drop duplicate answers, drops them all.\nDELETE FROM content;\nDELETE FROM pomodoro_content;\n',
    );
    git(['add', 'migrations'], dir);
    git(
      [
        '-c',
        'user.name=rehearsal test',
        '-c',
        'user.email=test@localhost',
        'commit',
        '--no-verify',
        '-q',
        '-m',
        'broken migration (test only)',
      ],
      dir,
    );
    return git(['rev-parse', 'HEAD'], dir);
  } finally {
    git(['worktree', 'remove', '--force', dir]);
  }
}

describe('npm run rehearse', { concurrency: 1 }, () => {
  it('rolls Release 1 out to this tree and back with 0 lost and 0 failed solo actions', async () => {
    const { code, output, report } = await rehearse([
      '--from',
      releaseCommit('1.0.0'),
      '--to',
      '.',
      '--rollback',
      '--step-seconds',
      '5',
    ]);
    assert.equal(code, 0, output);
    assert.equal(report.ok, true, output);
    assert.deepEqual(
      report.steps.map((s) => s.label),
      ['0 %', '10 %', '50 %', '100 %', 'rollback 0 %'],
    );
    assert.equal(report.totals.lost, 0, output);
    assert.equal(report.totals.soloFailed, 0, output);
    assert.ok(report.totals.submissions > 50, `answers were acknowledged: ${report.totals.submissions}`);
    const [first, , , full, rollback] = report.steps as [
      Report['steps'][number],
      unknown,
      unknown,
      Report['steps'][number],
      Report['steps'][number],
    ];
    assert.deepEqual(
      [first.served.new, full.served.old],
      [0, 0],
      'at 0 % only the old version serves, at 100 % only the new',
    );
    assert.ok(full.group.tried > 0 && full.submissions > 0, 'live rooms ran on the new version');
    assert.ok(
      rollback.compatNotices > 0 && rollback.reloads > 0,
      `new pages met the old version and reloaded:\n${output}`,
    );
    assert.ok(
      report.steps.slice(1, 4).some((s) => s.compatNotices > 0 && s.reloads > 0),
      `an old page met the new version and reloaded:\n${output}`,
    );
    assert.match(output, /OK: nothing lost, every solo action worked/);
  });

  it('reports lost answers and exits 1 when a migration of the new release deletes them', async () => {
    const broken = await brokenRelease();
    const { code, output, report } = await rehearse([
      '--from',
      releaseCommit('1.0.0'),
      '--to',
      broken,
      '--steps',
      '10',
      '--step-seconds',
      '4',
    ]);
    assert.equal(code, 1, output);
    assert.equal(report.ok, false);
    assert.ok(report.totals.lost > 0, output);
    assert.ok((report.steps[0]?.lost ?? 0) > 0, 'answers made before the migration are the ones lost');
    assert.match(output, /FAILED: \d+ acknowledged submission\(s\) are not in D1/);
  });

  it('reports group 5xx from a new worker meeting an old room and exits 1 on Release 1.5 -> 2.0.0', async () => {
    // At 50 % each room a host on the new worker opens is assigned the old version (1.5.0, no `view`)
    // with probability 1/2 by its random study id, and the host's load of it answers 500. The step
    // moves each of the 20 hosts (no guests: the host's load fails first) to the new worker with
    // probability 1/2 and a moved host opens a room at once, so a run with no new>old 5xx has
    // probability at most (3/4)^20, 0.3 %; far less with later hosts and second rooms (three runs
    // opened 26 to 36 rooms in the step, 5 to 15 of them old).
    const { code, output, report } = await rehearse([
      '--from',
      'v1.5.0',
      '--to',
      'v2.0.0',
      '--steps',
      '50',
      '--step-seconds',
      '6',
      '--learners',
      '2',
      '--rooms',
      '20',
      '--guests',
      '0',
    ]);
    assert.equal(code, 1, output);
    assert.equal(report.ok, false);
    assert.equal(report.totals.lost, 0, output);
    assert.equal(report.totals.soloFailed, 0, output);
    const split = report.steps[1] as Report['steps'][number];
    assert.ok(
      split.serverErrors['new>old'] > 0 && split.met['new>old'] > 0,
      `a new worker met an old room and was answered 5xx:\n${output}`,
    );
    assert.match(
      output,
      /FAILED: \d+ group actions? answered 5xx or lost their socket to a worker failure \(version skew: new worker > old room \d+/,
    );
  });
});
