/**
 * Plans garbage collection of client builds in KV (DESIGN §5): a build goes
 * only when no live worker version serves it and no client asked for it
 * within the retention window; an asset key goes only when every build that
 * uses it goes (assets are content-addressed and shared between builds).
 * Pure, so the rules are unit-tested; scripts/assets-gc.ts does the KV I/O.
 */
import { assetKeys } from '../../shared/index.ts';

/** A build as the manifest records it: id, publish time, its asset paths. */
export interface ManifestBuild {
  id: string;
  publishedAt: number;
  files: string[];
}

/** Everything one gc decision depends on. */
export interface GcInput {
  builds: ManifestBuild[];
  /** Build ids that live worker versions serve. */
  live: string[];
  /** Last time a client asked for a build (ms), where telemetry knows it. */
  lastRequested: ReadonlyMap<string, number>;
  now: number;
  retentionMs: number;
}

/** What gc keeps and deletes, or the problems that stop it. */
export type GcPlan =
  | { ok: false; problems: string[] }
  | { ok: true; keep: string[]; remove: string[]; keys: string[] };

/**
 * Decides which builds and keys to delete. A build counts as requested at
 * its publish time too, so one just published is never collected before
 * clients had a chance to ask for it; without telemetry that is the rule.
 */
export function planAssetsGc(input: GcInput): GcPlan {
  const ids = new Set(input.builds.map((build) => build.id));
  const problems: string[] = [];
  if (input.live.length === 0) problems.push('no live build given: gc must know which builds live worker versions serve');
  for (const id of input.live) if (!ids.has(id)) problems.push(`live build ${id} is not in the manifest: wrong id or wrong namespace?`);
  if (problems.length > 0) return { ok: false, problems };

  const since = input.now - input.retentionMs;
  const kept = (build: ManifestBuild) =>
    input.live.includes(build.id) || Math.max(build.publishedAt, input.lastRequested.get(build.id) ?? 0) >= since;
  const keep = input.builds.filter(kept);
  const remove = input.builds.filter((build) => !kept(build));
  const keptFiles = new Set(keep.flatMap((build) => build.files));
  const removedFiles = new Set(remove.flatMap((build) => build.files).filter((path) => !keptFiles.has(path)));
  const keys = [
    ...[...removedFiles].sort().map(assetKeys.asset),
    ...remove.flatMap((build) => [assetKeys.index(build.id), assetKeys.manifest(build.id)]),
  ];
  return { ok: true, keep: keep.map((b) => b.id), remove: remove.map((b) => b.id), keys };
}
