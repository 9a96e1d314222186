/**
 * The operator view's JSON (`GET /ops/api/summary`, behind OPS_TOKEN), as the
 * scripts read it: per worker version a retire verdict, per client build the
 * last time a client asked for it. Only these fields are read; the rest of the
 * summary is ignored. The source is a function, so tests feed a verdict
 * without a running worker.
 */
import * as z from 'zod/mini';

/** The parts of the ops summary the scripts act on. */
export const opsSummarySchema = z.object({
  versions: z.array(
    z.object({
      id: z.string(),
      tag: z.optional(z.nullable(z.string())),
      safe_to_retire: z.boolean(),
      reasons: z.optional(z.array(z.string())),
    }),
  ),
  builds: z.optional(z.array(z.object({ id: z.string(), last_requested_at: z.nullable(z.number()) }))),
});
export type OpsSummary = z.infer<typeof opsSummarySchema>;

/** Where a summary comes from: the live ops view, or a test's fixture. */
export type SummarySource = () => Promise<OpsSummary>;

/** Reads the summary of the worker at `baseUrl` with the operator token. */
export function opsSummaryFrom(baseUrl: string, token: string, fetchImpl: typeof fetch = fetch): SummarySource {
  return async () => {
    const url = new URL('/ops/api/summary', baseUrl);
    const response = await fetchImpl(url, { headers: { authorization: `Bearer ${token}` } });
    if (!response.ok) throw new Error(`GET ${url} answered ${response.status}`);
    return opsSummarySchema.parse(await response.json());
  };
}

/** Last request time per build, from a summary. */
export function lastRequestedTimes(summary: OpsSummary): Map<string, number> {
  return new Map((summary.builds ?? []).flatMap((b) => (b.last_requested_at === null ? [] : [[b.id, b.last_requested_at] as const])));
}
