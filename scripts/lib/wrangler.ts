/**
 * Runs the project's own wrangler (node_modules/.bin, on the Node the npm
 * scripts run under), offline-friendly: no metrics, no Cloudflare lookups.
 */
import { spawn, type ChildProcess, type SpawnOptions } from 'node:child_process';
import { join } from 'node:path';
import { ROOT } from './client-build.ts';

/** Environment for every wrangler child: quiet and offline. */
export const wranglerEnv: NodeJS.ProcessEnv = {
  ...process.env,
  CLOUDFLARE_CF_FETCH_ENABLED: 'false',
  WRANGLER_SEND_METRICS: 'false',
};

/** Starts wrangler with `args`; the caller owns the child. */
export function spawnWrangler(args: string[], options: SpawnOptions = {}): ChildProcess {
  return spawn(join(ROOT, 'node_modules/.bin/wrangler'), args, { cwd: ROOT, env: wranglerEnv, stdio: 'inherit', ...options });
}

/** Runs wrangler to completion; rejects with its output when it fails. */
export function runWrangler(args: string[]): Promise<string> {
  return new Promise((resolvePromise, reject) => {
    const child = spawnWrangler(args, { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    child.stdout?.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr?.on('data', (chunk: Buffer) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0 ? resolvePromise(output) : reject(new Error(`wrangler ${args.join(' ')} exited ${code}:\n${output}`)),
    );
  });
}
