/**
 * `/healthz` for load balancers and the dev loop, and `/api/version` for
 * clients and operators: which worker, which build, which API levels.
 */
import { Hono } from 'hono';
import { apiRangeFor, type BuildInfo, type VersionInfo } from '../../shared/index.ts';
import { workerVersion } from '../compat/version.ts';
import { methodNotAllowed } from '../http/errors.ts';
import type { AppEnv } from '../types.ts';

/** `GET /healthz`: cheap, no bindings touched. */
export const health = new Hono<AppEnv>()
  .get('/healthz', (c) => c.json({ ok: true }))
  .all('/healthz', methodNotAllowed('GET, HEAD'));

/** `GET /api/version` (mounted under the compat gate). */
export function versionRoute(build: Pick<BuildInfo, 'id' | 'apiLevel'>): Hono<AppEnv> {
  return new Hono<AppEnv>()
    .get('/version', (c) => {
      const body: VersionInfo = {
        ...workerVersion(c.env.CF_VERSION_METADATA),
        build: build.id,
        apiLevel: build.apiLevel,
        apiRange: apiRangeFor(build.apiLevel),
      };
      return c.json(body);
    })
    .all('/version', methodNotAllowed('GET, HEAD'));
}
