/**
 * `/healthz` for load balancers and the dev loop, and `/api/version` for
 * clients and operators: which worker, which build, which API levels.
 */
import { Hono } from 'hono';
import { apiRangeFor, type BuildInfo, type VersionInfo } from '../../shared/index.ts';
import { workerVersion } from '../compat/version.ts';
import { allow, jsonError } from '../http/errors.ts';
import type { AppEnv } from '../types.ts';

/** The secrets a worker needs, and what stops working without each. */
const SECRETS = {
  TOKEN_SECRET: 'no learner can sign up or be recognised',
  OPS_TOKEN: 'learners are served, but the operator view /ops opens to no one',
} as const;

/**
 * `GET /healthz`: cheap, no storage touched (D1 and KV are not called). 503
 * `token_secret_missing` when TOKEN_SECRET is not set, since the app cannot
 * serve learners then; a missing OPS_TOKEN is named in a 200, since they are served.
 * @example
 * // 503 {"error":"token_secret_missing","message":"TOKEN_SECRET is not set: ...","ok":false,"missing":["TOKEN_SECRET"]}
 */
export const health = new Hono<AppEnv>().all('/healthz', allow('GET', 'HEAD'), (c) => {
  const missing = (Object.keys(SECRETS) as (keyof typeof SECRETS)[]).filter((name) => !c.env[name]);
  if (missing.length === 0) return c.json({ ok: true });
  const message = missing.map((name) => `${name} is not set: ${SECRETS[name]}.`).join(' ');
  return missing.includes('TOKEN_SECRET')
    ? jsonError(c, 503, 'token_secret_missing', message, { ok: false, missing })
    : c.json({ ok: true, missing, message });
});

/** `GET /api/version` (mounted under the compat gate). */
export function versionRoute(build: Pick<BuildInfo, 'id' | 'apiLevel'>): Hono<AppEnv> {
  return new Hono<AppEnv>().all('/version', allow('GET', 'HEAD'), (c) => {
    const body: VersionInfo = {
      ...workerVersion(c.env.CF_VERSION_METADATA),
      build: build.id,
      apiLevel: build.apiLevel,
      apiRange: apiRangeFor(build.apiLevel),
    };
    return c.json(body);
  });
}
