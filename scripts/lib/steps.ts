/** Runs the steps of an operator plan (plan-step.ts) from the repository root. */
import { spawn } from 'node:child_process';
import { copyFile } from 'node:fs/promises';
import { isAbsolute, join } from 'node:path';
import { ROOT } from './paths.ts';
import { formatStep, type Step } from './plan-step.ts';
import { runWrangler, spawnWrangler } from './wrangler.ts';

const fromRoot = (path: string) => (isAbsolute(path) ? path : join(ROOT, path));

/** Runs one step from the repository root; resolves with what a detached wrangler printed (empty for the others). */
export async function runStep(step: Step): Promise<string> {
  if (step.kind === 'copy') {
    await copyFile(fromRoot(step.from), fromRoot(step.to));
    return '';
  }
  if (step.kind === 'wrangler' && !step.attached) return runWrangler(step.args);
  await new Promise<void>((resolvePromise, reject) => {
    const child =
      step.kind === 'npm' ? spawn('npm', step.args, { cwd: ROOT, stdio: 'inherit' }) : spawnWrangler(step.args);
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolvePromise() : reject(new Error(`${formatStep(step)} exited ${code}`)),
    );
  });
  return '';
}
