/**
 * Harness for the browser tests: real client builds published into a
 * throwaway local KV, a real `wrangler dev` serving one of them, and Debian's
 * Chromium driven by playwright-core. Everything listens on 127.0.0.1 only,
 * and every process started here is stopped again, even when a test fails.
 */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before } from 'node:test';
import { fileURLToPath } from 'node:url';
import { type Browser, type BrowserContext, type BrowserContextOptions, chromium } from 'playwright-core';
import { buildClient, type ClientBuild, writeBuild } from '../../scripts/lib/client-build.ts';
import {
  type ConfigureDev,
  type DevServer,
  freePort,
  startDevServer,
  statusOf,
  writeDevConfig,
} from '../../scripts/lib/dev-server.ts';
import { publishBuild } from '../../scripts/lib/publish.ts';

export { freePort };

import { runWrangler } from '../../scripts/lib/wrangler.ts';

/** Debian's Chromium; the tests never download a browser. */
export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/**
 * The worker entry with an injectable clock (test/browser/clock-worker): the
 * real app, whose time the tests move with `WorldClock.fastForward`.
 */
const CLOCK_WORKER = fileURLToPath(new URL('./clock-worker/index.ts', import.meta.url));

/** A temporary directory, removed by `remove()`. */
export interface TempDir {
  path: string;
  remove(): Promise<void>;
}

/** Creates a fresh temporary directory, e.g. a persist dir nobody else touches. */
export async function tempDir(prefix = 'haru-browser-'): Promise<TempDir> {
  const path = await mkdtemp(join(tmpdir(), prefix));
  return { path, remove: () => rm(path, { recursive: true, force: true }) };
}

/** A build written to disk and published to local KV. */
export interface PreparedBuild {
  build: ClientBuild;
  /** Its build.json: what a worker serving this build is built with (`@haru/build`). */
  buildJson: string;
}

/**
 * Builds the client at `apiLevel` (the source's level when omitted), writes it
 * to `dir` and publishes it into the local KV state under `persistTo`, the way
 * a release does. Publishing only adds keys, so several builds can share one
 * persist dir, as they share one namespace in production.
 */
export async function prepareBuild(dir: string, persistTo: string, apiLevel?: number): Promise<PreparedBuild> {
  const build = await buildClient(apiLevel === undefined ? {} : { apiLevel });
  await writeBuild(build, dir);
  await publishBuild(build, { local: true, persistTo });
  return { build, buildJson: join(dir, 'build.json') };
}

/** Applies the D1 migrations to the local database under `persistTo`, as `npm start` does. */
export async function applyMigrations(persistTo: string): Promise<void> {
  await runWrangler(['d1', 'migrations', 'apply', 'DB', '--local', '--persist-to', persistTo]);
}

/** A running `wrangler dev`, and the operator token it was given (for the `/ops` tests). */
export type RunningApp = DevServer & { opsToken: string };

/**
 * Starts `wrangler dev` on 127.0.0.1:`port` serving the build at `buildJson`
 * (through the `@haru/build` alias) with local state in `persistTo`, and
 * resolves once `/healthz` answers 200 and `/api/version` names that build.
 * With `clock: true` the worker's clock can be moved (see `startWorldClock`);
 * `main` and `configure` run another worker entry with bindings of its own.
 *
 * Wrangler runs in its own process group, so `stop()` reaches workerd too.
 * @example
 * const app = await startApp({ buildJson: a.buildJson, persistTo: state.path, port });
 * try { await page.goto(app.url); } finally { await app.stop(); }
 */
export async function startApp(options: {
  buildJson: string;
  persistTo: string;
  port: number;
  clock?: boolean;
  /** Another worker entry (wins over `clock`), e.g. the benchmark's. */
  main?: string;
  /** Changes the generated config, e.g. bindings only `main` needs. */
  configure?: ConfigureDev;
  /** Gets everything wrangler prints, as it comes (e.g. to notice a reload). */
  onOutput?: (text: string) => void;
}): Promise<RunningApp> {
  const { buildJson, persistTo, port } = options;
  const expected = (JSON.parse(await readFile(buildJson, 'utf8')) as { id: string }).id;
  // The config's folder is also where wrangler keeps its bundles (.wrangler/tmp).
  const configDir = await tempDir('haru-wrangler-');
  const main = options.main ?? (options.clock ? CLOCK_WORKER : undefined);
  const config = await writeDevConfig({ buildJson, dir: configDir.path, main, configure: options.configure });
  let served: string | null = null;
  const opsToken = randomBytes(32).toString('hex');
  const server = await startDevServer({
    configs: [config],
    persistTo,
    port,
    // Generated secrets, so a fresh clone without .dev.vars runs the same way.
    env: { TOKEN_SECRET: randomBytes(32).toString('hex'), OPS_TOKEN: opsToken },
    onOutput: options.onOutput,
    ready: async (url) => {
      if ((await statusOf(`${url}/healthz`)) !== 200) return false;
      served = await servedBuild(url);
      return served !== null;
    },
  }).catch(async (error: unknown) => {
    await configDir.remove();
    throw error;
  });
  const stop = async () => {
    await server.stop();
    await configDir.remove();
  };
  if (served !== expected) {
    await stop();
    throw new Error(
      `wrangler dev on ${server.url} serves build ${served}, not ${expected} from ${buildJson}:\n${server.output()}`,
    );
  }
  return { ...server, stop, opsToken };
}

