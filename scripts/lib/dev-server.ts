/**
 * Running `wrangler dev` from scripts and tests: a worker config with another
 * client build (or entry) than wrangler.toml's, and a dev server in its own
 * process group that is always stopped again, even when the caller crashes.
 * Everything listens on 127.0.0.1 only.
 */
import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { writeFile } from 'node:fs/promises';
import { createServer } from 'node:net';
import { dirname, join, resolve } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { experimental_readRawConfig } from 'wrangler';
import { ROOT } from './paths.ts';
import { spawnWrangler, wranglerEnv } from './wrangler.ts';

/** How long `wrangler dev` may take to become ready. */
const START_TIMEOUT_MS = 60_000;
/** How long `wrangler dev` gets to exit after SIGINT before it is killed. */
const STOP_GRACE_MS = 5_000;

/**
 * Changes a generated wrangler config before it is written, e.g. to add the
 * Durable Object bindings of a test-only worker entry (test/bench/worker).
 * wrangler.toml itself is never changed.
 */
export type ConfigureDev = (config: Record<string, unknown>) => void;

/**
 * Writes a wrangler config for a worker built with the client build at
 * `buildJson` into `dir`, and returns its path. `source` is the config it
 * derives from (this checkout's wrangler.toml unless given, e.g. a past
 * release's in a git worktree).
 *
 * Why not `wrangler dev --alias`: wrangler 4.156 reads `--alias` only in
 * `deploy` and `versions upload` (as `--alias @haru/build:<path>`); `wrangler
 * dev` ignores it and keeps wrangler.toml's alias. So the worker gets a config
 * of its own: the source config exactly as wrangler parses it, with the
 * `@haru/build` alias replaced and every relative path made absolute, since
 * wrangler resolves them against the config file's folder.
 */
export async function writeDevConfig(options: {
  buildJson: string;
  dir: string;
  source?: string;
  main?: string;
  configure?: ConfigureDev;
  /** File name inside `dir` (several configs may share one folder). */
  file?: string;
}): Promise<string> {
  const source = options.source ?? join(ROOT, 'wrangler.toml');
  const { rawConfig, configPath } = experimental_readRawConfig({ config: source });
  const config = structuredClone(rawConfig) as Record<string, unknown>;
  const base = dirname(configPath ?? source);
  const absolute = (path: unknown) => (typeof path === 'string' ? resolve(base, path) : path);
  for (const key of ['main', 'tsconfig', 'base_dir']) if (key in config) config[key] = absolute(config[key]);
  if (options.main) config.main = resolve(options.main);
  const aliases = (config.alias ?? {}) as Record<string, string>;
  assert.ok('@haru/build' in aliases, `${source} aliases @haru/build`);
  config.alias = Object.fromEntries(
    Object.entries(aliases).map(([name, path]) => [
      name,
      name === '@haru/build' ? resolve(options.buildJson) : absolute(path),
    ]),
  );
  for (const db of (config.d1_databases ?? []) as Record<string, unknown>[]) {
    if ('migrations_dir' in db) db.migrations_dir = absolute(db.migrations_dir);
  }
  const build = config.build as Record<string, unknown> | undefined;
  if (build) for (const key of ['cwd', 'watch_dir']) if (key in build) build[key] = absolute(build[key]);
  const assets = config.assets as Record<string, unknown> | undefined;
  if (assets && 'directory' in assets) assets.directory = absolute(assets.directory);
  options.configure?.(config);
  const file = join(options.dir, options.file ?? 'wrangler.json');
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}

/** A running `wrangler dev`. */
export interface DevServer {
  /** Base URL without a trailing slash, e.g. `http://127.0.0.1:41234`. */
  url: string;
  /** What wrangler printed so far (the tail), for failure messages. */
  output(): string;
  /** Stops wrangler and everything it started; resolves once it is gone. */
  stop(): Promise<void>;
}

/** Process groups still running, killed on exit so a crash leaves nothing behind. */
const running = new Set<number>();
process.once('exit', () => {
  for (const pgid of running) signalGroup(pgid, 'SIGKILL');
});

