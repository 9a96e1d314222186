/**
 * `npm start`: the whole app on local state at http://127.0.0.1:8787.
 *
 * Creates .dev.vars with generated secrets if missing, builds the client and
 * publishes it to local KV, applies D1 migrations locally, then runs
 * `wrangler dev`. Client edits rebuild and republish, then rewrite
 * dist/build.json, which `wrangler dev` picks up like any worker edit.
 */
import { randomBytes } from 'node:crypto';
import { existsSync } from 'node:fs';
import { appendFile, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import * as esbuild from 'esbuild';
import { assemble, type ClientBuild, esbuildOptions, writeBuild } from './lib/client-build.ts';
import { ROOT } from './lib/paths.ts';
import { publishBuild } from './lib/publish.ts';
import { runWrangler, spawnWrangler } from './lib/wrangler.ts';

const PORT = process.env.PORT ?? '8787';

/** Local secrets are generated, never committed; one added since a .dev.vars was made is appended to it. */
async function ensureDevVars(): Promise<void> {
  const file = join(ROOT, '.dev.vars');
  const existing = existsSync(file) ? await readFile(file, 'utf8') : '';
  const missing = ['TOKEN_SECRET', 'OPS_TOKEN'].filter((name) => !new RegExp(`^${name}=`, 'm').test(existing));
  if (missing.length === 0) return;
  const lines = missing.map((name) => `${name}=${randomBytes(32).toString('hex')}\n`).join('');
  await appendFile(file, `${existing && !existing.endsWith('\n') ? '\n' : ''}${lines}`, { mode: 0o600 });
  console.log(`.dev.vars: generated ${missing.join(', ')}`);
}

/** Publishes a build to local KV, then points the worker at it. */
async function ship(build: ClientBuild): Promise<void> {
  await publishBuild(build, { local: true });
  await writeBuild(build, join(ROOT, 'dist'));
  console.log(`client build ${build.info.id} published to local KV`);
}

await ensureDevVars();

let lastId = '';
let firstBuild: () => void;
const built = new Promise<void>((resolve) => (firstBuild = resolve));
const ctx = await esbuild.context({
  ...esbuildOptions(),
  plugins: [
    {
      name: 'publish-to-local-kv',
      setup(b) {
        b.onEnd(async (result) => {
          if (result.errors.length > 0 || !result.outputFiles || !result.metafile) return;
          try {
            const build = await assemble({ outputFiles: result.outputFiles, metafile: result.metafile });
            if (build.info.id !== lastId) await ship(build);
            lastId = build.info.id;
          } catch (err) {
            console.error('client publish failed:', err);
          }
          firstBuild();
        });
      },
    },
  ],
});
await ctx.watch();
await built;

console.log(await runWrangler(['d1', 'migrations', 'apply', 'DB', '--local']));

console.log(
  `learners: http://127.0.0.1:${PORT}/  operators: http://127.0.0.1:${PORT}/ops (sign in with OPS_TOKEN from .dev.vars)`,
);
const dev = spawnWrangler(['dev', '--ip', '127.0.0.1', '--port', PORT, '--show-interactive-dev-session=false']);
const stop = () => {
  dev.kill('SIGINT');
  void ctx.dispose();
};
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
dev.on('exit', (code) => {
  void ctx.dispose();
  process.exitCode = code ?? 0;
});
