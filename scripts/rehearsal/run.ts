/**
 * A local rollout rehearsal (`npm run rehearse`): the old and the new
 * release, each built from git as released, run side by side in one
 * `wrangler dev` against one local D1 and KV, behind a router that splits
 * traffic like a gradual deployment, with each room object on the code of the
 * version the deployment assigns it. The deployment steps 0 -> ... -> 100 %
 * (and optionally back) while scripted learners study over real HTTP and
 * WebSockets; afterwards every acknowledged answer is looked for in D1.
 */
import { randomBytes } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { type Run, roomGroup, soloLearner } from './learners.ts';
import { buildReport, newStep, type Report, type StepStats, type Submission } from './report.ts';
import { type Stage, startStage } from './stage.ts';

/** What to rehearse and how hard. */
export interface RehearsalOptions {
  /** Git ref of the release live now. */
  from: string;
  /** Git ref of the release to roll out, or `.` for this working tree. */
  to: string;
  /** The new version's percentages after 0 %, in order (default 10, 50, 100). */
  percents: number[];
  /** Step back to 0 % at the end. */
  rollback: boolean;
  /** How long each step stays live. */
  stepSeconds: number;
  /** Solo learners running studies back to back. */
  soloLearners: number;
  /** Live rooms open at once, each with a host and `guests`. */
  rooms: number;
  guests: number;
  port: number;
  log: (line: string) => void;
}

/** How long the learners get to finish what they are doing once the last step is over. */
const WIND_DOWN_MS = 60_000;
/** How long acknowledged room answers get to reach D1 (the room's outbox) before they count as lost. */
const SETTLE_MS = 15_000;

/** Runs a whole rehearsal and returns its report; everything it started is stopped again. */
export async function rehearse(options: RehearsalOptions): Promise<Report> {
  const stage = await startStage(options);
  try {
    await stage.migrate('old');

    const steps: StepStats[] = [newStep('0 %', 0)];
    const submissions: Submission[] = [];
    let stopping = false;
    let counter = 0;
    const runId = randomBytes(4).toString('hex');
    const run: Run = {
      base: stage.url,
      step: () => steps.at(-1) as StepStats,
      stepOfDeployment: (deployment) => steps[deployment - stage.firstDeployment],
      stepIndex: () => steps.length - 1,
      submitted: (submission) => submissions.push(submission),
      stopping: () => stopping,
      nonce: () => `rehearsal-${runId}-${++counter}`,
    };
    const learners = [
      ...Array.from({ length: options.soloLearners }, (_, i) => soloLearner(run, `solo${i}`)),
      // The first host keeps one page open all run: the compat notice, both ways, every time.
      ...Array.from({ length: options.rooms }, (_, i) => roomGroup(run, `room${i}`, options.guests, i === 0)),
    ];
    options.log(
      `step 0 %: ${options.soloLearners} solo learners, ${options.rooms} room groups of ${options.guests + 1}`,
    );
    await sleep(options.stepSeconds * 1000);
    const plan = [
      ...options.percents.map((p) => ({ label: `${p} %`, p })),
      ...(options.rollback ? [{ label: 'rollback 0 %', p: 0 }] : []),
    ];
    let migrated = false;
    for (const { label, p } of plan) {
      if (p > 0 && !migrated) {
        // Expand migrations go out before the new version takes traffic, as in `npm run release`.
        await stage.migrate('new');
        migrated = true;
      }
      // Pushed first: the router may answer under the new deployment before `deploy` returns.
      const step = newStep(label, p);
      steps.push(step);
      const { dropped, deployment } = await stage.deploy(p);
      if (deployment !== stage.firstDeployment + steps.length - 1)
        throw new Error(`the router is at deployment ${deployment}; something else stepped it`);
      step.socketsDropped = dropped;
      options.log(`step ${label}${step.socketsDropped ? ` (${step.socketsDropped} room sockets dropped)` : ''}`);
      await sleep(options.stepSeconds * 1000);
    }
    stopping = true;
    options.log('learners finishing');
    // Unref'd, so a finished run does not wait for the timer to exit.
    await Promise.race([Promise.all(learners), sleep(WIND_DOWN_MS, undefined, { ref: false })]);
    for (const [deployment, counts] of Object.entries(await stage.meetings())) {
      const step = run.stepOfDeployment(Number(deployment));
      if (step) Object.assign(step.met, counts);
    }
    options.log('looking for every acknowledged answer in D1');
    const found = await settle(stage, submissions);
    return buildReport({
      from: options.from,
      to: options.to,
      steps,
      submissions,
      found,
      notes: notesFor(stage.hasRooms),
    });
  } finally {
    await stage.stop();
  }
}

/**
 * The nonces found anywhere in D1, read until every acknowledged answer is
 * there or SETTLE_MS passed (a room acks once its own storage has the answer
 * and writes D1 right after, retrying from its alarm).
 */
async function settle(stage: Stage, submissions: Submission[]): Promise<Set<string>> {
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    const text = await stage.dumpDatabase();
    const found = new Set(submissions.filter((s) => text.includes(s.nonce)).map((s) => s.nonce));
    if (found.size === submissions.length || Date.now() > deadline) return found;
    await sleep(500);
  }
}

/** What the reader should know about how rooms were rehearsed. */
function notesFor(hasRooms: { old: boolean; new: boolean }): string[] {
  if (hasRooms.old && hasRooms.new) {
    return [
      'both versions have the room class: each room object runs the code of the version the deployment assigns it, on one storage, whichever version calls it (worker>room counts the requests that name their room); a step that moves it restarts it at once, as `--durable-objects-code-update-mode immediate` does',
    ];
  }
  if (hasRooms.old !== hasRooms.new) {
    return [
      `only the ${hasRooms.new ? 'new' : 'old'} version has the room class, so every room runs there while it is deployed; on Cloudflare a new Durable Object class needs \`wrangler deploy\` first (ship it dark, as Release 1.5 did)`,
    ];
  }
  return [];
}
