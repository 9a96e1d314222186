/**
 * Plans one step of a gradual release (DESIGN §8): build, publish the client
 * to KV, apply expand migrations, `wrangler versions upload`, then
 * `wrangler versions deploy` at the asked percentage; and a rollback to an
 * earlier release. Pure, so the refusals (failing migration check, a contract
 * step, a Durable Object change that needs `wrangler deploy`, a rollback
 * across a Durable Object migration) are unit-tested without wrangler or Cloudflare.
 */
import { checkMigrations, isContractStep, type MigrationFile } from './migration-check.ts';
import type { Step } from './plan-step.ts';
import { versionMessage } from './worker-versions.ts';

/** Stands for the id `wrangler versions upload` prints; the release script fills it in. */
export const NEW_VERSION = '<new version id>';
/** Stands for the version serving now, in a dry run without `--from`. */
export const CURRENT_VERSION = '<current version id>';
/**
 * Stands for the id of the client build `npm run build` writes (dist/build.json);
 * the release script fills it in, so the upload message names the build the
 * version serves and assets:gc can read it back.
 */
export const CLIENT_BUILD = '<client build id>';

/**
 * How every deployment the release script makes moves Durable Objects to new
 * code. wrangler's default is `deferred` (an active object keeps its old code
 * until it hibernates, up to 300 s), so a room would keep answering with the
 * version it had while the other version's worker calls it. `immediate` resets
 * each object onto the version its deployment assigns at once: its sockets drop
 * and clients resume from the snapshot, and nothing acknowledged is lost
 * because the room acknowledges only what is durable (DESIGN §7).
 */
export const CODE_UPDATE_MODE = ['--durable-objects-code-update-mode', 'immediate'];

/** Cloudflare's rollback limits: no rollback across a Durable Object migration. */
export const ROLLBACK_LIMITS_URL =
  'https://developers.cloudflare.com/workers/configuration/versions-and-deployments/rollbacks/';

/** What wrangler.toml says about Durable Objects: bound classes and `[[migrations]]` tags. */
export interface DurableObjectConfig {
  classes: string[];
  migrationTags: string[];
}

/**
 * Reads the Durable Object parts of a wrangler.toml: `class_name` in
 * `[[durable_objects.bindings]]` and `tag` in `[[migrations]]`. Only the
 * table-array form this project uses; enough to see a change, not a TOML parser.
 */
export function durableObjectConfig(toml: string): DurableObjectConfig {
  const config: DurableObjectConfig = { classes: [], migrationTags: [] };
  let section = '';
  for (const line of toml.split('\n').map((l) => l.trim())) {
    const header = /^\[\[?([^\]]+)\]\]?/.exec(line);
    if (header) {
      section = header[1] as string;
      continue;
    }
    const value = /^(\w+)\s*=\s*"([^"]*)"/.exec(line);
    if (!value) continue;
    if (section === 'durable_objects.bindings' && value[1] === 'class_name') config.classes.push(value[2] as string);
    if (section === 'migrations' && value[1] === 'tag') config.migrationTags.push(value[2] as string);
  }
  return config;
}

/** What wrangler.toml changes about Durable Objects since `released`: migration tags added or removed, classes newly bound. */
function durableObjectChanges(released: DurableObjectConfig, now: DurableObjectConfig): string[] {
  const added = (key: keyof DurableObjectConfig) => now[key].filter((item) => !released[key].includes(item));
  const removed = (key: keyof DurableObjectConfig) => released[key].filter((item) => !now[key].includes(item));
  return [
    ...added('migrationTags').map((tag) => `adds Durable Object migration "${tag}"`),
    ...removed('migrationTags').map((tag) => `removes Durable Object migration "${tag}"`),
    ...added('classes').map((name) => `binds new Durable Object class ${name}`),
  ];
}

/**
 * Why this tree cannot go out by `versions upload`: a Durable Object
 * migration tag or a bound class that the last release did not have.
 * Cloudflare refuses those in `versions upload`; they need `wrangler deploy`.
 */
export function durableObjectProblems(
  released: DurableObjectConfig,
  now: DurableObjectConfig,
  releasedVersion: string,
): string[] {
  return durableObjectChanges(released, now).map(
    (change) =>
      `wrangler.toml ${change} since release ${releasedVersion}: that needs \`wrangler deploy\`, not a gradual release (DESIGN §8)`,
  );
}

