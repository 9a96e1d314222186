/**
 * Serves client builds from KV (DESIGN §5): any published hashed asset of any
 * build, forever cacheable; and this worker's own build's page for every
 * client route, never cached long.
 */
import { type Context, Hono, type MiddlewareHandler } from 'hono';
import { ASSET_PATH, type AssetMeta, assetKeys, type BuildInfo } from '../../shared/index.ts';
import { allow, jsonError } from '../http/errors.ts';
import type { AppEnv } from '../types.ts';
import { notModified } from './conditional.ts';
import { pageSecurityHeaders } from './security.ts';

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** A client route: no file extension in the last segment, and not an API or asset path. */
function isPageRoute(path: string): boolean {
  if (path.startsWith('/api/') || path === '/api' || path.startsWith('/assets/')) return false;
  const last = path.slice(path.lastIndexOf('/') + 1);
  return !last.includes('.');
}

/** Client routes only: any other path (a stray file) is not found, whatever the method. */
const pagesOnly: MiddlewareHandler<AppEnv> = async (c, next) =>
  isPageRoute(new URL(c.req.url).pathname) ? next() : c.notFound();

/** Reads a KV value with its metadata and answers it, or a 304 when the client has it. */
async function fromKv(c: Context<AppEnv>, key: string, cacheControl: string) {
  const found = await c.env.ASSETS_KV.getWithMetadata<AssetMeta>(key, { type: 'stream' });
  if (!found.value || !found.metadata) return null;
  const headers = new Headers({ 'Cache-Control': cacheControl, ETag: found.metadata.etag });
  if (notModified(c.req.header('If-None-Match'), found.metadata.etag)) {
    await found.value.cancel();
    return new Response(null, { status: 304, headers });
  }
  headers.set('Content-Type', found.metadata.contentType);
  return new Response(found.value, { status: 200, headers });
}

/** Routes for `/assets/*` and every client page, for the build this worker was built with. */
export function assetRoutes(build: Pick<BuildInfo, 'id'>): Hono<AppEnv> {
  const app = new Hono<AppEnv>();

  app.all('/assets/*', allow('GET', 'HEAD'), async (c) => {
    // The raw path, not the decoded one: `..` and `%2F` never name an asset.
    const path = new URL(c.req.url).pathname;
    const res = ASSET_PATH.test(path) ? await fromKv(c, assetKeys.asset(path.slice(1)), IMMUTABLE) : null;
    return res ?? jsonError(c, 404, 'asset_not_found', `No published asset at ${path}.`);
  });

  app.all('*', pagesOnly, allow('GET', 'HEAD'), pageSecurityHeaders, async (c) => {
    const res = await fromKv(c, assetKeys.index(build.id), 'no-cache');
    return (
      res ??
      jsonError(
        c,
        503,
        'build_not_published',
        `Build ${build.id} is not in KV yet; run the publish step (npm run assets:publish).`,
      )
    );
  });

  return app;
}
