/**
 * The worker versions on the account as assets:gc reads them: which client
 * build each version serves, and which versions the current deployment runs.
 * A version's build is bundled into its code, so `npm run release` names it in
 * the version's upload message, where `wrangler versions list` shows it again.
 * Pure: scripts/assets-gc.ts runs wrangler (or reads its saved JSON).
 */
import * as z from 'zod/mini';

/** What a version message carries after the release's own words: ` (build <id>)`. */
const BUILD_IN_MESSAGE = /\(build ([A-Za-z0-9][A-Za-z0-9._-]{0,63})\)$/;

/**
 * The upload message of a version: the release's message plus the client
 * build it serves, read back by {@link buildOfMessage}.
 *
 * @example versionMessage('Release 2.1.0', '0123456789abcdef') // 'Release 2.1.0 (build 0123456789abcdef)'
 */
export function versionMessage(message: string, build: string): string {
  return `${message} (build ${build})`;
}

/** The build a version message names; undefined when it names none (uploaded before releases named it, or by hand). */
export function buildOfMessage(message: string | undefined): string | undefined {
  return message === undefined ? undefined : BUILD_IN_MESSAGE.exec(message)?.[1];
}

/**
 * `wrangler versions list --json`: the 10 most recent deployable versions,
 * oldest first (wrangler's `versionsListCommand`, the API's
 * `GET /workers/scripts/:name/versions?deployable=true` items). Only the fields gc reads.
 */
export const versionListSchema = z.array(
  z.object({
    id: z.string(),
    metadata: z.object({ created_on: z.string() }),
    annotations: z.optional(
      z.object({ 'workers/message': z.optional(z.string()), 'workers/tag': z.optional(z.string()) }),
    ),
  }),
);

/**
 * `wrangler deployments list --json`: the 10 most recent deployments, oldest
 * first (wrangler's `deploymentsListCommand`, the API's
 * `GET /workers/scripts/:name/deployments`). Only the fields gc reads.
 */
export const deploymentListSchema = z.array(
  z.object({
    created_on: z.string(),
    versions: z.array(z.object({ version_id: z.string(), percentage: z.number() })),
  }),
);

/** A worker version as gc sees it: when it was uploaded and the build its message names. */
export interface WorkerVersion {
  id: string;
  createdOn: string;
  tag?: string;
  build?: string;
}

/** The versions of a `versions list`, with the build each one's message names. */
export function workerVersions(list: z.infer<typeof versionListSchema>): WorkerVersion[] {
  return list.map((version) => ({
    id: version.id,
    createdOn: version.metadata.created_on,
    tag: version.annotations?.['workers/tag'],
    build: buildOfMessage(version.annotations?.['workers/message']),
  }));
}

/** Ids of the versions the newest deployment of a `deployments list` runs; none when there is no deployment. */
export function deployedVersionIds(list: z.infer<typeof deploymentListSchema>): string[] {
  const current = list.toSorted((a, b) => a.created_on.localeCompare(b.created_on)).at(-1);
  return current?.versions.map((version) => version.version_id) ?? [];
}
