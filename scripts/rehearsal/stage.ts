/**
 * The rehearsal's stage: the old and the new release prepared from git and
 * running side by side in one `wrangler dev` (one local D1, one local KV)
 * behind the router, their room objects in the room host, plus the router's
 * control API. Separate from the run
 * so the router's rules can be tested with a socket in hand.
 */
import { randomBytes } from 'node:crypto';
import { rmSync } from 'node:fs';
import { mkdtemp } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { readD1Migrations } from '@cloudflare/vitest-plugin';
import { type DevServer, startDevServer, statusOf } from '../lib/dev-server.ts';
import type { Meeting, Side } from './split.ts';
import { type PreparedVersion, prepareVersion, removeWorktrees, writeRoomHost, writeRouterConfig } from './versions.ts';

/** Both versions behind the router, the deployment at 0 % (all traffic on the old one). */
export interface Stage {
  /** The router's base URL: where learners go. */
  url: string;
  versions: [PreparedVersion, PreparedVersion];
  hasRooms: Record<Side, boolean>;
  /** Calls the router's control API (`/__rehearsal/...`); throws on anything but 200. */
  control(path: string, body: unknown): Promise<unknown>;
  /** The router's number for the deployment the stage started with (0 %); each `deploy` counts one up. */
  firstDeployment: number;
  /** Gives the new version `newPercent` % of the traffic; returns how many room sockets the router dropped, and the deployment's number. */
  deploy(newPercent: number): Promise<{ dropped: number; deployment: number }>;
  /** Which worker version met which room object version so far, per deployment number (requests that name their room). */
  meetings(): Promise<Record<number, Partial<Record<Meeting, number>>>>;
  /** Applies a version's migrations to the shared D1 through the router (while traffic flows); returns the names applied. */
  migrate(side: Side): Promise<string[]>;
  /** Every row of every table of the shared D1, as one JSON text to search. */
  dumpDatabase(): Promise<string>;
  /** Stops wrangler, removes the worktrees and the state. */
  stop(): Promise<void>;
}

/** Builds both releases, starts them behind the router, and sets the deployment to 0 %. */
export async function startStage(options: {
  from: string;
  to: string;
  port: number;
  log: (line: string) => void;
}): Promise<Stage> {
  const work = await mkdtemp(join(tmpdir(), 'haru-rehearsal-'));
  // An interrupted run removes its state too (wrangler is stopped by an exit handler of its own).
  const removeWork = () => rmSync(work, { recursive: true, force: true, maxRetries: 5 });
  process.once('exit', removeWork);
  const persistTo = join(work, 'state');
  const versions: PreparedVersion[] = [];
  let server: DevServer | null = null;
  const stop = async () => {
    await server?.stop();
    if (versions.length) removeWorktrees(versions);
    removeWork();
    process.off('exit', removeWork);
  };
  try {
    // One after the other: two wrangler processes writing one local KV at once fail.
    for (const [side, ref] of [
      ['old', options.from],
      ['new', options.to],
    ] as const) {
      options.log(`building ${side} version from ${ref}`);
      versions.push(await prepareVersion(side, ref, work, persistTo));
    }
    const pair = versions as [PreparedVersion, PreparedVersion];
    for (const v of pair)
      options.log(
        `  ${v.side}: ${v.ref} (${v.commit}), build ${v.build.id} at API ${v.build.apiLevel}${v.hasRooms ? ', with rooms' : ''}`,
      );
    const token = randomBytes(24).toString('hex');
    const roomHost = await writeRoomHost(work, pair);
    server = await startDevServer({
      configs: [await writeRouterConfig(work), pair[0].config, pair[1].config, ...(roomHost ? [roomHost] : [])],
      persistTo,
      port: options.port,
      // One secret for both versions: a guest token from one must open the other.
      env: {
        TOKEN_SECRET: randomBytes(32).toString('hex'),
        OPS_TOKEN: randomBytes(32).toString('hex'),
        CONTROL_TOKEN: token,
      },
      ready: async (url) => (await statusOf(`${url}/healthz`)) === 200,
    });
    const url = server.url;
    const control = async (path: string, body: unknown) => {
      const res = await fetch(`${url}${path}`, {
        method: 'POST',
        headers: { 'X-Rehearsal-Token': token, 'Content-Type': 'application/json' },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(30_000),
      });
      const text = await res.text();
      if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${text}`);
      return JSON.parse(text) as unknown;
    };
    const hasRooms = { old: pair[0].hasRooms, new: pair[1].hasRooms };
    const deploy = async (newPercent: number) =>
      (await control('/__rehearsal/deploy', { newPercent, hasRooms })) as { dropped: number; deployment: number };
    const { deployment: firstDeployment } = await deploy(0);
    const query = async (sql: string) =>
      ((await control('/__rehearsal/query', { sql })) as { rows: Record<string, unknown>[] }).rows;
    return {
      url,
      versions: pair,
      hasRooms,
      control,
      firstDeployment,
      deploy,
      async meetings() {
        return (
          (await control('/__rehearsal/status', {})) as { meetings: Record<number, Partial<Record<Meeting, number>>> }
        ).meetings;
      },
      async migrate(side) {
        const version = side === 'old' ? pair[0] : pair[1];
        const applied: string[] = [];
        for (const migration of await readD1Migrations(version.migrationsDir)) {
          if (((await control('/__rehearsal/migrate', migration)) as { applied: boolean }).applied)
            applied.push(migration.name);
        }
        for (const name of applied) options.log(`  applied ${side} migration ${name}`);
        return applied;
      },
      async dumpDatabase() {
        const tables = await query(
          "SELECT name FROM sqlite_master WHERE type = 'table' AND name NOT LIKE 'sqlite_%' AND name NOT LIKE '_cf_%'",
        );
        const parts: string[] = [];
        for (const { name } of tables)
          parts.push(JSON.stringify(await query(`SELECT * FROM "${String(name).replaceAll('"', '""')}"`)));
        return parts.join('\n');
      },
      stop,
    };
  } catch (error) {
    await stop();
    throw error;
  }
}
