/**
 * Past releases from git history. CHANGELOG.md gives each release a heading
 * `## [<version>]`, and the commit that added it is the release, so a release
 * is found even where git tags do not travel (a fresh CI clone).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { ROOT } from './paths.ts';

/** Where extracted releases live (gitignored). */
export const RELEASES_DIR = join(ROOT, '.releases');

const git = (args: string[]) => execFileSync('git', args, { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 * 1024 * 1024 });

/** The commit of release `version`, from the CHANGELOG heading's first appearance. */
export function releaseCommit(version: string): string {
  const commits = git(['log', `-S## [${version}]`, '--format=%H', '--', 'CHANGELOG.md'])
    .trim()
    .split('\n')
    .filter(Boolean);
  const first = commits.at(-1);
  if (!first)
    throw new Error(`no commit adds "## [${version}]" to CHANGELOG.md; is the history complete (not a shallow clone)?`);
  return first;
}

/**
 * Writes the files of `paths` as they were at release `version` into
 * .releases/<folder>/ (the version unless named otherwise); returns that folder.
 */
export function extractRelease(version: string, paths: string[], folder = version): string {
  const dir = join(RELEASES_DIR, folder);
  rmSync(dir, { recursive: true, force: true });
  mkdirSync(dir, { recursive: true });
  const archive = execFileSync('git', ['archive', '--format=tar', releaseCommit(version), ...paths], {
    cwd: ROOT,
    maxBuffer: 256 * 1024 * 1024,
  });
  execFileSync('tar', ['-x', '-C', dir], { input: archive });
  return dir;
}

/**
 * Release versions in CHANGELOG.md, newest first (its `## [<version>] - ...`
 * headings). Not anchored to a line start: the newest heading sits at the end
 * of the intro's line in the current CHANGELOG.
 */
export function changelogVersions(changelog: string): string[] {
  return [...changelog.matchAll(/## \[([^\]]+)\] - /g)].map((match) => match[1] as string);
}

/**
 * The release before `version`: the one the CHANGELOG lists after it, or the
 * newest when `version` has no heading yet, so it is right both before and
 * after the heading is added.
 */
export function previousRelease(changelog: string, version: string): string {
  // Newest first: the one listed after `version`, or the newest when `version` is not released yet.
  const versions = changelogVersions(changelog);
  const at = versions.indexOf(version);
  const previous = at === -1 ? versions[0] : versions[at + 1];
  if (!previous) throw new Error(`CHANGELOG.md names no release before ${version}`);
  return previous;
}

/**
 * The release this tree's code rolls out beside, whose worker meets this
 * tree's rooms and the other way round (DESIGN §7): the newest CHANGELOG
 * release while `## Unreleased` lists changes, else the one before it (the
 * tree is that newest release).
 */
export function releaseBeforeTree(changelog: string): string {
  const [newest, before] = changelogVersions(changelog);
  const previous = unreleasedChanges(changelog) === '' ? before : newest;
  if (!previous) throw new Error('CHANGELOG.md names no release before this tree');
  return previous;
}

/** What `## Unreleased` lists ('' when nothing): changes made since the newest release. */
export function unreleasedChanges(changelog: string): string {
  return /## Unreleased\n([\s\S]*?)(?=\n## \[|$)/.exec(changelog)?.[1]?.trim() ?? '';
}

/** The text of `path` as it was at release `version`. */
export function fileAtRelease(version: string, path: string): string {
  return git(['show', `${releaseCommit(version)}:${path}`]);
}

/** The file names in folder `dir` at release `version`. */
export function namesAtRelease(version: string, dir: string): string[] {
  return git(['ls-tree', '--name-only', `${releaseCommit(version)}:${dir}`])
    .trim()
    .split('\n')
    .filter(Boolean);
}

/**
 * The API level release `version` speaks (`API_LEVEL` in its shared/compat.ts),
 * for releases that wrote no telemetry: their clients are told apart by level.
 */
export function apiLevelAtRelease(version: string): number {
  const level = /export const API_LEVEL = (\d+);/.exec(fileAtRelease(version, 'shared/compat.ts'))?.[1];
  if (!level) throw new Error(`release ${version}'s shared/compat.ts declares no API_LEVEL`);
  return Number(level);
}

/** The API level of each name that is a release's tag (`v<version>` with a CHANGELOG heading); other names are left out. */
export function releaseLevels(names: string[], changelog: string): Map<string, number> {
  const released = new Set(changelogVersions(changelog));
  return new Map(
    names
      .filter((name) => released.has(name.replace(/^v/, '')))
      .map((name) => [name, apiLevelAtRelease(name.replace(/^v/, ''))]),
  );
}
