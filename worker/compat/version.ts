/**
 * Which worker version is answering. Production reads the version metadata
 * binding; `wrangler dev` and tests have no real version, so they say "dev".
 */

/** The tag of this worker version if it has one, else its id, else `dev`. */
export function workerVersion(meta: WorkerVersionMetadata | undefined): { version: string; versionId: string } {
  const versionId = meta?.id || 'dev';
  return { version: meta?.tag || versionId, versionId };
}
