/**
 * The operator view in a real browser (issue 5): `/ops` asks for the token
 * in a form, the session cookie (Secure, on http://127.0.0.1) opens the view
 * with its charts, and signing out asks again. No script, no CSP violation.
 */
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { COMPAT } from '../../shared/compat.ts';
import { expectNoViolations } from './axe.ts';
import { newContext, type RunningApp, suiteForFile } from './harness.ts';

/** Telemetry reaches D1 within 10 s of the first call (worker/ops/telemetry.ts): wait for it through the JSON. */
async function waitForTraffic(app: RunningApp, build: string): Promise<void> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const res = await fetch(`${app.url}/ops/api/summary?minutes=5`, {
      headers: { Authorization: `Bearer ${app.opsToken}` },
    });
    const summary = (await res.json()) as { clientBuilds: { name: string }[] };
    if (summary.clientBuilds.some((b) => b.name === build)) return;
    assert.ok(Date.now() < deadline, `no telemetry for ${build} after 20 s`);
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
}

describe('operator view', { timeout: 150_000 }, () => {
  const suite = suiteForFile();

  test('signs in through the form, shows the charts and verdicts, signs out', { timeout: 60_000 }, async () => {
    const running = suite();
    const { app, browser } = running;
    // The page's own build: a build id no published build has would count as "(unknown)", not as a series.
    const { build } = (await (await fetch(`${app.url}/api/version`)).json()) as { build: string };
    for (let i = 0; i < 3; i++)
      await (await fetch(`${app.url}/api/version`, { headers: { [COMPAT.buildHeader]: build } })).body?.cancel();
    await (await fetch(`${app.url}/api/nowhere`, { headers: { [COMPAT.buildHeader]: build } })).body?.cancel();
    await waitForTraffic(app, build);

    const context = await newContext(browser);
    const violations: string[] = [];
    context.on('console', (msg) => {
      if (msg.type() === 'error') violations.push(msg.text());
    });
    try {
      const page = await context.newPage();
      const first = await page.goto(`${app.url}/ops`);
      assert.equal(first?.status(), 401);
      await page.getByLabel('Operator token').fill('not the token');
      await page.getByRole('button', { name: 'Sign in' }).click();
      assert.equal(await page.getByRole('alert').textContent(), 'That is not the operator token.');

      await page.getByLabel('Operator token').fill(app.opsToken);
      const signedIn = page.waitForResponse(
        (res) => res.url() === `${app.url}/ops` && res.request().method() === 'GET',
      );
      await page.getByRole('button', { name: 'Sign in' }).click();
      assert.equal((await signedIn).status(), 200);
      await page.getByRole('heading', { name: /Retire verdicts/ }).waitFor();
      assert.ok((await page.locator('polyline').count()) >= 2, 'a line per worker version and per client build');
      assert.equal(await page.locator(`polyline[data-series="${build}"]`).count(), 1);
      // Both answers and the 404 count for the version answering, in its error-rate row.
      await page.getByRole('heading', { name: /Error rates/ }).waitFor();
      assert.match((await page.locator('tr[data-version]').first().textContent()) ?? '', /404: 1/);
      const [cookie] = await context.cookies(`${app.url}/ops`);
      assert.equal(cookie?.name, 'haru_ops');
      assert.equal(cookie?.httpOnly, true);
      assert.equal(cookie?.secure, true);
      assert.equal(cookie?.sameSite, 'Strict');
      assert.equal(await page.locator('script').count(), 0);

      await page.getByRole('button', { name: 'Sign out' }).click();
      await page.getByLabel('Operator token').waitFor();
      assert.deepEqual(await context.cookies(`${app.url}/ops`), []);
      // Only the two deliberate 401s (the first visit, the wrong token) may show in the console, nothing else.
      assert.deepEqual(
        violations.filter((text) => !/401/.test(text)),
        [],
      );
    } finally {
      await context.close();
    }
  });

  test('the sign-in form and the view have no accessibility violations', { timeout: 60_000 }, async () => {
    const running = suite();
    const { app, browser } = running;
    // axe is injected as a script file, which the page's CSP would block.
    const context = await newContext(browser, { bypassCSP: true });
    try {
      const page = await context.newPage();
      await page.goto(`${app.url}/ops`);
      await expectNoViolations(page, 'the operator sign-in form');
      await page.getByLabel('Operator token').fill(app.opsToken);
      await page.getByRole('button', { name: 'Sign in' }).click();
      await page.getByRole('heading', { name: /Retire verdicts/ }).waitFor();
      await expectNoViolations(page, 'the operator view');
    } finally {
      await context.close();
    }
  });
});
