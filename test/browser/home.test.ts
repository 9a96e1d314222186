/**
 * The landing page in real Chromium against a real `wrangler dev` serving the
 * current source's build from a fresh local KV: it renders, it loads only our
 * own immutable hashed assets, it breaks no CSP rule, reloads revalidate
 * instead of downloading again, and what the learner typed survives a reload.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, test } from 'node:test';
import type { Browser, BrowserContext, CDPSession, Page } from 'playwright-core';
import { COMPAT } from '../../shared/compat.ts';
import {
  applyMigrations,
  freePort,
  launchBrowser,
  newContext,
  type PreparedBuild,
  prepareBuild,
  type RunningApp,
  startApp,
  type TempDir,
  tempDir,
} from './harness.ts';

const IMMUTABLE = 'public, max-age=31536000, immutable';

/** Console errors, uncaught errors and CSP violations of one browser context. */
interface Problems {
  console: string[];
  csp: string[];
}

/** A context that reports every CSP violation and console error of its pages to `problems`. */
async function watchedContext(browser: Browser): Promise<{ context: BrowserContext; problems: Problems }> {
  const problems: Problems = { console: [], csp: [] };
  const context = await newContext(browser);
  await context.exposeFunction('__haruCspViolation', (text: string) => problems.csp.push(text));
  await context.addInitScript(() => {
    document.addEventListener('securitypolicyviolation', (e) => {
      const report = (window as unknown as { __haruCspViolation(text: string): void }).__haruCspViolation;
      report(`${e.effectiveDirective} blocked ${e.blockedURI || 'inline'} (${e.sourceFile}:${e.lineNumber})`);
    });
  });
  context.on('console', (msg) => {
    if (msg.type() === 'error') problems.console.push(msg.text());
  });
  context.on('weberror', (err) => problems.console.push(`uncaught: ${err.error().message}`));
  return { context, problems };
}

/** The content type each kind of asset the page loads is served with. */
const CONTENT_TYPES: [string, RegExp][] = [
  ['.js', /^text\/javascript/],
  ['.css', /^text\/css/],
  ['.svg', /^image\/svg\+xml/],
  ['.png', /^image\/png/],
  ['.webmanifest', /^application\/manifest\+json/],
];

/** What the network did for each request of a page, as Chromium's DevTools protocol tells it. */
interface WireRecord {
  url: string;
  /** Status on the wire (304 for a revalidation), when the request reached the server. */
  wireStatus?: number;
  /** True when Chromium answered from its HTTP cache without asking the server. */
  fromCache: boolean;
}

async function recordNetwork(page: Page): Promise<{ records: Map<string, WireRecord>; cdp: CDPSession }> {
  const records = new Map<string, WireRecord>();
  const cdp = await page.context().newCDPSession(page);
  const record = (id: string) => {
    let found = records.get(id);
    if (!found) {
      found = { url: '', fromCache: false };
      records.set(id, found);
    }
    return found;
  };
  cdp.on('Network.requestWillBeSent', (e) => (record(e.requestId).url = e.request.url));
  cdp.on('Network.responseReceivedExtraInfo', (e) => (record(e.requestId).wireStatus = e.statusCode));
  cdp.on('Network.requestServedFromCache', (e) => (record(e.requestId).fromCache = true));
  await cdp.send('Network.enable');
  return { records, cdp };
}

/** The home page has rendered and its first version check came back. */
async function openHome(page: Page, url: string): Promise<void> {
  const checked = page.waitForResponse((res) => res.url() === `${url}/api/version`, { timeout: 15_000 });
  await page.goto(`${url}/`, { timeout: 15_000 });
  await page.getByRole('heading', { name: 'Haru Study', level: 1 }).waitFor({ timeout: 10_000 });
  assert.equal((await checked).status(), 200, 'the page checks /api/version on load and is accepted');
}

