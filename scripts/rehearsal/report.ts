/**
 * What a rehearsal counts, step by step, and the verdict: pure, so the
 * numbers and the exit decision are tested without running anything.
 */
import type { Meeting } from './split.ts';

/** The worker-to-object pairings, in the order the report prints them. */
const MEETINGS: Meeting[] = ['old>old', 'old>new', 'new>old', 'new>new'];

/** Where a server error happened: a worker on a room object, or `no room` (a call naming none, such as opening one). */
export type Pairing = Meeting | 'no room';

/** Actions of one kind in one step: how many were tried and how many failed. */
export interface Tally {
  tried: number;
  failed: number;
}

/** Everything counted while one deployment step was live. */
export interface StepStats {
  /** e.g. `10 %` or `rollback 0 %`. */
  label: string;
  newPercent: number;
  solo: Tally;
  group: Tally;
  /** 409s with `X-Haru-Compat: reload` and 4409 closes the learners met. */
  compatNotices: number;
  /** Page reloads after a compat answer that loaded (a failed one is a failed action). */
  reloads: number;
  /** Room sockets that dropped and were opened again. */
  reconnects: number;
  /** Room sockets the router dropped because their room changed version. */
  socketsDropped: number;
  /** HTTP answers per version. */
  served: { old: number; new: number };
  /** Requests naming a room (page view, socket) by worker version and the version its room object ran: `new>old` is a new worker on an old object. */
  met: Record<Meeting, number>;
  /** Group actions answered 5xx and room sockets the worker failed (1011), by the pairing that failed: fatal, unlike a refusal. */
  serverErrors: Record<Pairing, number>;
  /** The first failures, as `action: status error` lines. */
  failures: string[];
}

/** How many failure lines a step keeps. */
const KEPT_FAILURES = 8;

/** A fresh step. */
export function newStep(label: string, newPercent: number): StepStats {
  return {
    label,
    newPercent,
    solo: { tried: 0, failed: 0 },
    group: { tried: 0, failed: 0 },
    compatNotices: 0,
    reloads: 0,
    reconnects: 0,
    socketsDropped: 0,
    served: { old: 0, new: 0 },
    met: { 'old>old': 0, 'old>new': 0, 'new>old': 0, 'new>new': 0 },
    serverErrors: { 'old>old': 0, 'old>new': 0, 'new>old': 0, 'new>new': 0, 'no room': 0 },
    failures: [],
  };
}

/** Notes a failure line, keeping the first few. */
export function noteFailure(step: StepStats, line: string): void {
  if (step.failures.length < KEPT_FAILURES) step.failures.push(line);
}

/** A submission the app acknowledged: its unique text and the step it was made in. */
export interface Submission {
  nonce: string;
  step: number;
  kind: 'solo' | 'group';
}

/** The rehearsal's outcome. */
export interface Report {
  from: string;
  to: string;
  /** Each step with the answers acknowledged in it (a 200 on a plan/retrospect, an `ack` in a room) and how many of those are lost. */
  steps: (StepStats & { submissions: number; lost: number })[];
  totals: {
    soloTried: number;
    soloFailed: number;
    groupTried: number;
    groupFailed: number;
    groupServerErrors: number;
    submissions: number;
    found: number;
    lost: number;
  };
  /** Acknowledged submissions whose text is not in D1 afterwards. */
  lostNonces: string[];
  ok: boolean;
  /** Why not ok (empty when ok). */
  problems: string[];
  /** Things the reader should know that do not fail the run. */
  notes: string[];
}

/** A step's group server errors, whatever the pairing. */
const serverErrorsIn = (step: Pick<StepStats, 'serverErrors'>) =>
  Object.values(step.serverErrors).reduce((n, c) => n + c, 0);

/**
 * Why group study failed on the server side, or null: a group action the
 * worker answered 5xx, or a room socket it failed (1011), is a bug a
 * deployment would ship (typically version skew: a worker calling a room
 * object of another version it cannot use), unlike a 4xx refusal, which is
 * the protocol working (a compat notice, `group_study_closed`). Names each
 * pairing that failed, skew first, e.g. `18 group actions answered 5xx or
 * lost their socket to a worker failure (version skew: new worker > old room 18)`.
 */
