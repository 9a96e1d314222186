/**
 * `npm run release` as an operator runs it, against a stand-in ops view on
 * loopback: raising an uploaded version's share reads both versions' error
 * rates and refuses on a worse one (printing the figures) unless --force, and
 * an upload refuses a tag an uploaded version already carries. Dry runs only:
 * nothing is built, uploaded or deployed.
 */
import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { ROOT } from '../../scripts/lib/paths.ts';

const OPS_TOKEN = 'release-cli-token';

/** The error rates the stand-in view gives: the new version answers 5xx far more often. */
const SUMMARY = {
  verdicts: [],
  levels: [],
  errors: {
    minutes: 10,
    versions: [
      { version: 'new-id', tag: 'v9.0.0', answers: 300, serverErrors: 12 },
      { version: 'old-id', tag: 'v8.0.0', answers: 2000, serverErrors: 1 },
    ],
  },
};

/** Runs the release script; resolves with its exit code and what it printed. */
function release(args: string[]): Promise<{ code: number; out: string }> {
  return new Promise((resolve) => {
    execFile(
      process.execPath,
      ['scripts/release.ts', ...args],
      { cwd: ROOT, env: { ...process.env, OPS_TOKEN } },
      (error, stdout, stderr) => {
        resolve({ code: typeof error?.code === 'number' ? error.code : 0, out: `${stdout}${stderr}` });
      },
    );
  });
}

describe('npm run release', () => {
  let server: Server;
  let url = '';
  const asked: string[] = [];
  let dir = '';
  before(async () => {
    server = createServer((req, res) => {
      asked.push(`${req.url} ${req.headers.authorization}`);
      if (req.headers.authorization !== `Bearer ${OPS_TOKEN}`) return void res.writeHead(401).end();
      res.writeHead(200, { 'Content-Type': 'application/json' }).end(JSON.stringify(SUMMARY));
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    dir = await mkdtemp(join(tmpdir(), 'release-cli-'));
  });
  after(async () => {
    server.close();
    await rm(dir, { recursive: true, force: true });
  });

  it('refuses to raise a share while the new version is worse, with the figures, and goes on with --force', async () => {
    const step = ['--to', '50', '--from', 'old-id', '--version', 'new-id', '--ops', url, '--dry-run'];
    const refused = await release(step);
    assert.equal(refused.code, 1, refused.out);
    assert.match(refused.out, /old old-id: 1 of 2000 answers were 5xx \(0\.05 %\) in the last 10 minutes/);
    assert.match(refused.out, /new new-id: 12 of 300 answers were 5xx \(4\.00 %\) in the last 10 minutes/);
    assert.match(refused.out, /3\.95 points worse than the old one's, more than the 1\.00 allowed/);
    assert.doesNotMatch(refused.out, /versions deploy/);
    assert.equal(asked.at(-1), `/ops/api/summary?errors=10 Bearer ${OPS_TOKEN}`);

    const forced = await release([...step, '--force']);
    assert.equal(forced.code, 0, forced.out);
    assert.match(forced.out, /--force: going on although/);
    assert.match(forced.out, /npx wrangler versions deploy old-id@50% new-id@50%/);

    const wider = await release([...step, '--error-margin', '5']);
    assert.equal(wider.code, 0, wider.out);
  });

  it('will not raise a share without the error rates unless forced', async () => {
    const blind = await release(['--to', '50', '--from', 'old-id', '--version', 'new-id', '--dry-run']);
    assert.equal(blind.code, 2);
    assert.match(
      blind.out,
      /compares its error rate with the old one first: give --from <old version id> and --ops <base url>/,
    );
  });

  it('refuses to upload under a tag an uploaded version already carries', async () => {
    const versions = join(dir, 'versions.json');
    const listed = [
      { id: 'taken-id', metadata: { created_on: '2026-12-01T00:00:00Z' }, annotations: { 'workers/tag': 'v-taken' } },
    ];
    await writeFile(versions, JSON.stringify(listed));
    const taken = await release(['--to', '10', '--tag', 'v-taken', '--versions-json', versions, '--dry-run']);
    assert.equal(taken.code, 1, taken.out);
    assert.match(
      taken.out,
      /tag v-taken is already carried by uploaded version taken-id: a new version needs a tag of its own/,
    );
  });
});
