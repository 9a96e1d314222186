/**
 * The two worker versions of a rehearsal, each built from git as released:
 * a detached worktree per ref (or this working tree as it is), its own build
 * and publish scripts, and a wrangler config that names it for the router
 * and points it at the shared local D1 and KV; and the room host that runs
 * both versions' room code behind one namespace (router/room-host.ts).
 */
import { execFileSync, spawn } from 'node:child_process';
import { existsSync, symlinkSync } from 'node:fs';
import { readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { experimental_readRawConfig } from 'wrangler';
import { writeDevConfig } from '../lib/dev-server.ts';
import { ROOT } from '../lib/paths.ts';
import { releaseCommit } from '../lib/releases.ts';
import type { Side } from './split.ts';

/** The `--to` value that means "this working tree, uncommitted changes included". */
export const WORKING_TREE = '.';

/** One version, ready for `wrangler dev`. */
export interface PreparedVersion {
  side: Side;
  ref: string;
  /** The commit, or `working tree`. */
  commit: string;
  /** Its source tree (a worktree, or ROOT). */
  dir: string;
  /** The generated wrangler config. */
  config: string;
  /** Its worker entry (absolute), which exports its `Room` class if it has one. */
  entry: string;
  /** Its client build's build.json. */
  buildJson: string;
  /** The client build it serves and that build's API level. */
  build: { id: string; apiLevel: number };
  /** Whether it has the room Durable Object (Release 1 has none). */
  hasRooms: boolean;
  /** Its D1 migrations folder. */
  migrationsDir: string;
}

/** The worker name the router's service binding for `side` expects (router/wrangler.jsonc). */
export const workerName = (side: Side) => `haru-rehearsal-${side}`;

/** The router's worker name (router/wrangler.jsonc): the room host asks its switchboard for assignments. */
const ROUTER = 'haru-rehearsal-router';
/** The room host's worker name: both versions' ROOM bindings name its class. */
const ROOM_HOST = 'haru-rehearsal-rooms';

/** A config's Durable Object bindings, as wrangler reads them. */
type ObjectBinding = { name: string; class_name: string; script_name?: string };
const objectBindings = (config: Record<string, unknown>) =>
  (config.durable_objects as { bindings?: ObjectBinding[] } | undefined)?.bindings ?? [];

/** Worktrees added and not yet removed: removed on exit too, so an interrupted run leaves none behind. */
const added = new Set<string>();
process.once('exit', () => {
  for (const dir of added) {
    try {
      git(['worktree', 'remove', '--force', dir]);
    } catch {
      // Already gone; `git worktree prune` forgets it.
    }
  }
});

const git = (args: string[], cwd = ROOT) =>
  execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'pipe'] }).trim();

/** Runs one of a release's own scripts under this Node (24), in its tree; rejects with its output. */
function runScript(dir: string, script: string, args: string[]): Promise<void> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(process.execPath, [join(dir, script), ...args], {
      cwd: dir,
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk: Buffer) => (output += chunk));
    child.stderr.on('data', (chunk: Buffer) => (output += chunk));
    child.on('error', reject);
    child.on('close', (code) =>
      code === 0
        ? resolvePromise()
        : reject(new Error(`${script} ${args.join(' ')} in ${dir} exited ${code}:\n${output}`)),
    );
  });
}

/** A ref's commit; a CHANGELOG version (`1.0.0`, `v1.0.0`) that is no ref is its release commit. */
function resolveRef(ref: string): string {
  try {
    return git(['rev-parse', '--verify', '--quiet', `${ref}^{commit}`]);
  } catch (error) {
    if (/^v?\d+\.\d+\.\d+$/.test(ref)) return releaseCommit(ref.replace(/^v/, ''));
    throw new Error(`${ref} is neither a git ref nor a released version`, { cause: error });
  }
}

/**
 * Checks out `ref` into `work/<side>` (a detached worktree sharing this
 * checkout's node_modules), builds its client with its own build script,
 * publishes it into the local KV under `persistTo` with its own publish
 * script (publishing only adds keys), and writes its worker config.
 */
