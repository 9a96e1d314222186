/**
 * Composes the worker from its features. Built by a function, not a module
 * singleton, so tests can stand up the worker of any build (DESIGN §5).
 */
import { Hono } from 'hono';
import type { BuildInfo } from '../shared/index.ts';
import { assetRoutes } from './assets/routes.ts';
import { apiNoStore, commonSecurityHeaders } from './assets/security.ts';
import { apiGate, versionHeaders } from './compat/middleware.ts';
import { d1Unavailable } from './db/errors.ts';
import { roomRoutes } from './group/rooms.ts';
import { groupRoutes } from './group/routes.ts';
import { jsonError } from './http/errors.ts';
import { identityRoutes } from './identity/routes.ts';
import { health, versionRoute } from './ops/health.ts';
import { opsRoutes } from './ops/routes.ts';
import { type TelemetryOptions, TelemetryRecorder, telemetry } from './ops/telemetry.ts';
import { recordRoutes } from './records/routes.ts';
import { studyRoutes } from './study/routes.ts';
import type { AppEnv } from './types.ts';

/** What a worker is built with: the client build it serves, and a clock. */
export interface AppOptions {
  build: Pick<BuildInfo, 'id' | 'apiLevel'>;
  /** Defaults to `Date.now`; tests pass a clock they move by hand. */
  now?: () => number;
  /** How often telemetry is written to D1; tests tune it. */
  telemetry?: Omit<TelemetryOptions, 'build'>;
}

/** Seconds a caller waits before trying again when D1 is busy: D1 retries reads itself, so a few seconds is usually enough. */
const D1_RETRY_AFTER_S = 5;

/** The whole Hono app for one build. */
export function createApp({ build, now = Date.now, telemetry: telemetryOptions = {} }: AppOptions): Hono<AppEnv> {
  const app = new Hono<AppEnv>();
  app.use(async (c, next) => {
    c.set('now', now);
    await next();
  });
  app.use(versionHeaders(build.apiLevel));
  app.use(commonSecurityHeaders);
  app.use('/api/*', apiNoStore);

  // Outside the compat gate, so refused old clients count too.
  const recorder = new TelemetryRecorder({ build, ...telemetryOptions });
  app.use('/api/*', telemetry(recorder, build.apiLevel));

  const api = new Hono<AppEnv>();
  api.use(apiGate(build.apiLevel));
  api.route('/', versionRoute(build));
  // v1 (API level 1): solo study, identity and records. Order matters: `/studies/join`
  // must be matched before `/studies/:studyId`.
  api.route('/v1', identityRoutes);
  api.route('/v1', groupRoutes);
  api.route('/v1', recordRoutes);
  api.route('/v1', studyRoutes);
  // v2 (API level 2): live group study in a room object.
  api.route('/v2', roomRoutes);
  api.all('*', (c) => jsonError(c, 404, 'not_found', `No API at ${c.req.method} ${c.req.path}.`));

  app.route('/api', api);
  app.route('/', health);
  // Before the assets, whose SPA fallback would otherwise answer /ops.
  app.route('/', opsRoutes(build, recorder.known));
  app.route('/', assetRoutes(build));

  app.notFound((c) => jsonError(c, 404, 'not_found', `Nothing at ${c.req.path}.`));
  app.onError((err, c) => {
    if (d1Unavailable(err)) {
      console.warn('D1 unavailable', err);
      c.header('Retry-After', String(D1_RETRY_AFTER_S));
      return jsonError(
        c,
        503,
        'unavailable',
        'Saving is paused for a moment; try again in a few seconds. Nothing you sent was changed.',
      );
    }
    console.error('unhandled', err);
    return jsonError(c, 500, 'internal', 'Something went wrong on our side; nothing you sent was changed.');
  });
  return app;
}
