/**
 * The client build's first load: what the page preloads, what it leaves to
 * lazy chunks, and the budget the build checks; and the icons, manifest and
 * link previews every build's page carries.
 */
import assert from 'node:assert/strict';
import { before, describe, it } from 'node:test';
import { buildClient, type ClientBuild, gzipJsBytes } from '../../scripts/lib/client-build.ts';

describe('client build', () => {
  let build: ClientBuild;
  let html: string;
  before(async () => {
    build = await buildClient();
    html = new TextDecoder().decode(build.indexHtml);
  });

  it('preloads every chunk the entry imports, so none waits for the entry to be parsed', () => {
    const entry = build.initialJs.filter((path) => /^assets\/main-/.test(path));
    assert.equal(entry.length, 1);
    assert.ok(html.includes(`<script type="module" src="/${entry[0]}"></script>`));
    const chunks = build.initialJs.filter((path) => !/^assets\/main-/.test(path));
    assert.ok(chunks.length >= 1);
    for (const path of chunks) assert.ok(html.includes(`<link rel="modulepreload" href="/${path}" />`), path);
    assert.equal(html.match(/rel="modulepreload"/g)?.length, chunks.length, 'nothing lazy is preloaded up front');
  });

  it('names in the page what each lazy module needs, none of it part of the first load', () => {
    const content = /<meta name="haru-lazy" content="([^"]*)" \/>/.exec(html)?.[1];
    assert.ok(content, 'the page carries the lazy modules');
    const lazy = JSON.parse(content.replaceAll('&quot;', '"').replaceAll('&amp;', '&')) as Record<string, string[]>;
    // The paths client/router/pages.ts and client/forms/submission.ts preload by.
    for (const source of [
      'client/study/page.tsx',
      'client/room/page.tsx',
      'client/records/study-records.tsx',
      'client/records/my-records.tsx',
      'shared/api.ts',
    ]) {
      const files = lazy[source];
      assert.ok(files && files.length >= 1, source);
      for (const file of files) {
        assert.ok(build.files.has(file.slice(1)), `${file} is a file of the build`);
        assert.ok(!build.initialJs.includes(file.slice(1)), `${file} is not in the first load`);
      }
    }
  });

  it('fetches one language before the first render, and stays within the first-load budget', () => {
    assert.deepEqual(Object.keys(build.localeJs ?? {}).sort(), ['en', 'ko']);
    const { en = [], ko = [] } = build.localeJs ?? {};
    assert.ok(en.length >= 1 && ko.length >= 1);
    assert.ok(!en.some((path) => ko.includes(path)), 'a page never fetches the other language');
    const gzip = gzipJsBytes(build);
    assert.equal(gzip.initial, Math.max(gzip.byLocale.en ?? 0, gzip.byLocale.ko ?? 0));
    assert.ok(gzip.initial <= 20 * 1024, `first load ${gzip.initial} B gzip`);
    assert.ok(gzip.total > gzip.initial);
  });

  it('links a hashed favicon, home screen icon and web app manifest, whose icons are files of the build', () => {
    const link = (rel: string) => new RegExp(`<link rel="${rel}" href="/(assets/[^"]+)"`).exec(html)?.[1];
    const [icon, touchIcon, manifestPath] = [link('icon'), link('apple-touch-icon'), link('manifest')];
    assert.ok(icon && touchIcon && manifestPath, 'the page links all three');
    const typeOf = (path: string) => build.info.files.find((f) => f.path === path)?.contentType;
    assert.equal(typeOf(icon), 'image/svg+xml');
    assert.match(new TextDecoder().decode(build.files.get(icon)), /^<svg xmlns="http:\/\/www.w3.org\/2000\/svg"/);
    assert.equal(typeOf(touchIcon), 'image/png');
    assert.equal(typeOf(manifestPath), 'application/manifest+json; charset=utf-8');
    const manifest = JSON.parse(new TextDecoder().decode(build.files.get(manifestPath))) as {
      name: string;
      theme_color: string;
      background_color: string;
      start_url: string;
      display: string;
      icons: { src: string; sizes: string; type: string; purpose?: string }[];
    };
    assert.match(manifest.name, /Haru Study/);
    assert.match(manifest.name, /하루 스터디/);
    assert.equal(manifest.start_url, '/');
    assert.equal(manifest.display, 'standalone');
    assert.match(manifest.theme_color, /^#[0-9a-f]{6}$/);
    for (const size of [192, 512]) {
      const entry = manifest.icons.find((i) => i.sizes === `${size}x${size}` && i.purpose === undefined);
      assert.ok(entry, `a ${size} px icon`);
      const png = build.files.get(entry.src.slice(1));
      assert.ok(png, `${entry.src} is a file of the build`);
      assert.equal(typeOf(entry.src.slice(1)), entry.type);
      const view = new DataView(png.buffer, png.byteOffset);
      assert.deepEqual([...png.subarray(1, 4)], [0x50, 0x4e, 0x47], 'a PNG');
      assert.deepEqual([view.getUint32(16), view.getUint32(20)], [size, size], 'of the size it claims');
    }
    assert.ok(manifest.icons.some((i) => i.purpose === 'maskable'));
    assert.ok(manifest.icons.some((i) => i.src === `/${icon}`));
  });

  it('describes the app to link previews and browsers, in English and Korean', () => {
    assert.match(html, /<meta name="color-scheme" content="light dark" \/>/);
    assert.equal(
      html.match(/<meta name="theme-color" content="#[0-9a-f]{6}" media="\(prefers-color-scheme: (light|dark)\)" \/>/g)
        ?.length,
      2,
    );
    for (const name of [
      'name="description"',
      'property="og:title"',
      'property="og:description"',
      'name="twitter:title"',
      'name="twitter:description"',
    ]) {
      const content = new RegExp(`<meta ${name} content="([^"]+)"`).exec(html)?.[1];
      assert.ok(content, name);
      assert.match(content, /Haru Study|Plan, study/, `${name} in English`);
      assert.match(content, /[가-힣]/, `${name} in Korean`);
    }
    assert.match(html, /<meta name="twitter:card" content="summary" \/>/);
  });
});
