/**
 * The operator view's JSON (`GET /ops/api/summary`, behind OPS_TOKEN), as the
 * scripts read it: per worker version a retire verdict, per client build the
 * minutes a client asked for it. Only these fields are read; the rest of the
 * summary is ignored. The source is a function, so tests feed a verdict
 * without a running worker.
 */
import * as z from 'zod/mini';

/**
 * The parts of the ops summary (worker/ops/summary.ts `OpsSummary`) the
 * scripts act on: the verdicts (`version` is a worker version's tag, else its
 * id) and the per-minute request counts of each client build.
 */
export const opsSummarySchema = z.object({
  minutes: z.array(z.number()),
  clientBuilds: z.array(z.object({ name: z.string(), counts: z.array(z.number()) })),
  verdicts: z.array(z.object({ version: z.string(), safeToRetire: z.boolean(), reasons: z.array(z.string()) })),
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

/** Last request time per build: the start of the latest minute in the summary's window with a request from it. */
export function lastRequestedTimes(summary: OpsSummary): Map<string, number> {
  const times = new Map<string, number>();
  for (const build of summary.clientBuilds) {
    const last = build.counts.findLastIndex((count) => count > 0);
    const minute = summary.minutes[last];
    if (last >= 0 && minute !== undefined) times.set(build.name, minute);
  }
  return times;
}
