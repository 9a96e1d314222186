/**
 * The operator API as the scripts read it (behind OPS_TOKEN): the retire
 * verdicts of `GET /ops/api/summary` for the contract, and when clients last
 * asked for each build (`GET /ops/api/builds`) for assets:gc. Only the fields
 * acted on are read. Sources are functions, so tests feed them without a
 * running worker.
 */
import * as z from 'zod/mini';

/**
 * The part of the ops summary (worker/ops/summary.ts `OpsSummary`) the
 * contract acts on: the verdicts (`version` is a worker version's tag, else its id).
 */
export const opsSummarySchema = z.object({
  verdicts: z.array(z.object({ version: z.string(), safeToRetire: z.boolean(), reasons: z.array(z.string()) })),
});
export type OpsSummary = z.infer<typeof opsSummarySchema>;

/** Where a summary comes from: the live ops view, or a test's fixture. */
export type SummarySource = () => Promise<OpsSummary>;

/** `GET /ops/api/builds` (worker/ops/summary.ts `BuildsLastRequested`). */
const buildsSchema = z.object({ builds: z.array(z.object({ build: z.string(), lastRequested: z.number() })) });

/** GETs `path` of the worker at `baseUrl` with the operator token and reads it with `schema`. */
async function getOps<T extends z.ZodMiniType>(baseUrl: string, path: string, token: string, schema: T, fetchImpl: typeof fetch): Promise<z.infer<T>> {
  const url = new URL(path, baseUrl);
  const response = await fetchImpl(url, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return schema.parse(await response.json());
}

/** Reads the summary of the worker at `baseUrl` with the operator token. */
export function opsSummaryFrom(baseUrl: string, token: string, fetchImpl: typeof fetch = fetch): SummarySource {
  return () => getOps(baseUrl, '/ops/api/summary', token, opsSummarySchema, fetchImpl);
}

/** Last request time (ms, a minute's start) per build within the last `days` days. */
export async function lastRequestedFrom(baseUrl: string, token: string, days: number, fetchImpl: typeof fetch = fetch): Promise<Map<string, number>> {
  const { builds } = await getOps(baseUrl, `/ops/api/builds?days=${days}`, token, buildsSchema, fetchImpl);
  return new Map(builds.map((b) => [b.build, b.lastRequested]));
}
