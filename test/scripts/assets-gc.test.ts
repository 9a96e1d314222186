/** assets:gc: the planner's rules, and real runs against local KV published with publishBuild and a saved version list. */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { once } from 'node:events';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { promisify } from 'node:util';
import { type GcInput, planAssetsGc } from '../../scripts/lib/assets-gc.ts';
import type { ClientBuild } from '../../scripts/lib/client-build.ts';
import { readManifest } from '../../scripts/lib/kv.ts';
import { ROOT } from '../../scripts/lib/paths.ts';
import { publishBuild } from '../../scripts/lib/publish.ts';
import type { WorkerVersion } from '../../scripts/lib/worker-versions.ts';
import { wranglerJson } from '../../scripts/lib/wrangler.ts';

const DAY = 24 * 60 * 60 * 1000;
const NOW = 100 * DAY;
const build = (id: string, days: number, files: string[]) => ({ id, publishedAt: NOW - days * DAY, files });
const version = (id: string, day: number, buildId?: string): WorkerVersion => ({
  id,
  createdOn: new Date(day * DAY).toISOString(),
  build: buildId,
});
const INPUT: GcInput = {
  builds: [
    build('old', 30, ['assets/shared-aaaaaaaa.js', 'assets/old-bbbbbbbb.js']),
    build('target', 20, ['assets/target-eeeeeeee.js']),
    build('live', 20, ['assets/shared-aaaaaaaa.js', 'assets/live-cccccccc.js']),
    build('recent', 2, ['assets/recent-dddddddd.js']),
  ],
  // Uploaded in this order; only the last two are rollback targets with keepVersions 2.
  versions: [version('v-old', 60, 'old'), version('v-target', 70, 'target'), version('v-live', 80, 'live')],
  deployed: ['v-live'],
  keepVersions: 2,
  named: new Map(),
  lastRequested: new Map(),
  now: NOW,
  retentionMs: 7 * DAY,
};

describe('planAssetsGc', () => {
  it('keeps the builds of the deployed version and of a rollback target; deletes one only a dropped version used, and only the assets no kept build shares', () => {
    const plan = planAssetsGc(INPUT);
    assert.ok(plan.ok);
    assert.deepEqual(plan.served, [
      { version: 'v-live', build: 'live', deployed: true },
      { version: 'v-target', build: 'target', deployed: false },
    ]);
    assert.deepEqual(plan.keep, ['target', 'live', 'recent']);
    assert.deepEqual(plan.remove, ['old']);
    assert.deepEqual(plan.keys, ['asset/assets/old-bbbbbbbb.js', 'build/old/index.html', 'manifest/old']);
  });

  it('keeps every version the current deployment runs, however old', () => {
    const plan = planAssetsGc({ ...INPUT, deployed: ['v-old', 'v-live'], keepVersions: 0 });
    assert.ok(plan.ok);
    assert.deepEqual(plan.remove, ['target']);
  });

  it('keeps a build a client asked for within the window, whatever its age', () => {
    const plan = planAssetsGc({ ...INPUT, lastRequested: new Map([['old', NOW - DAY]]) });
    assert.ok(plan.ok);
    assert.deepEqual(plan.remove, []);
    assert.deepEqual(plan.keys, []);
  });

  it('with a zero window, deletes every build no kept version serves', () => {
    const plan = planAssetsGc({ ...INPUT, retentionMs: 0, lastRequested: new Map([['recent', NOW - 1]]) });
    assert.ok(plan.ok);
    assert.deepEqual(plan.remove, ['old', 'recent']);
  });

  it('refuses while a kept version names no build, until --live names it', () => {
    const unnamed = {
      ...INPUT,
      versions: [version('v-old', 60, 'old'), version('v-target', 70), version('v-live', 80, 'live')],
    };
    const refused = planAssetsGc(unnamed);
    assert.ok(!refused.ok);
    assert.deepEqual(refused.problems, [
      'version v-target names no build in its message: name the build it serves with --live v-target=<build-id>',
    ]);
    const named = planAssetsGc({ ...unnamed, named: new Map([['v-target', 'target']]) });
    assert.ok(named.ok);
    assert.deepEqual(named.remove, ['old']);
  });

  it('refuses for a deployed version older than the versions listed, until --live names it', () => {
    const refused = planAssetsGc({ ...INPUT, deployed: ['v-gone', 'v-live'] });
    assert.ok(!refused.ok);
    assert.match(
      refused.problems.join('\n'),
      /deployed version v-gone is older than the versions listed: name the build it serves with --live v-gone=<build-id>/,
    );
    assert.ok(planAssetsGc({ ...INPUT, deployed: ['v-gone', 'v-live'], named: new Map([['v-gone', 'old']]) }).ok);
  });

  it('refuses a wrong --live, a deployed build the manifest lacks, and a worker with no deployment', () => {
    const problems = (input: Partial<GcInput>) => {
      const plan = planAssetsGc({ ...INPUT, ...input });
      assert.ok(!plan.ok);
      return plan.problems;
    };
    assert.deepEqual(problems({ named: new Map([['v-old', 'old']]) }), [
      '--live names version v-old, which is neither deployed nor among the 2 most recent uploads',
      '--live names version v-old, whose message already names build old',
    ]);
    assert.deepEqual(problems({ named: new Map([['v-live', 'typo']]) }), [
      '--live names version v-live, whose message already names build live',
      '--live build typo is not in the manifest: wrong id or wrong namespace?',
    ]);
    assert.deepEqual(problems({ builds: INPUT.builds.filter((b) => b.id !== 'live') }), [
      'deployed version v-live serves build live, which the manifest does not have: wrong namespace?',
    ]);
    assert.deepEqual(problems({ deployed: [] }), ['the worker has no deployment: wrong worker or account?']);
  });

  it("only warns when a rollback target's build is already gone", () => {
    const plan = planAssetsGc({ ...INPUT, builds: INPUT.builds.filter((b) => b.id !== 'target') });
    assert.ok(plan.ok);
    assert.deepEqual(plan.warnings, [
      'version v-target serves build target, which is no longer published: publish it again before rolling back to it',
    ]);
  });
});