describe('home page', { timeout: 150_000 }, () => {
  let dir: TempDir | undefined;
  let current: PreparedBuild;
  let app: RunningApp | undefined;
  let browser: Browser | undefined;

  before(
    async () => {
      dir = await tempDir();
      const persistTo = join(dir.path, 'state');
      current = await prepareBuild(join(dir.path, 'build'), persistTo);
      await applyMigrations(persistTo);
      app = await startApp({ buildJson: current.buildJson, persistTo, port: await freePort() });
      browser = await launchBrowser();
    },
    { timeout: 90_000 },
  );

  /** What `before` set up; fails the test cleanly when setup did not finish. */
  const ready = (): { app: RunningApp; browser: Browser } => {
    assert.ok(app && browser, 'setup did not finish');
    return { app, browser };
  };

  after(async () => {
    await browser?.close();
    await app?.stop();
    await dir?.remove();
  });

  test('renders from immutable hashed assets, with no console errors or CSP violations', {
    timeout: 30_000,
  }, async () => {
    const { app, browser } = ready();
    const { context, problems } = await watchedContext(browser);
    try {
      const page = await context.newPage();
      const responses: { url: string; status: number; headers: Record<string, string> }[] = [];
      page.on('response', (res) => responses.push({ url: res.url(), status: res.status(), headers: res.headers() }));
      const apiRequests: Record<string, string>[] = [];
      page.on('request', (req) => {
        if (req.url().includes('/api/')) apiRequests.push(req.headers());
      });

      await openHome(page, app.url);

      assert.equal(await page.locator('meta[name="haru-build"]').getAttribute('content'), current.build.info.id);
      assert.match(await page.title(), /Haru Study/);
      const nickname = page.getByLabel('Nickname', { exact: true });
      assert.equal(await nickname.count(), 1, 'one input labelled "Nickname"');
      assert.equal(await nickname.getAttribute('id'), 'nickname');
      assert.ok(await nickname.isEditable());

      const document = responses.find((r) => r.url === `${app.url}/`);
      assert.ok(document, 'the page itself was fetched');
      assert.equal(document.status, 200);
      assert.equal(document.headers['cache-control'], 'no-cache', 'HTML is never cached long');
      assert.match(document.headers['content-security-policy'] ?? '', /script-src 'self'/);

      const assets = responses.filter((r) => new URL(r.url).pathname.startsWith('/assets/'));
      const js = assets.filter((r) => r.url.endsWith('.js'));
      const css = assets.filter((r) => r.url.endsWith('.css'));
      assert.ok(js.length >= 1, 'the page loads its JavaScript from /assets/');
      assert.equal(css.length, 1, 'the page loads its stylesheet from /assets/');
      const published = new Set(current.build.info.files.map((f) => `/${f.path}`));
      for (const asset of assets) {
        const path = new URL(asset.url).pathname;
        assert.ok(published.has(path), `${path} is a file of this build`);
        assert.equal(asset.status, 200, path);
        assert.equal(asset.headers['cache-control'], IMMUTABLE, `${path} is immutable`);
        assert.match(asset.headers.etag ?? '', /^"[0-9a-f]{32}"$/, `${path} has a strong ETag`);
        const type = CONTENT_TYPES.find(([ending]) => path.endsWith(ending))?.[1];
        assert.ok(type, `${path} is a kind of file the page loads`);
        assert.match(asset.headers['content-type'] ?? '', type);
      }
      // Nothing the page loaded came from anywhere but its own origin.
      for (const r of responses) assert.equal(new URL(r.url).origin, app.url, r.url);

      // The page's API calls carry its build id and API level (DESIGN §4).
      assert.ok(apiRequests.length >= 1);
      for (const headers of apiRequests) {
        assert.equal(headers[COMPAT.buildHeader.toLowerCase()], current.build.info.id);
        assert.equal(headers[COMPAT.apiHeader.toLowerCase()], String(current.build.info.apiLevel));
      }

      await page.waitForTimeout(200); // let late console messages arrive
      assert.deepEqual(problems.csp, [], 'no CSP violations');
      assert.deepEqual(problems.console, [], 'no console errors');
    } finally {
      await context.close();
    }
  });

  test('the CSP watcher sees a violation when there is one', { timeout: 20_000 }, async () => {
    // Guards the test above against passing vacuously.
    const { app, browser } = ready();
    const { context, problems } = await watchedContext(browser);
    try {
      const page = await context.newPage();
      await openHome(page, app.url);
      await page.evaluate(() => {
        const script = document.createElement('script');
        script.textContent = 'window.inlineRan = true';
        document.head.append(script);
      });
      for (let i = 0; i < 20 && problems.csp.length === 0; i++) await page.waitForTimeout(50);
      assert.equal(await page.evaluate(() => 'inlineRan' in window), false, 'inline script is blocked');
      assert.equal(problems.csp.length, 1, 'the violation was reported');
      assert.match(problems.csp[0] ?? '', /^script-src/);
    } finally {
      await context.close();
    }
  });

  test('a reload revalidates the page with 304 and takes assets from cache', { timeout: 30_000 }, async () => {
    const { app, browser } = ready();
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      const { records } = await recordNetwork(page);
      await openHome(page, app.url);
      await page.waitForLoadState('networkidle', { timeout: 10_000 });
      const firstLoad = [...records.values()].filter((r) => r.url.includes('/assets/'));
      assert.ok(firstLoad.length >= 2 && firstLoad.every((r) => r.wireStatus === 200 && !r.fromCache));
      const cached = new Set(firstLoad.map((r) => r.url));

      records.clear();
      await page.reload({ timeout: 15_000 });
      await page.getByRole('heading', { name: 'Haru Study' }).waitFor({ timeout: 10_000 });
      await page.waitForLoadState('networkidle', { timeout: 10_000 });
      const reloaded = [...records.values()];
      const document = reloaded.find((r) => r.url === `${app.url}/`);
      assert.equal(document?.wireStatus, 304, 'the page (no-cache, ETag) is revalidated, not downloaded again');
      // Scripts and styles: the icons are fetched by the browser itself, on its own schedule.
      const again = reloaded.filter((r) => cached.has(r.url) && /\.(js|css)$/.test(r.url));
      assert.ok(again.length >= 2, 'the reloaded page uses the same assets');
      for (const r of again) {
        assert.ok(r.fromCache || r.wireStatus === 304, `${r.url} came from cache (${JSON.stringify(r)})`);
      }

      // A conditional request for an asset, from the page itself, gets a 304.
      const [script] = current.build.info.files.filter((f) => f.path.endsWith('.js'));
      assert.ok(script);
      const conditional = await page.evaluate(
        async ({ path, etag }) => {
          const res = await fetch(`/${path}`, { cache: 'no-store', headers: { 'If-None-Match': etag } });
          return { status: res.status, etag: res.headers.get('ETag') };
        },
        { path: script.path, etag: script.etag },
      );
      assert.deepEqual(conditional, { status: 304, etag: script.etag });
      // And from Node, with the weak form of the same tag (RFC 9110 weak comparison).
      const res = await fetch(`${app.url}/${script.path}`, { headers: { 'If-None-Match': `W/${script.etag}` } });
      assert.equal(res.status, 304);
      assert.equal(res.headers.get('cache-control'), IMMUTABLE);
    } finally {
      await context.close();
    }
  });

  test('a typed nickname survives a reload', { timeout: 30_000 }, async () => {
    const { app, browser } = ready();
    const context = await newContext(browser);
    try {
      const page = await context.newPage();
      await openHome(page, app.url);
      const nickname = page.getByLabel('Nickname', { exact: true });
      assert.equal(await nickname.inputValue(), '');
      await nickname.pressSequentially('hana');

      await page.reload({ timeout: 15_000 });
      await page.getByRole('heading', { name: 'Haru Study' }).waitFor({ timeout: 10_000 });
      assert.equal(await page.getByLabel('Nickname', { exact: true }).inputValue(), 'hana');

      // A new tab of the same learner finds the draft too: it is in localStorage, not the tab's session.
      const other = await context.newPage();
      await openHome(other, app.url);
      assert.equal(await other.getByLabel('Nickname', { exact: true }).inputValue(), 'hana');
    } finally {
      await context.close();
    }
  });
});
