/**
 * axe-core in the browser tests: injected as a script file (so the contexts
 * that use it bypass the page's CSP), run with every rule it runs by default,
 * and reported rule by rule, node by node, when something fails.
 */
import assert from 'node:assert/strict';
import { createRequire } from 'node:module';
import type { AxeResults } from 'axe-core';
import type { Page } from 'playwright-core';

const AXE = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** What a violation looks like in a failure message: rule, impact, help, and each node with its summary. */
function describeViolations(violations: AxeResults['violations']): string {
  return violations
    .map((v) =>
      [
        `${v.id} (${v.impact ?? 'no impact'}): ${v.help} <${v.helpUrl}>`,
        ...v.nodes.map(
          (node) =>
            `  at ${node.target.join(' ')}\n    ${node.html}\n    ${(node.failureSummary ?? '').replaceAll('\n', '\n    ')}`,
        ),
      ].join('\n'),
    )
    .join('\n');
}

/**
 * Runs axe-core on the page as it is, and fails listing every violation.
 * The page's context must bypass CSP (`newContext(browser, { bypassCSP: true })`).
 */
export async function expectNoViolations(page: Page, state: string): Promise<void> {
  if (!(await page.evaluate(() => 'axe' in window))) await page.addScriptTag({ path: AXE });
  const violations = await page.evaluate(async () => {
    const { axe } = window as unknown as { axe: { run(context: Document, options: object): Promise<AxeResults> } };
    const results = await axe.run(document, { resultTypes: ['violations'] });
    // Only what can cross into Node: no elements.
    return results.violations.map(({ id, impact, help, helpUrl, nodes }) => ({
      id,
      impact,
      help,
      helpUrl,
      nodes: nodes.map(({ target, html, failureSummary }) => ({ target, html, failureSummary })),
    }));
  });
  assert.equal(
    violations.length,
    0,
    `axe found ${violations.length} violation(s) on ${state}:\n${describeViolations(violations as AxeResults['violations'])}`,
  );
}
