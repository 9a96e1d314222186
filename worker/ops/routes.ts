/**
 * `/ops` (the operator view), `/ops/api/summary` (the same as JSON for
 * scripts) and `/ops/api/builds` (for assets:gc), behind the operator's
 * token `OPS_TOKEN`: as a bearer token from scripts, or once through the
 * `/ops/login` form for a browser session (session.ts).
 */
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { csrf } from 'hono/csrf';
import { HTTPException } from 'hono/http-exception';
import * as z from 'zod/mini';
import { type BuildInfo, TELEMETRY_KEEP_DAYS } from '../../shared/index.ts';
import { pageSecurityHeaders } from '../assets/security.ts';
import { limitBody, validQuery } from '../http/body.ts';
import { allow, jsonError } from '../http/errors.ts';
import { clientAddress, rateLimit } from '../http/rate-limit.ts';
import { RATE_LIMIT_RULES } from '../http/rate-limit-rules.ts';
import type { AppEnv } from '../types.ts';
import { stuckOutboxes } from './outboxes.ts';
import { loginPage, opsPage } from './page.ts';
import { endSession, inSession, startSession } from './session.ts';
import { ABANDONED_AFTER_MS, buildsLastRequested, type OpsSummary, opsSummary } from './summary.ts';
import { type KnownBuilds, versionIdentity } from './telemetry.ts';

const encoder = new TextEncoder();

/** Equal in constant time: both sides are hashed first, so lengths leak nothing either. */
async function sameSecret(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([given, expected].map((s) => crypto.subtle.digest('SHA-256', encoder.encode(s))));
  return a !== undefined && b !== undefined && crypto.subtle.timingSafeEqual(a, b);
}

/** The auth scheme every 401 names. */
const CHALLENGE = 'Bearer realm="haru-ops"';

/** Whether the caller is the operator: the bearer token, or a browser session signed with it. An unset token opens nothing. */
async function isOperator(c: Context<AppEnv>): Promise<boolean> {
  const expected = c.env.OPS_TOKEN;
  if (!expected) return false;
  const given = /^Bearer (.+)$/.exec(c.req.header('Authorization') ?? '')?.[1];
  if (given) return sameSecret(given, expected);
  return inSession(c, expected, c.var.now());
}

/** An HTML page for people (the view or the sign-in form; its routes put pageSecurityHeaders on it); a 401 names the scheme too. */
function pageAnswer(c: Context<AppEnv>, page: ReturnType<typeof loginPage>, status: 200 | 400 | 401 | 429 = 200) {
  c.header('Cache-Control', 'no-store');
  if (status === 401) c.header('WWW-Authenticate', CHALLENGE);
  return c.html(page, status);
}

/**
 * Lets the operator through. Anyone else gets 401: the sign-in form at `/ops`
 * (a browser), JSON elsewhere (scripts). One middleware for `/ops` and below,
 * so a request is checked once.
 */
const requireOperator: MiddlewareHandler<AppEnv> = async (c, next) => {
  if (!(await isOperator(c))) {
    if (c.req.path === '/ops') return pageAnswer(c, loginPage(), 401);
    c.header('WWW-Authenticate', CHALLENGE);
    return jsonError(
      c,
      401,
      'unauthorized',
      'The operator view needs Authorization: Bearer <OPS_TOKEN> (or a signed-in browser).',
    );
  }
  c.header('Cache-Control', 'no-store');
  await next();
};

/** Browsers keep a Secure cookie only from https or a loopback host (which they treat as secure): elsewhere, the form again with why. */
const keepsSecureCookies: MiddlewareHandler<AppEnv> = async (c, next) => {
  const url = new URL(c.req.url);
  if (url.protocol === 'https:' || ['localhost', '127.0.0.1', '[::1]'].includes(url.hostname)) return next();
  const why =
    'Sign in over https, or at localhost or 127.0.0.1: a browser keeps the session cookie (it is Secure) only there. Scripts can send the token as a bearer token from anywhere.';
  return pageAnswer(c, loginPage(why), 400);
};

/** `POST /ops/login` (a form with `token`): the session cookie and back to the view, or the form again with why. */
async function login(c: Context<AppEnv>): Promise<Response> {
  const token = new URLSearchParams(await c.req.text()).get('token') ?? '';
  const expected = c.env.OPS_TOKEN;
  if (!expected || !token || !(await sameSecret(token, expected)))
    return pageAnswer(c, loginPage('That is not the operator token.'), 401);
  await startSession(c, expected, c.var.now());
  return c.redirect('/ops', 303);
}

/** Sign-in attempts per address: past the limit, the form again with a 429 and when to try. */
const limitLogins = rateLimit<AppEnv>(RATE_LIMIT_RULES.opsLoginsPerAddress, clientAddress, (c, rule) =>
  pageAnswer(
    c,
    loginPage(`Too many ${rule.what} in a short time. Please wait ${rule.period} seconds, then sign in again.`),
    429,
  ),
);