/** A small build with one asset shared with the other builds and one of its own. */
function fakeBuild(id: string): ClientBuild {
  const file = (path: string) => ({ path, contentType: 'text/javascript; charset=utf-8', etag: `"${path}"`, size: 1 });
  const own = `assets/own-${id}.js`;
  return {
    info: { id, apiLevel: 2, version: '2.0.0', files: [file('assets/shared-aaaaaaaa.js'), file(own)] },
    files: new Map([
      ['assets/shared-aaaaaaaa.js', new TextEncoder().encode('shared')],
      [own, new TextEncoder().encode(id)],
    ]),
    indexHtml: new TextEncoder().encode(`<html>${id}</html>`),
    initialJs: [],
  };
}

/**
 * Saves what `wrangler versions list --json` and `wrangler deployments list --json`
 * print (oldest first, with fields gc ignores) for versions uploaded in this
 * order, an earlier deployment of the first and the current one of `deployed`;
 * returns the flags that make gc read them.
 */
async function savedAccount(
  dir: string,
  versions: { id: string; message: string }[],
  deployed: string[],
): Promise<string[]> {
  const at = (day: number) => new Date(Date.UTC(2026, 10, 1 + day)).toISOString();
  const list = versions.map((v, i) => ({
    id: v.id,
    number: i + 1,
    metadata: {
      author_email: 'ops@example.com',
      source: 'wrangler',
      created_on: at(i),
      modified_on: at(i),
      hasPreview: false,
    },
    annotations: { 'workers/message': v.message, 'workers/tag': `v2.0.${i}`, 'workers/triggered_by': 'upload' },
  }));
  const deployment = (day: number, ids: string[]) => ({
    id: `deployment-${day}`,
    source: 'wrangler',
    strategy: 'percentage',
    author_email: 'ops@example.com',
    created_on: at(day),
    annotations: { 'workers/triggered_by': 'deployment' },
    versions: ids.map((version_id) => ({ version_id, percentage: 100 / ids.length })),
  });
  const files = [join(dir, 'versions.json'), join(dir, 'deployments.json')] as const;
  await writeFile(files[0], JSON.stringify(list));
  await writeFile(
    files[1],
    JSON.stringify([deployment(0, [versions[0]?.id ?? '']), deployment(versions.length, deployed)]),
  );
  return ['--versions-json', files[0], '--deployments-json', files[1]];
}