/** The build id `GET /api/version` reports. */
async function servedBuild(url: string): Promise<string> {
  const res = await fetch(`${url}/api/version`, { signal: AbortSignal.timeout(5_000) });
  return ((await res.json()) as { build: string }).build;
}

/** Launches Debian's headless Chromium with everything that phones home turned off. */
export function launchBrowser(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM,
    timeout: 30_000,
    args: [
      '--headless',
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/**
 * A fresh browser profile (own storage and cache) that reads English, whatever
 * the machine's locale; `options` adds to or overrides that (another locale,
 * a time zone, `bypassCSP` for injecting axe).
 */
export async function newContext(browser: Browser, options: BrowserContextOptions = {}): Promise<BrowserContext> {
  const context = await browser.newContext({ locale: 'en-US', ...options });
  // Bounded waits: an action or wait without its own timeout gives up after 10 s, not Playwright's 30 s.
  context.setDefaultTimeout(10_000);
  return context;
}

/** Sets how far the clock of an app started with `clock: true` is ahead of real time. */
async function shiftServerClock(app: RunningApp, shiftMs: number): Promise<void> {
  const res = await fetch(`${app.url}/__test/clock`, {
    method: 'PUT',
    body: JSON.stringify({ shiftMs }),
    signal: AbortSignal.timeout(5_000),
  });
  const body = (await res.json().catch(() => null)) as { shiftMs?: number } | null;
  assert.equal(body?.shiftMs, shiftMs, `the app's clock moved (was it started with clock: true?): ${res.status}`);
}

/** One time for the pages of a browser context and for the app they talk to. */
export interface WorldClock {
  /** Moves the pages' and the server's clocks forward together, firing due timers once. */
  fastForward(ms: number): Promise<void>;
}

/**
 * Rings the room's alarm now through the clock worker's test door (an app
 * started with `clock: true`); the room then decides by its own, moved clock,
 * as the platform's alarm would have after that much time.
 */
export async function ringRoomAlarm(app: RunningApp, studyId: string): Promise<void> {
  const res = await fetch(`${app.url}/__test/rooms/${encodeURIComponent(studyId)}/alarm`, {
    method: 'POST',
    signal: AbortSignal.timeout(5_000),
  });
  assert.equal(res.status, 200, `the room's alarm rang: ${await res.text()}`);
}

/**
 * Makes `start` (epoch ms) the current time of every page of `context` and of
 * `app` (started with `clock: true`); from there both run at real speed until
 * `fastForward` jumps them together. Call before the context opens a page.
 *
 * Both clocks must move: the client corrects its clock by the server's
 * `serverNow` (client/time/clock.ts), so moving the page alone would look like
 * a skewed device clock and be corrected on the next load.
 */
export async function startWorldClock(context: BrowserContext, app: RunningApp, start: number): Promise<WorldClock> {
  let shiftMs = start - Date.now();
  await shiftServerClock(app, shiftMs);
  await context.clock.install({ time: start });
  return {
    async fastForward(ms: number) {
      shiftMs += ms;
      await shiftServerClock(app, shiftMs);
      await context.clock.fastForward(ms);
    },
  };
}

/** One app and one browser for a whole test file, on fresh state. */
export interface Suite {
  app: RunningApp;
  browser: Browser;
  /** The app's local state (D1, KV, objects), for tests that reach under the app. */
  persistTo: string;
  /** Stops the browser and the app and removes the temporary state; safe to call after a failed start. */
  close(): Promise<void>;
}

/**
 * Builds the current source into a fresh temporary state, applies the D1
 * migrations, starts `wrangler dev` on it (with a movable clock when
 * `clock`) and launches Chromium. Most test files take it through
 * {@link suiteForFile}.
 */
export async function startSuite(options: { clock?: boolean } = {}): Promise<Suite> {
  const dir = await tempDir();
  let app: RunningApp | undefined;
  let browser: Browser | undefined;
  const close = async () => {
    await browser?.close();
    await app?.stop();
    await dir.remove();
  };
  try {
    const persistTo = join(dir.path, 'state');
    const { buildJson } = await prepareBuild(join(dir.path, 'build'), persistTo);
    await applyMigrations(persistTo);
    app = await startApp({ buildJson, persistTo, port: await freePort(), clock: options.clock ?? false });
    browser = await launchBrowser();
    return { app, browser, persistTo, close };
  } catch (error) {
    await close();
    throw error;
  }
}

/**
 * One Suite for the test file whose `describe` calls this: started in its
 * `before` (90 s, enough with both cores busy) and closed in its `after`.
 * Tests reach it through the returned function, which fails the test with
 * "setup did not finish" when `before` did not.
 * @example
 * const suite = suiteForFile();
 * test('...', async () => { const { app, browser } = suite(); });
 */
export function suiteForFile(options: { clock?: boolean } = {}): () => Suite {
  let suite: Suite | undefined;
  before(
    async () => {
      suite = await startSuite(options);
    },
    { timeout: 90_000 },
  );
  after(() => suite?.close());
  return () => {
    assert.ok(suite, 'setup did not finish');
    return suite;
  };
}