/** Hono's Origin / Sec-Fetch-Site check, run on its own so that a refusal is our JSON 403, not its bare "Forbidden". */
const crossSiteCheck = csrf();

/**
 * Only this site's own forms may sign in or out. A form post whose Origin is
 * not ours and whose Sec-Fetch-Site is not same-origin (or that has neither:
 * browsers send at least Origin) gets 403 `cross_site` before anything is
 * counted, set or cleared.
 */
const sameOriginForms: MiddlewareHandler<AppEnv> = async (c, next) => {
  try {
    await crossSiteCheck(c, async () => {});
  } catch (err) {
    if (!(err instanceof HTTPException)) throw err;
    return jsonError(
      c,
      403,
      'cross_site',
      "Signing in and out is taken only from this site's own /ops pages; this request came from elsewhere.",
    );
  }
  await next();
};

/** `POST /ops/logout`: forgets the session cookie. */
function logout(c: Context<AppEnv>): Response {
  endSession(c);
  return c.redirect('/ops', 303);
}

/** An optional whole-number query parameter from `min` to `max`, whose error says so. */
function wholeIn(min: number, max: number, unit: string) {
  const error = `a whole number of ${unit} from ${min} to ${max}`;
  return z.optional(
    z.coerce.number({ error }).check(z.int({ error }), z.minimum(min, { error }), z.maximum(max, { error })),
  );
}

/**
 * `minutes`: the chart window (default 60); `quiet`: the verdicts' traffic
 * window (default 30); `errors`: the error rates' window (default 10).
 */
const summaryShape = {
  minutes: wholeIn(1, 1440, 'minutes'),
  quiet: wholeIn(1, 1440, 'minutes'),
  errors: wholeIn(1, 1440, 'minutes'),
};
const summaryQuery = z.strictObject(summaryShape);
type SummaryQuery = z.infer<typeof summaryQuery>;
/**
 * The page also takes `refresh`, seconds between reloads, and reloads only
 * when asked: a timed reload nobody chose fails WCAG 2.2.1 (axe: meta-refresh).
 */
const pageQuery = z.strictObject({ ...summaryShape, refresh: wholeIn(10, 3600, 'seconds') });

/** `days`: how far back to look (default 7, at most what D1 keeps). */
const buildsQuery = z.strictObject({ days: wholeIn(1, TELEMETRY_KEEP_DAYS, 'days') });

/** The summary over the windows asked for. */
async function loadSummary(
  c: Context<AppEnv>,
  build: Pick<BuildInfo, 'id' | 'apiLevel'>,
  known: KnownBuilds,
  query: SummaryQuery,
): Promise<OpsSummary> {
  const now = c.var.now();
  const [summary, stuck] = await Promise.all([
    opsSummary(c.env.DB, {
      now,
      current: versionIdentity(c.env.CF_VERSION_METADATA),
      currentBuild: build.id,
      currentLevel: build.apiLevel,
      published: await known.published(c.env.ASSETS_KV, now),
      minutes: query.minutes ?? 60,
      quietMinutes: query.quiet ?? 30,
      errorMinutes: query.errors ?? 10,
    }),
    stuckOutboxes(c.env, { now, activeSince: now - ABANDONED_AFTER_MS }),
  ]);
  return { ...summary, stuckOutboxes: stuck };
}

/** The operator routes for the worker serving `build`; `known` lists the published builds (shared with telemetry). */
export function opsRoutes(build: Pick<BuildInfo, 'id' | 'apiLevel'>, known: KnownBuilds): Hono<AppEnv> {
  return (
    new Hono<AppEnv>()
      .all(
        '/ops/login',
        allow('POST'),
        sameOriginForms,
        pageSecurityHeaders,
        limitLogins,
        keepsSecureCookies,
        limitBody,
        login,
      )
      .all('/ops/logout', allow('POST'), sameOriginForms, logout)
      // The page, and the sign-in form requireOperator answers there.
      .use('/ops', pageSecurityHeaders)
      // Matches `/ops` itself too.
      .use('/ops/*', requireOperator)
      .all('/ops', allow('GET', 'HEAD'), validQuery(pageQuery), async (c) => {
        const query = c.req.valid('query');
        return pageAnswer(c, opsPage(await loadSummary(c, build, known, query), query.refresh ?? null));
      })
      .all('/ops/api/summary', allow('GET', 'HEAD'), validQuery(summaryQuery), async (c) =>
        c.json(await loadSummary(c, build, known, c.req.valid('query'))),
      )
      .all('/ops/api/builds', allow('GET', 'HEAD'), validQuery(buildsQuery), async (c) =>
        c.json(await buildsLastRequested(c.env.DB, { now: c.var.now(), days: c.req.valid('query').days ?? 7 })),
      )
      .all('/ops/*', (c) => jsonError(c, 404, 'not_found', `Nothing at ${c.req.path}.`))
  );
}
