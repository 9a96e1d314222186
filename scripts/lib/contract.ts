/**
 * Plans the contract step (DESIGN §6): the migration that drops the old shape
 * waits in migrations-contract/, outside what wrangler and the tests apply,
 * until the operator view says every old version is safe to retire. Then it
 * is copied into migrations/ and applied. Pure, so the refusal is tested with
 * a fed verdict.
 */
import { checkMigrations, isContractStep, type MigrationFile } from './migration-check.ts';
import type { OpsSummary } from './ops-summary.ts';
import type { Step } from './steps.ts';

/** Everything the contract decision depends on. */
export interface ContractInput {
  summary: OpsSummary;
  /** Versions that must be safe to retire, by worker version id or tag. */
  retire: string[];
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
  for (const name of input.retire) {
    const verdict = input.summary.verdicts.find((v) => v.version === name);
    if (!verdict) problems.push(`the ops view has no verdict for ${name}: not safe to assume it is retired`);
    else if (!verdict.safeToRetire) {
      problems.push(`${name} is not safe to retire yet${verdict.reasons.length ? `: ${verdict.reasons.join('; ')}` : ''}`);
    }
  }
  if (!isContractStep(input.contract.sql)) problems.push(`${input.contract.name} is not marked as a contract step`);
  const copied = input.migrations.find((file) => file.name === input.contract.name);
  if (copied && copied.sql !== input.contract.sql) problems.push(`migrations/${input.contract.name} exists and differs from the contract file`);
  const rest = input.migrations.filter((file) => file.name !== input.contract.name);
  if (rest.some((file) => file.name > input.contract.name)) problems.push(`${input.contract.name} must come after every migration in migrations/`);
  problems.push(...checkMigrations([...rest, input.contract]).map((p) => `migration check: ${p.migration}: ${p.message}`));
  if (problems.length > 0) return { ok: false, problems };

  const apply: Step = { kind: 'wrangler', args: ['d1', 'migrations', 'apply', 'DB', ...input.target] };
  if (copied) return { ok: true, steps: [apply] };
  const copy: Step = { kind: 'copy', from: `migrations-contract/${input.contract.name}`, to: `migrations/${input.contract.name}` };
  return { ok: true, steps: [copy, apply] };
}
