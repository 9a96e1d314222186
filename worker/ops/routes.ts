/**
 * `/ops` (the operator view), `/ops/api/summary` (the same as JSON for
 * scripts) and `/ops/api/builds` (for assets:gc), behind the operator's
 * bearer token `OPS_TOKEN`.
 */
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import * as z from 'zod/mini';
import { TELEMETRY_KEEP_DAYS, type BuildInfo } from '../../shared/index.ts';
import { pageSecurityHeaders } from '../assets/security.ts';
import { workerVersion } from '../compat/version.ts';
import { readQuery } from '../http/body.ts';
import { jsonError, methodNotAllowed } from '../http/errors.ts';
import type { AppEnv } from '../types.ts';
import { opsPage } from './page.ts';
import { buildsLastRequested, opsSummary, type OpsSummary } from './summary.ts';

const encoder = new TextEncoder();

/** Equal in constant time: both sides are hashed first, so lengths leak nothing either. */
async function sameSecret(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([given, expected].map((s) => crypto.subtle.digest('SHA-256', encoder.encode(s))));
  return a !== undefined && b !== undefined && crypto.subtle.timingSafeEqual(a, b);
}

/** 401 unless `Authorization: Bearer <OPS_TOKEN>`; an unset token opens nothing. */
const requireOperator: MiddlewareHandler<AppEnv> = async (c, next) => {
  const given = /^Bearer (.+)$/.exec(c.req.header('Authorization') ?? '')?.[1];
  const expected = c.env.OPS_TOKEN;
  if (!given || !expected || !(await sameSecret(given, expected))) {
    c.header('WWW-Authenticate', 'Bearer realm="haru-ops"');
    return jsonError(c, 401, 'unauthorized', 'The operator view needs Authorization: Bearer <OPS_TOKEN>.');
  }
  c.header('Cache-Control', 'no-store');
  await next();
};

/** An optional whole-number query parameter from 1 to `max`, whose error says so. */
function wholeUpTo(max: number, unit: string) {
  const error = `a whole number of ${unit} from 1 to ${max}`;
  return z.optional(z.coerce.number({ error }).check(z.int({ error }), z.minimum(1, { error }), z.maximum(max, { error })));
}

const minutesParam = wholeUpTo(1440, 'minutes');
/** `minutes`: the chart window (default 60); `quiet`: the verdicts' traffic window (default 30). */
const summaryQuery = z.strictObject({ minutes: minutesParam, quiet: minutesParam });

/** `days`: how far back to look (default 7, at most what D1 keeps). */
const buildsQuery = z.strictObject({ days: wholeUpTo(TELEMETRY_KEEP_DAYS, 'days') });

/** The summary the query asks for, or the 400 to answer. */
async function loadSummary(c: Context<AppEnv>, buildId: string): Promise<{ ok: true; summary: OpsSummary } | { ok: false; res: Response }> {
  const query = readQuery(c, summaryQuery);
  if (!query.ok) return query;
  const summary = await opsSummary(c.env.DB, {
    now: c.var.now(),
    currentVersion: workerVersion(c.env.CF_VERSION_METADATA).version,
    currentBuild: buildId,
    minutes: query.data.minutes ?? 60,
    quietMinutes: query.data.quiet ?? 30,
  });
  return { ok: true, summary };
}

/** The operator routes for the worker serving `build`. */
export function opsRoutes(build: Pick<BuildInfo, 'id'>): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .use('/ops', requireOperator)
    .use('/ops/*', requireOperator)
    .get('/ops', async (c) => {
      const loaded = await loadSummary(c, build.id);
      if (!loaded.ok) return loaded.res;
      for (const [name, value] of Object.entries(pageSecurityHeaders)) c.header(name, value);
      return c.html(opsPage(loaded.summary));
    })
    .all('/ops', methodNotAllowed('GET, HEAD'))
    .get('/ops/api/summary', async (c) => {
      const loaded = await loadSummary(c, build.id);
      return loaded.ok ? c.json(loaded.summary) : loaded.res;
    })
    .all('/ops/api/summary', methodNotAllowed('GET, HEAD'))
    .get('/ops/api/builds', async (c) => {
      const query = readQuery(c, buildsQuery);
      if (!query.ok) return query.res;
      return c.json(await buildsLastRequested(c.env.DB, { now: c.var.now(), days: query.data.days ?? 7 }));
    })
    .all('/ops/api/builds', methodNotAllowed('GET, HEAD'))
    .all('/ops/*', (c) => jsonError(c, 404, 'not_found', `Nothing at ${c.req.path}.`));
}