/** Signals a whole process group; false when the group is gone. */
function signalGroup(pgid: number, signal: NodeJS.Signals | 0): boolean {
  try {
    process.kill(-pgid, signal);
    return true;
  } catch {
    return false;
  }
}

async function waitUntilGone(pgid: number, timeoutMs: number): Promise<boolean> {
  const deadline = Date.now() + timeoutMs;
  while (Date.now() < deadline) {
    if (!signalGroup(pgid, 0)) return true;
    await sleep(50);
  }
  return !signalGroup(pgid, 0);
}

/**
 * Starts `wrangler dev` on 127.0.0.1:`port` with `configs` (the first is the
 * one that answers; more run beside it in the same workerd, reachable through
 * service bindings, sharing its local state in `persistTo`), and resolves once
 * `ready(url)` is true. Wrangler runs in its own process group, so `stop()`
 * reaches workerd too.
 */
export async function startDevServer(options: {
  configs: string[];
  persistTo: string;
  port: number;
  /** Extra environment, e.g. secrets (wrangler reads required secrets from it). */
  env?: NodeJS.ProcessEnv;
  ready: (url: string) => Promise<boolean>;
  /** Gets everything wrangler prints, as it comes (e.g. to notice a reload). */
  onOutput?: (text: string) => void;
}): Promise<DevServer> {
  const child: ChildProcess = spawnWrangler(
    [
      'dev',
      ...options.configs.flatMap((config) => ['--config', config]),
      '--ip',
      '127.0.0.1',
      '--port',
      String(options.port),
      // wrangler takes the devtools port 9229 whenever it looks free, so two wrangler devs starting together (test
      // files run in parallel; other work on a shared machine) both take it and one dies "Address already in use".
      '--inspector-port',
      String(await freePort()),
      '--persist-to',
      options.persistTo,
      '--show-interactive-dev-session=false',
    ],
    { stdio: ['ignore', 'pipe', 'pipe'], detached: true, env: { ...wranglerEnv, ...options.env } },
  );
  const pgid = child.pid;
  if (pgid === undefined) throw new Error('wrangler dev did not start');
  running.add(pgid);

  let log = '';
  const keep = (chunk: Buffer) => {
    log = (log + chunk.toString()).slice(-16_000);
    options.onOutput?.(chunk.toString());
  };
  child.stdout?.on('data', keep);
  child.stderr?.on('data', keep);
  let exited: string | null = null;
  const exit = new Promise<void>((resolvePromise) =>
    child.once('exit', (code, signal) => {
      exited = `exited with ${signal ?? code}`;
      resolvePromise();
    }),
  );

  const url = `http://127.0.0.1:${options.port}`;
  const stop = async () => {
    if (!running.has(pgid)) return;
    signalGroup(pgid, 'SIGINT');
    await Promise.race([exit, sleep(STOP_GRACE_MS)]);
    if (!(await waitUntilGone(pgid, 1_000))) {
      signalGroup(pgid, 'SIGKILL');
      await waitUntilGone(pgid, STOP_GRACE_MS);
    }
    running.delete(pgid);
  };

  const deadline = Date.now() + START_TIMEOUT_MS;
  while (!exited && Date.now() < deadline) {
    if (await options.ready(url).catch(() => false)) return { url, output: () => log, stop };
    await sleep(200);
  }
  await stop();
  throw new Error(`wrangler dev on ${url} never became ready (${exited ?? 'timed out'}):\n${log}`);
}

/** Status of a request to `url`, or null while nothing answers (within 2 s). */
export async function statusOf(url: string, init: RequestInit = {}): Promise<number | null> {
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(2_000) });
    await res.body?.cancel();
    return res.status;
  } catch {
    return null;
  }
}

/** A free TCP port on 127.0.0.1, found by letting the OS pick one. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.unref();
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const address = server.address();
      server.close(() =>
        typeof address === 'object' && address ? resolve(address.port) : reject(new Error('no port')),
      );
    });
  });
}