export async function prepareVersion(
  side: Side,
  ref: string,
  work: string,
  persistTo: string,
): Promise<PreparedVersion> {
  let dir = ROOT;
  let commit = 'working tree';
  if (ref !== WORKING_TREE) {
    commit = resolveRef(ref);
    dir = join(work, side);
    git(['worktree', 'add', '--detach', '--force', dir, commit]);
    added.add(dir);
    if (!existsSync(join(dir, 'node_modules')))
      symlinkSync(join(ROOT, 'node_modules'), join(dir, 'node_modules'), 'dir');
  }
  const out = join(work, `${side}-dist`);
  await runScript(dir, 'scripts/build.ts', ['--out', out]);
  await runScript(dir, 'scripts/publish.ts', ['--build', out, '--persist-to', persistTo]);
  const build = JSON.parse(await readFile(join(out, 'build.json'), 'utf8')) as { id: string; apiLevel: number };
  const source = join(dir, 'wrangler.toml');
  const { rawConfig } = experimental_readRawConfig({ config: source });
  const hasRooms = objectBindings(rawConfig as Record<string, unknown>).some(
    (binding) => binding.class_name === 'Room',
  );
  const db = rawConfig.d1_databases?.[0];
  const buildJson = join(out, 'build.json');
  let entry = '';
  const config = await writeDevConfig({
    buildJson,
    dir: work,
    source,
    file: `${side}.wrangler.json`,
    configure: (c) => {
      c.name = workerName(side);
      entry = String(c.main);
      // Its rooms live in the room host, which both versions share, as on Cloudflare.
      for (const binding of objectBindings(c)) if (binding.class_name === 'Room') binding.script_name = ROOM_HOST;
    },
  });
  return {
    side,
    ref,
    commit,
    dir,
    config,
    entry,
    buildJson,
    build: { id: build.id, apiLevel: build.apiLevel },
    hasRooms,
    migrationsDir: join(dir, db?.migrations_dir ?? 'migrations'),
  };
}

/** Removes the worktrees `prepareVersion` added (the working tree itself is left alone). */
export function removeWorktrees(versions: PreparedVersion[]): void {
  for (const version of versions) {
    if (version.dir === ROOT) continue;
    git(['worktree', 'remove', '--force', version.dir]);
    added.delete(version.dir);
  }
  git(['worktree', 'prune']);
}

/**
 * Writes the room host beside the versions' configs: an entry that imports
 * each version's `Room` and exports `roomHost({ old, new })` as `Room`, and
 * its config (the newest such version's, renamed, with the switchboard bound).
 * Null when neither version has rooms.
 */
export async function writeRoomHost(work: string, versions: PreparedVersion[]): Promise<string | null> {
  const withRooms = versions.filter((version) => version.hasRooms);
  const newest = withRooms.at(-1);
  if (!newest) return null;
  const entry = join(work, 'room-host.ts');
  const source = [
    "// Generated by scripts/rehearsal/versions.ts for one rehearsal: every version's Room in one host class.",
    ...withRooms.map((version) => `import { Room as ${version.side}Room } from ${JSON.stringify(version.entry)};`),
    `import { roomHost } from ${JSON.stringify(join(import.meta.dirname, 'router', 'room-host.ts'))};`,
    `export const Room = roomHost({ ${withRooms.map((version) => `${version.side}: ${version.side}Room`).join(', ')} });`,
    "export default { fetch: () => new Response('the rehearsal room host serves no requests', { status: 404 }) };",
  ];
  await writeFile(entry, `${source.join('\n')}\n`);
  return writeDevConfig({
    buildJson: newest.buildJson,
    dir: work,
    source: join(newest.dir, 'wrangler.toml'),
    main: entry,
    file: 'rooms.wrangler.json',
    configure: (c) => {
      c.name = ROOM_HOST;
      objectBindings(c).push({ name: 'SWITCHBOARD', class_name: 'Switchboard', script_name: ROUTER });
    },
  });
}

/** Writes the router's config beside the versions', with absolute paths. */
export async function writeRouterConfig(work: string): Promise<string> {
  const source = join(import.meta.dirname, 'router', 'wrangler.jsonc');
  const { rawConfig } = experimental_readRawConfig({ config: source });
  const config = { ...rawConfig, main: join(import.meta.dirname, 'router', 'index.ts') };
  const file = join(work, 'router.wrangler.json');
  await writeFile(file, `${JSON.stringify(config, null, 2)}\n`);
  return file;
}
