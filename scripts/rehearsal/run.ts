/**
 * A local rollout rehearsal (`npm run rehearse`): the old and the new
 * release, each built from git as released, run side by side in one
 * `wrangler dev` against one local D1 and KV, behind a router that splits
 * traffic like a gradual deployment. The deployment steps 0 -> ... -> 100 %
 * (and optionally back) while scripted learners study over real HTTP and
 * WebSockets; afterwards every acknowledged answer is looked for in D1.
 */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { readD1Migrations } from '@cloudflare/vitest-plugin';
import { startDevServer, statusOf, type DevServer } from '../lib/dev-server.ts';
import { roomGroup, soloLearner, type Run } from './learners.ts';
import { buildReport, newStep, type Report, type StepStats, type Submission } from './report.ts';
import { prepareVersion, removeWorktrees, writeRouterConfig, type PreparedVersion } from './versions.ts';

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
  const work = await mkdtemp(join(tmpdir(), 'haru-rehearsal-'));
  const persistTo = join(work, 'state');
  const versions: PreparedVersion[] = [];
  let server: DevServer | null = null;
  try {
    for (const [side, ref] of [['old', options.from], ['new', options.to]] as const) {
      options.log(`building ${side} version from ${ref}`);
      versions.push(await prepareVersion(side, ref, work, persistTo));
    }
    const [oldVersion, newVersion] = versions as [PreparedVersion, PreparedVersion];
    for (const v of versions) options.log(`  ${v.side}: ${v.ref} (${v.commit}), build ${v.build.id} at API ${v.build.apiLevel}${v.hasRooms ? ', with rooms' : ''}`);
    const token = randomBytes(24).toString('hex');
    server = await startDevServer({
      configs: [await writeRouterConfig(work), oldVersion.config, newVersion.config],
      persistTo,
      port: options.port,
      // One secret for both versions: a guest token from one must open the other.
      env: { TOKEN_SECRET: randomBytes(32).toString('hex'), OPS_TOKEN: randomBytes(32).toString('hex'), CONTROL_TOKEN: token },
      ready: async (url) => (await statusOf(`${url}/healthz`)) === 200,
    });
    const control = controller(server.url, token);
    const hasRooms = { old: oldVersion.hasRooms, new: newVersion.hasRooms };
    await control('/__rehearsal/deploy', { newPercent: 0, hasRooms });
    await migrate(control, oldVersion, options.log);

    const steps: StepStats[] = [newStep('0 %', 0)];
    const submissions: Submission[] = [];
    let stopping = false;
    let counter = 0;
    const runId = randomBytes(4).toString('hex');
    const run: Run = {
      base: server.url,
      step: () => steps.at(-1) as StepStats,
      stepIndex: () => steps.length - 1,
      submitted: (submission) => submissions.push(submission),
      stopping: () => stopping,
      nonce: () => `rehearsal-${runId}-${++counter}`,
    };
    const learners = [
      ...Array.from({ length: options.soloLearners }, (_, i) => soloLearner(run, `solo${i}`)),
      ...Array.from({ length: options.rooms }, (_, i) => roomGroup(run, `room${i}`, options.guests)),
    ];
    options.log(`step 0 %: ${options.soloLearners} solo learners, ${options.rooms} room groups of ${options.guests + 1}`);
    await sleep(options.stepSeconds * 1000);
    const plan = [...options.percents.map((p) => ({ label: `${p} %`, p })), ...(options.rollback ? [{ label: 'rollback 0 %', p: 0 }] : [])];
    let migrated = false;
    for (const { label, p } of plan) {
      if (p > 0 && !migrated) {
        // Expand migrations go out before the new version takes traffic, as in `npm run release`.
        await migrate(control, newVersion, options.log);
        migrated = true;
      }
      const step = newStep(label, p);
      steps.push(step);
      step.socketsDropped = ((await control('/__rehearsal/deploy', { newPercent: p, hasRooms })) as { dropped: number }).dropped;
      options.log(`step ${label}${step.socketsDropped ? ` (${step.socketsDropped} room sockets dropped)` : ''}`);
      await sleep(options.stepSeconds * 1000);
    }
    stopping = true;
    options.log('learners finishing');
    // Unref'd, so a finished run does not wait for the timer to exit.
    await Promise.race([Promise.all(learners), sleep(WIND_DOWN_MS, undefined, { ref: false })]);
    options.log('looking for every acknowledged answer in D1');
    const found = await settle(control, submissions);
    return buildReport({ from: options.from, to: options.to, steps, submissions, found, notes: notesFor(hasRooms) });
  } finally {
    await server?.stop();
    if (versions.length) removeWorktrees(versions);
    await rm(work, { recursive: true, force: true });
  }
}

type Control = (path: string, body: unknown) => Promise<unknown>;

/** Calls the router's control API; throws on anything but 200. */
function controller(base: string, token: string): Control {
  return async (path, body) => {
    const res = await fetch(`${base}${path}`, {
      method: 'POST',
      headers: { 'X-Rehearsal-Token': token, 'Content-Type': 'application/json' },
      body: JSON.stringify(body),
      signal: AbortSignal.timeout(30_000),
    });
    const text = await res.text();
    if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${text}`);
    return JSON.parse(text) as unknown;
  };
}

/** Applies a version's migrations to the shared D1 through the router, while traffic flows. */
async function migrate(control: Control, version: PreparedVersion, log: (line: string) => void): Promise<void> {
  for (const migration of await readD1Migrations(version.migrationsDir)) {
    const { applied } = (await control('/__rehearsal/migrate', migration)) as { applied: boolean };
    if (applied) log(`  applied ${version.side} migration ${migration.name}`);
  }
}

/**
 * The nonces found anywhere in D1, read until every acknowledged answer is
 * there or SETTLE_MS passed (a room acks once its own storage has the answer
 * and writes D1 right after, retrying from its alarm).
 */
async function settle(control: Control, submissions: Submission[]): Promise<Set<string>> {
  const deadline = Date.now() + SETTLE_MS;
  for (;;) {
    const text = await dumpDatabase(control);
    const found = new Set(submissions.filter((s) => text.includes(s.nonce)).map((s) => s.nonce));
    if (found.size === submissions.length || Date.now() > deadline) return found;
    await sleep(500);
  }
}

/** Every row of every table of the shared D1, as one JSON text to search. */
async function dumpDatabase(control: Control): Promise<string> {
  const query = async (sql: string) => ((await control('/__rehearsal/query', { sql })) as { rows: Record<string, unknown>[] }).rows;
  const tables = await query("SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'");
  const parts: string[] = [];
  for (const { name } of tables) parts.push(JSON.stringify(await query(`SELECT * FROM "${String(name).replaceAll('"', '""')}"`)));
  return parts.join('\n');
}

/** What the reader should know about how rooms were rehearsed. */
function notesFor(hasRooms: { old: boolean; new: boolean }): string[] {
  if (hasRooms.old && hasRooms.new) {
    return [
      'both versions have the room class: locally each keeps its own room storage (workerd cannot share one Durable Object namespace between two workers), so a room moved to the other version loses its live state, which Cloudflare keeps; group failures right after such a move are not evidence',
    ];
  }
  if (hasRooms.old !== hasRooms.new) {
    return [
      `only the ${hasRooms.new ? 'new' : 'old'} version has the room class, so every room runs there while it is deployed; on Cloudflare a new Durable Object class needs \`wrangler deploy\` first (ship it dark, as Release 1.5 did)`,
    ];
  }
  return [];
}
