/**
 * Past releases from git history. CHANGELOG.md gives each release a heading
 * `## [<version>]`, and the commit that added it is the release, so a release
 * is found even where git tags do not travel (a fresh CI clone).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './client-build.ts';

/** Where extracted releases live (gitignored). */
export const RELEASES_DIR = join(ROOT, '.releases');

const git = (args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

/** The commit of release `version`, from the CHANGELOG heading's first appearance. */
export function releaseCommit(version: string): string {
  const commits = git(['log', `-S## [${version}]`, '--format=%H', '--', 'CHANGELOG.md']).trim().split('\n').filter(Boolean);
  const first = commits.at(-1);
  if (!first) throw new Error(`no commit adds "## [${version}]" to CHANGELOG.md; is the history complete (not a shallow clone)?`);
  return first;
}

/** Writes the files of `paths` as they were at release `version` into .releases/<version>/; returns that folder. */
export function extractRelease(version: string, paths: string[]): string {
  const dir = join(RELEASES_DIR, version);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const archive = execFileSync('git', ['archive', '--format=tar', releaseCommit(version), ...paths], { cwd: ROOT, maxBuffer: 256 * 1024 * 1024 });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  return dir;
}