/** A temporary local KV (removed after the test) with each build published that many days ago. */
async function publishedKv(t: TestContext, builds: Record<string, number>) {
  const persistTo = await mkdtemp(join(tmpdir(), 'haru-gc-test-'));
  t.after(() => rm(persistTo, { recursive: true, force: true }));
  const target = { local: true, persistTo } as const;
  for (const [id, days] of Object.entries(builds)) await publishBuild(fakeBuild(id), target, Date.now() - days * DAY);
  return { persistTo, target };
}

/** Runs `npm run assets:gc` on that local KV with `args`. */
const runGc = (persistTo: string, args: string[], env: NodeJS.ProcessEnv = process.env) =>
  promisify(execFile)(process.execPath, ['scripts/assets-gc.ts', '--local', '--persist-to', persistTo, ...args], {
    cwd: ROOT,
    env,
  });

/** How a run that must fail failed: its exit code and what it printed to stderr. */
const failure = (run: Promise<unknown>, why: string) =>
  run.then(
    () => assert.fail(why),
    (error: { code: number; stderr: string }) => error,
  );

const V1 = '10000000-0000-4000-8000-000000000001';
const V2 = '10000000-0000-4000-8000-000000000002';
const V3 = '10000000-0000-4000-8000-000000000003';

describe('npm run assets:gc on local KV', () => {
  it("keeps the deployed build and a rollback target's; lists on --dry-run, then deletes only the build of a dropped version and its own asset", async (t) => {
    const { persistTo, target } = await publishedKv(t, {
      aaaaaaaaaaaaaaaa: 30,
      bbbbbbbbbbbbbbbb: 30,
      eeeeeeeeeeeeeeee: 30,
      cccccccccccccccc: 0,
    });
    const account = await savedAccount(
      persistTo,
      [
        { id: V1, message: 'Release 1.5.0 (build aaaaaaaaaaaaaaaa)' },
        { id: V2, message: 'Release 2.0.0 (build eeeeeeeeeeeeeeee)' },
        { id: V3, message: 'Release 2.0.1 (build bbbbbbbbbbbbbbbb)' },
      ],
      [V3],
    );
    const gc = (...args: string[]) => runGc(persistTo, ['--keep-versions', '2', ...account, ...args]);
    const keys = async () =>
      (
        (await wranglerJson(['kv', 'key', 'list', '--binding', 'ASSETS_KV', '--local', '--persist-to', persistTo])) as {
          name: string;
        }[]
      )
        .map((k) => k.name)
        .sort();
    const before = await keys();
    assert.equal(before.length, 13);

    const { stdout: dry } = await gc('--dry-run');
    assert.match(dry, new RegExp(`version ${V3} \\(deployed\\) serves build bbbbbbbbbbbbbbbb\n`));
    assert.match(dry, new RegExp(`version ${V2} \\(rollback target\\) serves build eeeeeeeeeeeeeeee\n`));
    assert.match(dry, /keep builds: (?=.*bbbbbbbbbbbbbbbb)(?=.*cccccccccccccccc)(?=.*eeeeeeeeeeeeeeee)/);
    assert.match(dry, /delete builds: aaaaaaaaaaaaaaaa\n/);
    assert.match(dry, /asset\/assets\/own-aaaaaaaaaaaaaaaa\.js/);
    assert.deepEqual(await keys(), before);

    await gc();
    assert.deepEqual(
      await keys(),
      before.filter((k) => !k.includes('aaaaaaaaaaaaaaaa')),
    );
    assert.ok((await keys()).includes('asset/assets/shared-aaaaaaaa.js'));
    assert.deepEqual((await readManifest(target)).map((b) => b.id).sort(), [
      'bbbbbbbbbbbbbbbb',
      'cccccccccccccccc',
      'eeeeeeeeeeeeeeee',
    ]);
  });

  it("refuses, deleting nothing, while a kept version's message names no build; --live <version>=<build> lets it go on", async (t) => {
    const { persistTo, target } = await publishedKv(t, {
      aaaaaaaaaaaaaaaa: 30,
      bbbbbbbbbbbbbbbb: 30,
      eeeeeeeeeeeeeeee: 30,
    });
    const account = await savedAccount(
      persistTo,
      [
        { id: V1, message: 'Release 2.0.0' },
        { id: V2, message: 'Release 2.0.1 (build bbbbbbbbbbbbbbbb)' },
      ],
      [V2],
    );
    const refused = await failure(
      runGc(persistTo, account),
      'gc went on without knowing what a rollback target serves',
    );
    assert.equal(refused.code, 1);
    assert.equal(
      refused.stderr,
      `assets:gc refused:\n  - version ${V1} (v2.0.0) names no build in its message: name the build it serves with --live ${V1}=<build-id>\n`,
    );
    assert.equal((await readManifest(target)).length, 3);

    const { stdout } = await runGc(persistTo, [...account, '--live', `${V1}=eeeeeeeeeeeeeeee`]);
    assert.match(stdout, /delete builds: aaaaaaaaaaaaaaaa\n/);
    assert.deepEqual((await readManifest(target)).map((b) => b.id).sort(), ['bbbbbbbbbbbbbbbb', 'eeeeeeeeeeeeeeee']);
  });

  it('with --telemetry, keeps an old build a client asked for within --keep-days (read from /ops/api/builds)', async (t) => {
    const asked: string[] = [];
    const server = createServer((req, res) => {
      asked.push(`${req.url} ${req.headers.authorization}`);
      res.setHeader('content-type', 'application/json');
      res.end(
        JSON.stringify({
          days: 10,
          from: 0,
          builds: [{ build: 'aaaaaaaaaaaaaaaa', lastRequested: Date.now() - 2 * DAY }],
        }),
      );
    });
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    t.after(() => server.close());
    const { port } = server.address() as { port: number };
    const { persistTo, target } = await publishedKv(t, {
      aaaaaaaaaaaaaaaa: 30,
      bbbbbbbbbbbbbbbb: 30,
      dddddddddddddddd: 30,
    });
    const account = await savedAccount(
      persistTo,
      [{ id: V1, message: 'Release 2.0.0 (build bbbbbbbbbbbbbbbb)' }],
      [V1],
    );
    const gc = (...args: string[]) =>
      runGc(persistTo, [...account, ...args], { ...process.env, OPS_TOKEN: 'gc-test-token' });
    const { stdout } = await gc('--telemetry', `http://127.0.0.1:${port}`, '--keep-days', '9.5', '--dry-run');
    assert.deepEqual(asked, ['/ops/api/builds?days=10 Bearer gc-test-token']);
    assert.match(stdout, /keep builds: aaaaaaaaaaaaaaaa, bbbbbbbbbbbbbbbb\n/);
    assert.match(stdout, /delete builds: dddddddddddddddd\n/);

    // D1 keeps 30 days of telemetry: a longer window is refused before anything is asked or deleted.
    const refused = await failure(
      gc('--telemetry', `http://127.0.0.1:${port}`, '--keep-days', '31'),
      'a 31-day window was accepted',
    );
    assert.equal(refused.code, 2);
    assert.equal(
      refused.stderr,
      '--keep-days 31 with --telemetry: D1 keeps 30 days of telemetry, so older requests are unknown\n',
    );
    // An unreachable worker: one line saying so, exit 1, nothing deleted.
    const unreachable = await failure(
      gc('--telemetry', 'http://127.0.0.1:1', '--keep-days', '7'),
      'gc went on without telemetry',
    );
    assert.equal(unreachable.code, 1);
    assert.match(unreachable.stderr, /^could not read when builds were last requested: fetch failed\n$/);
    assert.equal(asked.length, 1);
    assert.equal((await readManifest(target)).length, 3);
  });
});
