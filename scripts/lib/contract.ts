/**
 * Plans the contract step (DESIGN §6): the migration that drops the old shape
 * waits in migrations-contract/, outside what wrangler and the tests apply,
 * until every old version is safe to retire and none is deployed. Then it is
 * copied into migrations/ and applied. Pure, so the refusal is tested with a
 * fed verdict.
 *
 * A version that wrote telemetry has a verdict of its own. Releases from
 * before telemetry (1.0.0, 1.5.0, 2.0.0) have none: for them the verdict of
 * their API level stands in (whether the current versions still see clients
 * at that level, or studies from before telemetry in progress), together with
 * the account's deployments (is a version with that tag still deployed?).
 */
import { checkMigrations, isContractStep, type MigrationFile } from './migration-check.ts';
import type { OpsSummary } from './ops-summary.ts';
import type { Step } from './plan-step.ts';
import type { WorkerVersion } from './worker-versions.ts';

/** What the account says: its recent versions (ids and tags) and the ids the current deployment runs. */
export interface Deployments {
  versions: WorkerVersion[];
  deployed: string[];
}

/** Everything the contract decision depends on. */
export interface ContractInput {
  summary: OpsSummary;
  /** Versions that must be safe to retire, by worker version id or tag. */
  retire: string[];
  /** The API level of each release named in `retire` by its tag (`v1.5.0` -> 1), from git history. */
  releaseLevels: Map<string, number>;
  deployments: Deployments;
  /** The contract migration, as in migrations-contract/. */
  contract: MigrationFile;
  /** migrations/ as it is now. */
  migrations: MigrationFile[];
  /** Wrangler flags choosing the database (`--remote`, or `--local` ...). */
  target: string[];
}

/** The contract's steps, or why not yet. */
export type ContractPlan = { ok: false; problems: string[] } | { ok: true; steps: Step[] };

/** Refuses unless every version to retire has a "safe" verdict; otherwise copy (if not done yet) and apply. */
export function planContract(input: ContractInput): ContractPlan {
  const problems: string[] = [];
  if (input.retire.length === 0) problems.push('no version to retire named');
  for (const name of input.retire) problems.push(...retireProblems(name, input));
  problems.push(...deploymentProblems(input.retire, input.deployments));
  if (!isContractStep(input.contract.sql)) problems.push(`${input.contract.name} is not marked as a contract step`);
  const copied = input.migrations.find((file) => file.name === input.contract.name);
  if (copied && copied.sql !== input.contract.sql)
    problems.push(`migrations/${input.contract.name} exists and differs from the contract file`);
  const rest = input.migrations.filter((file) => file.name !== input.contract.name);
  if (rest.some((file) => file.name > input.contract.name))
    problems.push(`${input.contract.name} must come after every migration in migrations/`);
  problems.push(
    ...checkMigrations([...rest, input.contract]).map((p) => `migration check: ${p.migration}: ${p.message}`),
  );
  if (problems.length > 0) return { ok: false, problems };

  const apply: Step = { kind: 'wrangler', args: ['d1', 'migrations', 'apply', 'DB', ...input.target] };
  if (copied) return { ok: true, steps: [apply] };
  const copy: Step = {
    kind: 'copy',
    from: `migrations-contract/${input.contract.name}`,
    to: `migrations/${input.contract.name}`,
  };
  return { ok: true, steps: [copy, apply] };
}

/** Why `name` cannot be retired yet by what telemetry says: its own verdict, else its API level's. */
function retireProblems(name: string, input: ContractInput): string[] {
  const because = (reasons: string[]) => (reasons.length ? `: ${reasons.join('; ')}` : '');
  const verdicts = input.summary.verdicts.filter((v) => v.version === name || v.tag === name);
  if (verdicts.length > 0) {
    const named = (version: string) => (version === name ? name : `${name} (version ${version})`);
    return verdicts
      .filter((v) => !v.safeToRetire)
      .map((v) => `${named(v.version)} is not safe to retire yet${because(v.reasons)}`);
  }
  const level = input.releaseLevels.get(name);
  if (level === undefined)
    return [`the ops view has no verdict for ${name} and no release is tagged so: not safe to assume it is retired`];
  const byLevel = input.summary.levels.find((l) => l.apiLevel === level);
  if (!byLevel) {
    return [
      `${name} wrote no telemetry and speaks API level ${level}, which the ops view has no verdict for (it judges only levels below the current one)`,
    ];
  }
  return byLevel.safeToRetire
    ? []
    : [`${name} wrote no telemetry; its API level ${level} is not safe to retire yet${because(byLevel.reasons)}`];
}

/** Why the account still runs one of `names`: a deployed version with that id or tag, or one whose tag cannot be read. */
function deploymentProblems(names: string[], { versions, deployed }: Deployments): string[] {
  return deployed.flatMap((id) => {
    const version = versions.find((v) => v.id === id);
    if (!version)
      return [
        `version ${id} is deployed but not among the versions wrangler lists, so its release cannot be told: check it with \`npx wrangler versions view ${id}\``,
      ];
    const name = names.find((n) => n === id || n === version.tag);
    return name ? [`${name} is still deployed (version ${id}): deploy the current release at 100% first`] : [];
  });
}
