/**
 * Steps of an operator plan (release, contract). A plan is data, so
 * `--dry-run` prints exactly what a real run executes, and tests check plans
 * without running anything. Pure (no Node APIs), so the planners can be
 * tested inside workerd too; steps.ts runs them.
 */

/**
 * One step: an npm script, a wrangler command, or a file copy (paths relative
 * to the repository root). An `attached` wrangler command runs on the
 * operator's terminal (as npm scripts always do), so wrangler's own questions
 * reach them; otherwise wrangler runs without a terminal and takes its defaults.
 */
export type Step =
  | { kind: 'npm' | 'wrangler'; args: string[]; attached?: boolean }
  | { kind: 'copy'; from: string; to: string };

/** Quotes an argument for a POSIX shell only when it needs it, so printed plans can be pasted. */
function shellQuote(arg: string): string {
  return /^[\w@%+=:,./-]+$/.test(arg) ? arg : `'${arg.replaceAll("'", `'\\''`)}'`;
}

/** The step as a shell command line. */
export function formatStep(step: Step): string {
  if (step.kind === 'copy') return `cp ${shellQuote(step.from)} ${shellQuote(step.to)}`;
  const program = step.kind === 'npm' ? ['npm'] : ['npx', 'wrangler'];
  return [...program, ...step.args].map(shellQuote).join(' ');
}
