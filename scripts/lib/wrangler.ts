/**
 * Runs the project's own wrangler (node_modules/.bin, on the Node the npm
 * scripts run under), offline-friendly: no metrics, no Cloudflare lookups.
 */
import { type ChildProcess, type SpawnOptions, spawn } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './paths.ts';

/** Environment for every wrangler child: quiet and offline. */
export const wranglerEnv: NodeJS.ProcessEnv = {
  ...process.env,
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_SEND_METRICS: 'false',
};

/** Starts wrangler with `args`; the caller owns the child. */
export function spawnWrangler(args: string[], options: SpawnOptions = {}): ChildProcess {
  return spawn(join(ROOT, 'node_modules/.bin/wrangler'), args, {
    cwd: ROOT,
    env: wranglerEnv,
    stdio: 'inherit',
    ...options,
  });
}

/**
 * Where a wrangler command acts on state: local (optionally a chosen
 * `--persist-to` folder, as tests use) or the real resources.
 */
export type StateTarget = { local: true; persistTo?: string } | { local: false };

/** The wrangler flags that select `target`. */
export function stateFlags(target: StateTarget): string[] {
  return target.local ? ['--local', ...(target.persistTo ? ['--persist-to', target.persistTo] : [])] : ['--remote'];
}

/** Runs wrangler to completion; rejects with its output when it fails. */
export async function runWrangler(args: string[]): Promise<string> {
  return (await execWrangler(args)).output;
}

/** Runs wrangler and parses its stdout as JSON (its warnings go to stderr, so they stay out). */
export async function wranglerJson(args: string[]): Promise<unknown> {
  return JSON.parse((await execWrangler(args)).stdout);
}

function execWrangler(args: string[]): Promise<{ stdout: string; output: string }> {
  return new Promise((resolvePromise, reject) => {
    const child = spawnWrangler(args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => {
      stdout += chunk;
      output += chunk;
    });
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolvePromise({ stdout, output })
        : reject(new Error(`wrangler ${args.join(' ')} exited ${code}:\n${output}`)),
    );
  });
}