/** Everything one release step depends on, gathered by scripts/release.ts. */
export interface ReleaseInput {
  /** Traffic share of the new version after this step, 1-100. */
  percent: number;
  tag: string;
  /**
   * Tags the account's uploaded versions carry (`wrangler versions list`, the
   * 10 most recent): a new upload must not share one, or telemetry and
   * rollbacks would know two versions by one name.
   */
  uploadedTags: { id: string; tag: string }[];
  /** Whether package.json's version already has a CHANGELOG heading while `## Unreleased` lists changes. */
  unreleased: { version: string; alreadyReleased: boolean; changes: boolean };
  message: string;
  /** Version serving now; CURRENT_VERSION when unknown (dry run). */
  from: string;
  /** An already uploaded new version: then this step only shifts traffic. */
  version?: string;
  /** Every file of migrations/, in apply order. */
  migrations: MigrationFile[];
  /** Names of the migrations the release would apply. */
  pending: string[];
  released: { version: string; durableObjects: DurableObjectConfig };
  durableObjects: DurableObjectConfig;
}

/** A release step: the problems that stop it, or the steps to run. */
export type ReleasePlan = { ok: false; problems: string[] } | { ok: true; steps: Step[] };

/** The `versions deploy` specs: the new version at `percent`, the old one at the rest. */
export function deploySpecs(from: string, to: string, percent: number): string[] {
  return percent === 100 ? [`${to}@100%`] : [`${from}@${100 - percent}%`, `${to}@${percent}%`];
}

/** Plans a release step, or says why it must not run. */
export function planRelease(input: ReleaseInput): ReleasePlan {
  const problems: string[] = [];
  if (!Number.isInteger(input.percent) || input.percent < 1 || input.percent > 100) {
    problems.push(`--to must be a whole percentage from 1 to 100, not ${input.percent}`);
  }
  problems.push(...checkMigrations(input.migrations).map((p) => `migration check: ${p.migration}: ${p.message}`));
  for (const file of input.migrations) {
    if (input.pending.includes(file.name) && isContractStep(file.sql)) {
      problems.push(
        `${file.name} is a contract step: a release never applies it; run \`npm run contract\` once the old release is retired`,
      );
    }
  }
  problems.push(...durableObjectProblems(input.released.durableObjects, input.durableObjects, input.released.version));
  if (!input.version) problems.push(...identityProblems(input));
  if (problems.length > 0) return { ok: false, problems };

  const deploy: Step = {
    kind: 'wrangler',
    args: [
      'versions',
      'deploy',
      ...deploySpecs(input.from, input.version ?? NEW_VERSION, input.percent),
      '--message',
      input.message,
      ...CODE_UPDATE_MODE,
      '-y',
    ],
  };
  if (input.version) return { ok: true, steps: [deploy] };
  return {
    ok: true,
    steps: [
      { kind: 'npm', args: ['run', 'build'] },
      { kind: 'npm', args: ['run', 'assets:publish', '--', '--remote'] },
      { kind: 'wrangler', args: ['d1', 'migrations', 'apply', 'DB', '--remote'] },
      {
        kind: 'wrangler',
        // Minified: about a third of the upload (`npm run build:worker` prints both); `wrangler dev` stays readable.
        args: [
          'versions',
          'upload',
          '--minify',
          '--tag',
          input.tag,
          '--message',
          versionMessage(input.message, CLIENT_BUILD),
        ],
      },
      deploy,
    ],
  };
}

/**
 * Why a new upload would not be a version of its own: its tag is taken by an
 * uploaded version, or package.json still names a release that is out while
 * the CHANGELOG lists unreleased changes (the default tag would then repeat
 * the old one). Asks for the version instead of guessing it.
 */
function identityProblems({ tag, uploadedTags, unreleased }: ReleaseInput): string[] {
  const bump = `add a \`## [<next version>]\` heading over the Unreleased changes in CHANGELOG.md and set package.json to it (\`npm version <next version> --no-git-tag-version\`)`;
  const problems: string[] = [];
  if (unreleased.alreadyReleased && unreleased.changes) {
    problems.push(
      `package.json says ${unreleased.version}, which is already released, and CHANGELOG.md lists unreleased changes: ${bump}`,
    );
  }
  for (const taken of uploadedTags.filter((v) => v.tag === tag)) {
    problems.push(
      `tag ${tag} is already carried by uploaded version ${taken.id}: a new version needs a tag of its own; ${bump}, or pass --tag`,
    );
  }
  return problems;
}

