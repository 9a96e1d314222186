/**
 * Proves DESIGN §5: every published build's assets stay servable after later
 * publishes, each worker serves its own build's page, and hashed assets are
 * immutable, strongly tagged and answer conditional GETs with 304.
 */
import { env } from 'cloudflare:test';
import { beforeAll, describe, expect, it } from 'vitest';
import { assetKeys, buildInfoSchema, manifestMetaSchema } from '../../shared/index.ts';
import { appFor, bodyBytes, buildA, buildB, expectJsonError, type FakeBuild, publish, snapshotKv } from './helpers.ts';

const IMMUTABLE = 'public, max-age=31536000, immutable';
const PUBLISHED_A = 1_700_000_000_000;
const PUBLISHED_B = 1_700_000_600_000;

let a: FakeBuild;
let b: FakeBuild;

beforeAll(async () => {
  a = await buildA();
  b = await buildB();
});

describe('publishing builds A then B', () => {
  let afterA: Awaited<ReturnType<typeof snapshotKv>>;
  let afterB: Awaited<ReturnType<typeof snapshotKv>>;

  beforeAll(async () => {
    await publish(a, PUBLISHED_A);
    afterA = await snapshotKv();
    await publish(b, PUBLISHED_B);
    afterB = await snapshotKv();
  });

  it('leaves every KV entry of A untouched when B is published', () => {
    const keysOfA = [
      ...a.info.files.map((file) => assetKeys.asset(file.path)),
      assetKeys.index(a.info.id),
      assetKeys.manifest(a.info.id),
    ];
    expect([...afterA.keys()].sort()).toEqual(keysOfA.sort());
    for (const [key, record] of afterA) expect(afterB.get(key), key).toEqual(record);
  });

  it("adds only B's own keys, sharing the unchanged chunk as one key", () => {
    const added = [...afterB.keys()].filter((key) => !afterA.has(key)).sort();
    expect(added).toEqual(
      [
        'asset/assets/chunk-BONLY001.js',
        'asset/assets/main-BBBBBBBB.css',
        'asset/assets/main-BBBBBBBB.js',
        assetKeys.index(b.info.id),
        assetKeys.manifest(b.info.id),
      ].sort(),
    );
    expect([...afterB.keys()].filter((key) => key.includes('SHARED01'))).toEqual(['asset/assets/chunk-SHARED01.js']);
  });

  it('records both builds in the manifest with API level and publish time', async () => {
    for (const [build, publishedAt] of [
      [a, PUBLISHED_A],
      [b, PUBLISHED_B],
    ] as const) {
      const found = await env.ASSETS_KV.getWithMetadata(assetKeys.manifest(build.info.id), { type: 'json' });
      expect(manifestMetaSchema.parse(found.metadata)).toEqual({ apiLevel: 1, publishedAt });
      expect(buildInfoSchema.parse(found.value)).toEqual(build.info);
    }
    const listed = await env.ASSETS_KV.list({ prefix: assetKeys.manifestPrefix });
    expect(listed.keys.map((key) => key.name).sort()).toEqual([
      assetKeys.manifest(a.info.id),
      assetKeys.manifest(b.info.id),
    ]);
    expect(listed.keys.map((key) => key.metadata)).toEqual(
      expect.arrayContaining([
        { apiLevel: 1, publishedAt: PUBLISHED_A },
        { apiLevel: 1, publishedAt: PUBLISHED_B },
      ]),
    );
  });

  it("serves every asset of A and of B, byte for byte, from B's worker", async () => {
    const app = appFor(b);
    for (const build of [a, b]) {
      for (const file of build.info.files) {
        const res = await app.request(`/${file.path}`, {}, env);
        expect(res.status, file.path).toBe(200);
        expect(res.headers.get('ETag'), file.path).toBe(file.etag);
        expect(await bodyBytes(res), file.path).toEqual(build.files.get(file.path));
      }
    }
  });

  it("serves A's assets from A's worker too (both directions of a rollout)", async () => {
    const app = appFor(a);
    for (const file of b.info.files) {
      const res = await app.request(`/${file.path}`, {}, env);
      expect(res.status, file.path).toBe(200);
      expect(await bodyBytes(res), file.path).toEqual(b.files.get(file.path));
    }
  });

  it("gives each worker its own build's page", async () => {
    for (const [build, other] of [
      [a, b],
      [b, a],
    ] as const) {
      const res = await appFor(build).request('/', {}, env);
      expect(res.status).toBe(200);
      expect(res.headers.get('ETag')).toBe(`"${build.info.id}"`);
      const html = await res.text();
      expect(html).toBe(build.html);
      expect(html).toContain(`<meta name="haru-build" content="${build.info.id}" />`);
      expect(html).not.toContain(other.info.id);
    }
  });
});

