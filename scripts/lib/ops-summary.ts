/**
 * The operator API as the scripts read it (behind OPS_TOKEN): the retire
 * verdicts of `GET /ops/api/summary` for the contract, and when clients last
 * asked for each build (`GET /ops/api/builds`) for assets:gc. Only the fields
 * acted on are read. Sources are functions, so tests feed them without a
 * running worker.
 */
import * as z from 'zod/mini';

const verdict = { safeToRetire: z.boolean(), reasons: z.array(z.string()) };

/**
 * The part of the ops summary (worker/ops/summary.ts `OpsSummary`) the
 * release and the contract act on: the verdicts per version (`version` is its
 * id, or its tag where Release 2.1.0 wrote it), the verdicts per old API
 * level, and each version's answers in the error window. The last three are
 * absent from a Release 2.1.0 worker's summary.
 */
export const opsSummarySchema = z.object({
  verdicts: z.array(z.object({ version: z.string(), tag: z.optional(z.string()), ...verdict })),
  levels: z._default(z.array(z.object({ apiLevel: z.number(), ...verdict })), []),
  errors: z.optional(
    z.object({
      minutes: z.number(),
      versions: z.array(
        z.object({ version: z.string(), tag: z.string(), answers: z.number(), serverErrors: z.number() }),
      ),
    }),
  ),
});
export type OpsSummary = z.infer<typeof opsSummarySchema>;

/** Where a summary comes from: the live ops view, or a test's fixture. */
export type SummarySource = () => Promise<OpsSummary>;

/** `GET /ops/api/builds` (worker/ops/summary.ts `BuildsLastRequested`). */
const buildsSchema = z.object({ builds: z.array(z.object({ build: z.string(), lastRequested: z.number() })) });

/** GETs `path` of the worker at `baseUrl` with the operator token and reads it with `schema`. */
async function getOps<T extends z.ZodMiniType>(
  baseUrl: string,
  path: string,
  token: string,
  schema: T,
  fetchImpl: typeof fetch,
): Promise<z.infer<T>> {
  const url = new URL(path, baseUrl);
  const response = await fetchImpl(url, { headers: { authorization: `Bearer ${token}` } });
  if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
  return schema.parse(await response.json());
}

/** Reads the summary of the worker at `baseUrl` with the operator token (`query`: e.g. `?errors=15`). */
export function opsSummaryFrom(
  baseUrl: string,
  token: string,
  fetchImpl: typeof fetch = fetch,
  query = '',
): SummarySource {
  return () => getOps(baseUrl, `/ops/api/summary${query}`, token, opsSummarySchema, fetchImpl);
}

/** Last request time (ms, a minute's start) per build within the last `days` days. */
export async function lastRequestedFrom(
  baseUrl: string,
  token: string,
  days: number,
  fetchImpl: typeof fetch = fetch,
): Promise<Map<string, number>> {
  const { builds } = await getOps(baseUrl, `/ops/api/builds?days=${days}`, token, buildsSchema, fetchImpl);
  return new Map(builds.map((b) => [b.build, b.lastRequested]));
}
