/**
 * wrangler.toml's `[[ratelimits]]` and the worker's table of them
 * (worker/http/rate-limit-rules.ts) say the same: the binding enforces the
 * limit, the table tells learners the period in `Retry-After`, so a change
 * to one alone would make the worker promise a wait the binding does not keep.
 */
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { experimental_readRawConfig } from 'wrangler';
import { ROOT } from '../../scripts/lib/paths.ts';
import { RATE_LIMIT_RULES } from '../../worker/http/rate-limit-rules.ts';

describe('rate limit rules', () => {
  it("match wrangler.toml's [[ratelimits]] one to one: name, limit and period, each with a namespace of its own", () => {
    const { rawConfig } = experimental_readRawConfig({ config: join(ROOT, 'wrangler.toml') });
    const limits = (rawConfig.ratelimits ?? []) as {
      name: string;
      namespace_id: string;
      simple: { limit: number; period: number };
    }[];
    const bindings = limits.map((r) => ({ name: r.name, limit: r.simple.limit, period: r.simple.period }));
    const rules = Object.values(RATE_LIMIT_RULES).map((r) => ({ name: r.binding, limit: r.limit, period: r.period }));
    assert.deepEqual(bindings, rules);
    const namespaces = limits.map((r) => r.namespace_id);
    assert.equal(new Set(namespaces).size, namespaces.length, 'a shared namespace_id would share counters');
  });
});