/** A version's answers in the error window, as the ops summary gives them. */
export interface VersionErrors {
  version: string;
  tag: string;
  answers: number;
  serverErrors: number;
}

/** What raising a version's share is judged on: both versions' answers over the last `minutes`, and the allowed margin. */
export interface ErrorGateInput {
  minutes: number;
  versions: VersionErrors[];
  /** The version serving now, and the new one whose share would rise (ids). */
  from: string;
  to: string;
  /** How many percentage points the new version's 5xx rate may exceed the old one's. */
  marginPoints: number;
}

/** The gate's answer: whether the share may rise, and the figures it was decided on, for the operator to read. */
export interface ErrorGate {
  ok: boolean;
  figures: string[];
  problem?: string;
}

const rate = (v: VersionErrors | undefined) => (v && v.answers > 0 ? (v.serverErrors / v.answers) * 100 : 0);

/**
 * Refuses to raise the new version's share while its 5xx rate over the
 * window is worse than the old version's by more than the margin. A new
 * version without answers yet has nothing to judge and passes, saying so.
 */
export function errorRateGate(input: ErrorGateInput): ErrorGate {
  const find = (id: string) => input.versions.find((v) => v.version === id);
  const [old, next] = [find(input.from), find(input.to)];
  const line = (role: string, id: string, v: VersionErrors | undefined) =>
    `${role} ${id}: ${v?.serverErrors ?? 0} of ${v?.answers ?? 0} answers were 5xx (${rate(v).toFixed(2)} %) in the last ${input.minutes} minutes`;
  const figures = [
    line('old', input.from, old),
    line('new', input.to, next),
    `allowed margin: ${input.marginPoints.toFixed(2)} percentage points`,
  ];
  if (!next || next.answers === 0)
    return { ok: true, figures: [...figures, 'the new version has no answers yet: nothing to compare'] };
  const worse = rate(next) - rate(old);
  if (worse <= input.marginPoints) return { ok: true, figures };
  return {
    ok: false,
    figures,
    problem: `the new version's 5xx rate is ${worse.toFixed(2)} points worse than the old one's, more than the ${input.marginPoints.toFixed(2)} allowed: look at /ops before raising its share (or --force)`,
  };
}

/** Everything a rollback depends on, gathered by scripts/release.ts. */
export interface RollbackInput {
  /** The release to go back to, and its wrangler.toml's Durable Object parts from git history. */
  target: { version: string; durableObjects: DurableObjectConfig };
  /** The worker version that runs the target release (`npx wrangler versions list`). */
  versionId: string;
  /** What this tree's wrangler.toml (the release serving now) says. */
  durableObjects: DurableObjectConfig;
}

/**
 * Plans a rollback to an earlier release, or says why Cloudflare would refuse
 * it and what to do instead: a Durable Object migration tag or class that
 * differs between the two releases (no rollback across a Durable Object
 * migration, ROLLBACK_LIMITS_URL). The step is `wrangler rollback`, on the
 * operator's terminal, because it is the command that asks before going back
 * to a version whose secrets differ.
 */
export function planRollback(input: RollbackInput): ReleasePlan {
  const { version } = input.target;
  const problems = durableObjectChanges(input.target.durableObjects, input.durableObjects).map(
    (change) =>
      `wrangler.toml ${change} since release ${version}: Cloudflare refuses a rollback across a Durable Object migration (${ROLLBACK_LIMITS_URL})`,
  );
  if (problems.length > 0) {
    problems.push(
      `instead roll forward: fix the fault in a new release (\`npm run release\`), or cut one from release ${version}'s code that keeps ` +
        `this tree's Durable Object bindings, [[migrations]] and class exports, and roll that out with \`npm run release\``,
    );
    return { ok: false, problems };
  }
  return {
    ok: true,
    steps: [
      {
        kind: 'wrangler',
        args: ['rollback', input.versionId, '--message', `Roll back to release ${version}`, ...CODE_UPDATE_MODE],
        attached: true,
      },
    ],
  };
}

/** The version id in `wrangler versions upload` output. */
export function uploadedVersionId(output: string): string {
  const match = /Worker Version ID:\s*([0-9a-f-]{36})/i.exec(output);
  if (!match) throw new Error(`no "Worker Version ID" in the upload output:\n${output}`);
  return match[1] as string;
}

/** Migration names in `wrangler d1 migrations list` output: the ones not applied yet. */
export function pendingMigrationNames(output: string): string[] {
  return [...new Set(output.match(/\b\d{4}_[\w-]+\.sql\b/g) ?? [])];
}
