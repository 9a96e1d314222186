/** The client build's first load: what the page preloads, what it leaves to lazy chunks, and the budget the build checks. */
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
});
