/**
 * Starts the benchmark's worker (test/bench/worker) under a real `wrangler
 * dev` on 127.0.0.1, through the browser tests' harness: fresh --persist-to
 * state, D1 migrations applied, a generated config (wrangler.toml untouched)
 * that adds the bench entry's four Durable Object classes.
 */
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { buildClient, writeBuild } from '../../scripts/lib/client-build.ts';
import { applyMigrations, freePort, type RunningApp, startApp, tempDir } from '../browser/harness.ts';

/** The bench worker entry: the real app and Room, plus PartyRoom, ClockRoom, BareRoom and BareStoreRoom. */
const BENCH_WORKER = fileURLToPath(new URL('./worker/index.ts', import.meta.url));

/** Adds the bench-only Durable Object bindings and their migration to a generated config. */
export function addBenchBindings(config: Record<string, unknown>): void {
  config.durable_objects ??= {};
  const durableObjects = config.durable_objects as { bindings?: { name: string; class_name: string }[] };
  durableObjects.bindings = [
    ...(durableObjects.bindings ?? []),
    { name: 'PartyRoom', class_name: 'PartyRoom' },
    { name: 'CLOCK_ROOM', class_name: 'ClockRoom' },
    { name: 'BARE_ROOM', class_name: 'BareRoom' },
    { name: 'BARE_STORE_ROOM', class_name: 'BareStoreRoom' },
  ];
  const migrations = (config.migrations ?? []) as { tag: string }[];
  config.migrations = [
    ...migrations,
    { tag: 'bench-v1', new_sqlite_classes: ['PartyRoom', 'ClockRoom', 'BareRoom', 'BareStoreRoom'] },
  ];
}

/** What wrangler dev prints when it rebuilds and reloads the worker after a source file changed. */
const RELOAD_MARK = 'Reloading local server';

/** A running bench app and its port. */
export interface BenchApp {
  app: RunningApp;
  port: number;
  /**
   * Whether wrangler dev reloaded the worker since it started (it watches
   * the sources; a reload drops every socket and restarts the rooms).
   */
  reloaded(): boolean;
  /** Stops wrangler (and both workerd processes) and removes the temporary state. */
  close(): Promise<void>;
}

/**
 * Builds the client (the worker needs its build id; nothing is published,
 * the bench never loads a page), applies the migrations to fresh state and
 * starts wrangler dev on the bench entry.
 */
export async function startBenchApp(): Promise<BenchApp> {
  const dir = await tempDir('haru-bench-');
  let app: RunningApp | undefined;
  let reloaded = false;
  let tail = '';
  const watch = (text: string) => {
    tail = (tail + text).slice(-200);
    if (tail.includes(RELOAD_MARK)) reloaded = true;
  };
  const close = async () => {
    await app?.stop();
    await dir.remove();
  };
  try {
    const persistTo = join(dir.path, 'state');
    const buildDir = join(dir.path, 'build');
    await writeBuild(await buildClient(), buildDir);
    await applyMigrations(persistTo);
    const port = await freePort();
    app = await startApp({
      buildJson: join(buildDir, 'build.json'),
      persistTo,
      port,
      main: BENCH_WORKER,
      configure: addBenchBindings,
      onOutput: watch,
    });
    return { app, port, close, reloaded: () => reloaded };
  } catch (error) {
    await close();
    throw error;
  }
}