describe('asset headers', () => {
  beforeAll(async () => {
    await publish(a, PUBLISHED_A);
  });

  const mainJs = () => a.info.files.find((file) => file.path === 'assets/main-AAAAAAAA.js')!;
  const mainCss = () => a.info.files.find((file) => file.path === 'assets/main-AAAAAAAA.css')!;

  it('serves JS immutable with a strong ETag equal to the manifest and a JS content type', async () => {
    const res = await appFor(a).request('/assets/main-AAAAAAAA.js', {}, env);
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe(IMMUTABLE);
    expect(res.headers.get('ETag')).toBe(mainJs().etag);
    expect(res.headers.get('ETag')).toMatch(/^"[0-9a-f]{32}"$/);
    expect(res.headers.get('Content-Type')).toBe('text/javascript; charset=utf-8');
    expect(await res.text()).toBe('import "./chunk-SHARED01.js"; console.log("build A");\n');
  });

  it('serves CSS with a CSS content type', async () => {
    const res = await appFor(a).request('/assets/main-AAAAAAAA.css', {}, env);
    expect(res.status).toBe(200);
    expect(res.headers.get('Cache-Control')).toBe(IMMUTABLE);
    expect(res.headers.get('ETag')).toBe(mainCss().etag);
    expect(res.headers.get('Content-Type')).toBe('text/css; charset=utf-8');
    expect(await res.text()).toBe('body { color: #a00; }\n');
  });

  it.each([
    ['the exact etag', (etag: string) => etag],
    ['a weak form of it', (etag: string) => `W/${etag}`],
    ['a list containing it', (etag: string) => `"0000", ${etag} , "ffff"`],
    ['a list with its weak form', (etag: string) => `"0000",W/${etag}`],
    ['*', () => '*'],
  ])('answers 304 with no body when If-None-Match is %s', async (_, ifNoneMatch) => {
    const etag = mainJs().etag;
    const res = await appFor(a).request(
      '/assets/main-AAAAAAAA.js',
      { headers: { 'If-None-Match': ifNoneMatch(etag) } },
      env,
    );
    expect(res.status).toBe(304);
    expect(res.headers.get('ETag')).toBe(etag);
    expect(res.headers.get('Cache-Control')).toBe(IMMUTABLE);
    expect(await res.text()).toBe('');
  });

  it('answers 200 with the body when If-None-Match names another etag', async () => {
    const res = await appFor(a).request(
      '/assets/main-AAAAAAAA.js',
      { headers: { 'If-None-Match': mainCss().etag } },
      env,
    );
    expect(res.status).toBe(200);
    expect(res.headers.get('ETag')).toBe(mainJs().etag);
    expect(await bodyBytes(res)).toEqual(a.files.get('assets/main-AAAAAAAA.js'));
  });

  it('answers 404, not 304, for a missing asset even with If-None-Match: *', async () => {
    const res = await appFor(a).request('/assets/main-ZZZZZZZZ.js', { headers: { 'If-None-Match': '*' } }, env);
    await expectJsonError(res, 404, 'asset_not_found');
  });

  it('answers HEAD with the headers of GET and no body', async () => {
    const res = await appFor(a).request('/assets/main-AAAAAAAA.css', { method: 'HEAD' }, env);
    expect(res.status).toBe(200);
    expect(res.headers.get('ETag')).toBe(mainCss().etag);
    expect(res.headers.get('Content-Type')).toBe('text/css; charset=utf-8');
    expect(res.headers.get('Cache-Control')).toBe(IMMUTABLE);
    expect(res.body).toBeNull();
  });
});
