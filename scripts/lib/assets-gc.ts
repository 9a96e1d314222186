/**
 * Plans garbage collection of client builds in KV (DESIGN §5): a build goes
 * only when no worker version that serves or may serve again uses it and no
 * client asked for it within the retention window; an asset key goes only
 * when every build that uses it goes (assets are content-addressed and shared
 * between builds). The versions kept are the current deployment's and the
 * most recent uploads (the rollback targets); a kept version whose build is
 * unknown stops gc, because its page might be deleted.
 * Pure, so the rules are unit-tested; scripts/assets-gc.ts does the I/O.
 */
import { assetKeys } from '../../shared/index.ts';
import type { WorkerVersion } from './worker-versions.ts';

/** A build as the manifest records it: id, publish time, its asset paths. */
export interface ManifestBuild {
  id: string;
  publishedAt: number;
  files: string[];
}

/** Everything one gc decision depends on. */
export interface GcInput {
  builds: ManifestBuild[];
  /** The most recent uploaded versions (`wrangler versions list`), with the build each message names. */
  versions: WorkerVersion[];
  /** Ids of the versions the current deployment runs. */
  deployed: string[];
  /** How many of the most recent uploads to keep as rollback targets. */
  keepVersions: number;
  /** Builds the operator named for versions, by version id (`--live <version-id>=<build-id>`). */
  named: ReadonlyMap<string, string>;
  /** Last time a client asked for a build (ms), where telemetry knows it. */
  lastRequested: ReadonlyMap<string, number>;
  now: number;
  retentionMs: number;
}

/** What gc keeps and deletes, or the problems that stop it. */
export type GcPlan =
  | { ok: false; problems: string[] }
  | { ok: true; served: ServedBuild[]; keep: string[]; remove: string[]; keys: string[]; warnings: string[] };

/** A kept worker version and the build it serves. */
export interface ServedBuild {
  version: string;
  build: string;
  deployed: boolean;
}

/**
 * The builds kept versions serve, or why gc cannot know them. A deployed
 * version whose build the manifest lacks means the wrong namespace (or a
 * broken deployment): refused. A rollback target whose build is gone only
 * warns: nothing gc deletes changes that.
 */
function servedBuilds(
  input: GcInput,
  ids: ReadonlySet<string>,
): { served: ServedBuild[]; problems: string[]; warnings: string[] } {
  const recent = input.versions.toSorted((a, b) => b.createdOn.localeCompare(a.createdOn)).slice(0, input.keepVersions);
  const kept = [...new Set([...input.deployed, ...recent.map((version) => version.id)])];
  const listed = new Map(input.versions.map((version) => [version.id, version]));
  const served: ServedBuild[] = [];
  const problems: string[] = [];
  const warnings: string[] = [];
  if (input.deployed.length === 0) problems.push('the worker has no deployment: wrong worker or account?');
  for (const [version, build] of input.named) {
    const named = listed.get(version)?.build;
    if (!kept.includes(version))
      problems.push(
        `--live names version ${version}, which is neither deployed nor among the ${input.keepVersions} most recent uploads`,
      );
    if (named !== undefined)
      problems.push(`--live names version ${version}, whose message already names build ${named}`);
    if (!ids.has(build)) problems.push(`--live build ${build} is not in the manifest: wrong id or wrong namespace?`);
  }
  for (const id of kept) {
    const version = listed.get(id);
    const deployed = input.deployed.includes(id);
    const build = version?.build ?? input.named.get(id);
    if (build === undefined) {
      const which = version
        ? `version ${id}${version.tag ? ` (${version.tag})` : ''} names no build in its message`
        : `deployed version ${id} is older than the versions listed`;
      problems.push(`${which}: name the build it serves with --live ${id}=<build-id>`);
    } else if (ids.has(build)) {
      served.push({ version: id, build, deployed });
    } else if (deployed) {
      problems.push(`deployed version ${id} serves build ${build}, which the manifest does not have: wrong namespace?`);
    } else {
      warnings.push(
        `version ${id} serves build ${build}, which is no longer published: publish it again before rolling back to it`,
      );
    }
  }
  return { served, problems, warnings };
}

/**
 * Decides which builds and keys to delete. A build counts as requested at
 * its publish time too, so one just published is never collected before
 * clients had a chance to ask for it; without telemetry that is the rule.
 */
export function planAssetsGc(input: GcInput): GcPlan {
  const ids = new Set(input.builds.map((build) => build.id));
  const { served, problems, warnings } = servedBuilds(input, ids);
  if (problems.length > 0) return { ok: false, problems };

  const since = input.now - input.retentionMs;
  const kept = (build: ManifestBuild) =>
    served.some((s) => s.build === build.id) ||
    Math.max(build.publishedAt, input.lastRequested.get(build.id) ?? 0) >= since;
  const keep = input.builds.filter(kept);
  const remove = input.builds.filter((build) => !kept(build));
  const keptFiles = new Set(keep.flatMap((build) => build.files));
  const removedFiles = new Set(remove.flatMap((build) => build.files).filter((path) => !keptFiles.has(path)));
  const keys = [
    ...[...removedFiles].sort().map(assetKeys.asset),
    ...remove.flatMap((build) => [assetKeys.index(build.id), assetKeys.manifest(build.id)]),
  ];
  return { ok: true, served, keep: keep.map((b) => b.id), remove: remove.map((b) => b.id), keys, warnings };
}
