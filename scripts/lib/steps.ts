/**
 * Steps of an operator plan (release, contract). A plan is data, so
 * `--dry-run` prints exactly what a real run executes, and tests check plans
 * without running anything.
 */
import { spawn } from 'node:child_process';
import { copyFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { ROOT } from './client-build.ts';
import { runWrangler, spawnWrangler } from './wrangler.ts';

/**
 * One step: an npm script, a wrangler command, or a file copy (paths relative
 * to the repository root). An `attached` wrangler command runs on the
 * operator's terminal (as npm scripts always do), so wrangler's own questions
 * reach them; otherwise wrangler runs without a terminal and takes its defaults.
 */
export type Step = { kind: 'npm' | 'wrangler'; args: string[]; attached?: boolean } | { kind: 'copy'; from: string; to: string };

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

const fromRoot = (path: string) => (isAbsolute(path) ? path : join(ROOT, path));

/** Runs one step from the repository root; resolves with what a detached wrangler printed (empty for the others). */
export async function runStep(step: Step): Promise<string> {
  if (step.kind === 'copy') {
    await copyFile(fromRoot(step.from), fromRoot(step.to));
    return '';
  }
  if (step.kind === 'wrangler' && !step.attached) return runWrangler(step.args);
  await new Promise<void>((resolvePromise, reject) => {
    const child = step.kind === 'npm' ? spawn('npm', step.args, { cwd: ROOT, stdio: 'inherit' }) : spawnWrangler(step.args);
    child.on('error', reject);
    child.on('close', (code) => (code === 0 ? resolvePromise() : reject(new Error(`${formatStep(step)} exited ${code}`))));
  });
  return '';
}

