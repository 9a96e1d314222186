/**
 * The compatibility gate (DESIGN §4). Every response says which worker version
 * answered and which API levels it serves; an API call from a client outside
 * that range gets a 409 the client knows how to handle calmly.
 */
import type { Context, MiddlewareHandler } from 'hono';
import {
  type ApiRange,
  apiRangeFor,
  buildIdSchema,
  COMPAT,
  type CompatError,
  checkLevel,
  formatRange,
  type Mismatch,
  parseApiHeader,
} from '../../shared/index.ts';
import { jsonError } from '../http/errors.ts';
import type { AppEnv } from '../types.ts';
import { workerVersion } from './version.ts';

/** Adds `X-Haru-Version` and `X-Haru-Api-Range` to every response, errors included. */
export function versionHeaders(apiLevel: number): MiddlewareHandler<AppEnv> {
  const range = formatRange(apiRangeFor(apiLevel));
  return async (c, next) => {
    await next();
    c.res.headers.set(COMPAT.versionHeader, workerVersion(c.env.CF_VERSION_METADATA).version);
    c.res.headers.set(COMPAT.rangeHeader, range);
  };
}

/**
 * The 409 a client gets when it must reload onto the current version: for a
 * level outside the range, or for a feature this release serves at a newer
 * level only (group study, live in rooms at level 2).
 */
export function compatAnswer<E extends AppEnv>(c: Context<E>, mismatch: Mismatch, range: ApiRange): Response {
  const body: CompatError = {
    error: mismatch,
    message:
      mismatch === 'client_outdated'
        ? 'A new version of Haru Study is ready. Reload to continue.'
        : 'This page is newer than the server. Reload to continue.',
    serverVersion: workerVersion(c.env.CF_VERSION_METADATA).version,
    apiRange: range,
  };
  c.header(COMPAT.compatHeader, 'reload');
  return c.json(body, 409);
}

/**
 * Checks `X-Haru-Api` / `X-Haru-Build` on API calls. No header means the
 * current level, so curl and health checks just work.
 */
export function apiGate(apiLevel: number): MiddlewareHandler<AppEnv> {
  const range = apiRangeFor(apiLevel);
  return async (c, next) => {
    const api = parseApiHeader(c.req.header(COMPAT.apiHeader) ?? null);
    if (!api.ok) {
      return jsonError(c, 400, 'bad_api_header', `${COMPAT.apiHeader} must be a whole number such as ${apiLevel}.`);
    }
    const build = c.req.header(COMPAT.buildHeader) ?? null;
    if (build !== null && !buildIdSchema.safeParse(build).success) {
      return jsonError(
        c,
        400,
        'bad_build_header',
        `${COMPAT.buildHeader} must be 1-64 letters, digits, dots, dashes or underscores.`,
      );
    }
    const clientLevel = api.level ?? apiLevel;
    const mismatch = checkLevel(clientLevel, range);
    if (mismatch) return compatAnswer(c, mismatch, range);
    c.set('compat', { clientLevel, clientBuild: build, range });
    await next();
  };
}