export function serverErrorProblem(steps: Pick<StepStats, 'serverErrors'>[]): string | null {
  const count = (pairing: Pairing) => steps.reduce((n, step) => n + step.serverErrors[pairing], 0);
  const total = steps.reduce((n, step) => n + serverErrorsIn(step), 0);
  if (total === 0) return null;
  const named = (meetings: Meeting[]) =>
    meetings
      .filter((m) => count(m) > 0)
      .map((m) => `${m.replace('>', ' worker > ')} room ${count(m)}`)
      .join(', ');
  const parts = [
    ['version skew', named(['new>old', 'old>new'])],
    ['same version', named(['old>old', 'new>new'])],
    ['naming no room', count('no room') > 0 ? String(count('no room')) : ''],
  ].filter(([, text]) => text);
  return `${total} group action${total === 1 ? '' : 's'} answered 5xx or lost their socket to a worker failure (${parts.map(([what, text]) => `${what}: ${text}`).join('; ')})`;
}

/**
 * Puts the counts together with what D1 holds afterwards (`found`: the nonces
 * whose text is in D1). Fails on any lost submission, any failed solo
 * action (solo study must keep running through every step) and any group
 * server error (serverErrorProblem); other group failures are listed only.
 */
export function buildReport(input: {
  from: string;
  to: string;
  steps: StepStats[];
  submissions: Submission[];
  found: Set<string>;
  notes?: string[];
}): Report {
  const lost = input.submissions.filter((s) => !input.found.has(s.nonce));
  const inStep = (list: Submission[], index: number) => list.filter((s) => s.step === index).length;
  const steps = input.steps.map((step, index) => ({
    ...step,
    submissions: inStep(input.submissions, index),
    lost: inStep(lost, index),
  }));
  const sum = (pick: (s: StepStats) => number) => steps.reduce((total, step) => total + pick(step), 0);
  const totals = {
    soloTried: sum((s) => s.solo.tried),
    soloFailed: sum((s) => s.solo.failed),
    groupTried: sum((s) => s.group.tried),
    groupFailed: sum((s) => s.group.failed),
    groupServerErrors: sum(serverErrorsIn),
    submissions: input.submissions.length,
    found: input.submissions.length - lost.length,
    lost: lost.length,
  };
  const problems: string[] = [];
  if (totals.lost > 0) problems.push(`${totals.lost} acknowledged submission(s) are not in D1`);
  if (totals.soloFailed > 0) problems.push(`${totals.soloFailed} solo action(s) failed`);
  const serverErrors = serverErrorProblem(steps);
  if (serverErrors) problems.push(serverErrors);
  if (totals.soloTried === 0) problems.push('no solo action was tried: the learners never ran');
  return {
    from: input.from,
    to: input.to,
    steps,
    totals,
    lostNonces: lost.map((s) => s.nonce),
    ok: problems.length === 0,
    problems,
    notes: input.notes ?? [],
  };
}

/** The report as a table for a terminal. */
export function formatReport(report: Report): string {
  const header = [
    'step',
    'solo tried/failed',
    'group tried/failed',
    'group 5xx',
    'submitted',
    'lost',
    'compat',
    'reloads',
    'reconnects',
    'dropped',
    'served old/new',
    'worker>room oo/on/no/nn',
  ];
  const met = (counts: (m: Meeting) => number) => MEETINGS.map(counts).join('/');
  const rows = report.steps.map((s) => [
    s.label,
    `${s.solo.tried}/${s.solo.failed}`,
    `${s.group.tried}/${s.group.failed}`,
    String(serverErrorsIn(s)),
    String(s.submissions),
    String(s.lost),
    String(s.compatNotices),
    String(s.reloads),
    String(s.reconnects),
    String(s.socketsDropped),
    `${s.served.old}/${s.served.new}`,
    met((m) => s.met[m]),
  ]);
  const t = report.totals;
  const metTotal = met((m) => report.steps.reduce((n, s) => n + s.met[m], 0));
  rows.push([
    'total',
    `${t.soloTried}/${t.soloFailed}`,
    `${t.groupTried}/${t.groupFailed}`,
    String(t.groupServerErrors),
    String(t.submissions),
    String(t.lost),
    '',
    '',
    '',
    '',
    '',
    metTotal,
  ]);
  const widths = header.map((h, i) => Math.max(h.length, ...rows.map((r) => (r[i] ?? '').length)));
  const line = (cells: string[]) =>
    cells
      .map((cell, i) => cell.padEnd(widths[i] ?? 0))
      .join('  ')
      .trimEnd();
  const out = [`Rehearsal ${report.from} -> ${report.to}`, line(header), ...rows.map(line)];
  out.push(`submissions: ${t.submissions} acknowledged, ${t.found} found in D1, ${t.lost} lost`);
  for (const step of report.steps) for (const failure of step.failures) out.push(`  [${step.label}] ${failure}`);
  for (const note of report.notes) out.push(`note: ${note}`);
  out.push(
    report.ok
      ? 'OK: nothing lost, every solo action worked, no group action met a server error'
      : `FAILED: ${report.problems.join('; ')}`,
  );
  return out.join('\n');
}
