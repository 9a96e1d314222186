/**
 * Proves the real entry (worker/index.ts) is built with dist/build.json: the
 * build id `npm run build` wrote is the one the deployed worker reports and
 * whose page it asks KV for.
 */

import { env } from 'cloudflare:test';
import { exports } from 'cloudflare:workers';
import build from '@haru/build';
import { describe, expect, it } from 'vitest';
import { apiRangeFor, formatRange, versionInfoSchema } from '../../shared/index.ts';

describe('worker/index.ts', () => {
  it('reports the build id and API level of dist/build.json on GET /api/version', async () => {
    const res = await exports.default.fetch('https://haru.example/api/version');
    expect(res.status).toBe(200);
    expect(res.headers.get('X-Haru-Api-Range')).toBe(formatRange(apiRangeFor(build.apiLevel)));
    const body = versionInfoSchema.parse(await res.json());
    expect(body).toEqual({
      version: res.headers.get('X-Haru-Version'),
      versionId: env.CF_VERSION_METADATA.id,
      build: build.id,
      apiLevel: build.apiLevel,
      apiRange: apiRangeFor(build.apiLevel),
    });
  });

  it("asks KV for its own build's page: unpublished here, so 503 naming that build", async () => {
    const res = await exports.default.fetch('https://haru.example/');
    expect(res.status).toBe(503);
    const body = (await res.json()) as { error: string; message: string };
    expect(body.error).toBe('build_not_published');
    expect(body.message).toContain(build.id);
  });
});
