/**
 * The Grafana dashboard (docs/grafana/haru-study.json) and the SQL in
 * docs/telemetry-sql.md name Analytics Engine fields by position only
 * (`blob4`, `double2`), and Analytics Engine cannot tell a query that a
 * position now holds another field. So every query is held here to the
 * layout the worker writes (worker/ops/data-point.ts) and to the dataset in
 * wrangler.toml: reorder BLOBS or DOUBLES, rename a field, or rename the
 * dataset, and these tests fail until the queries follow.
 */
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { experimental_readRawConfig } from 'wrangler';
import { ROOT } from '../../scripts/lib/paths.ts';
import { BLOBS, DOUBLES, INDEX, outcomeOf, UNKNOWN_BUILD } from '../../worker/ops/data-point.ts';

/**
 * The Grafana data source Cloudflare documents for Analytics Engine: the
 * Altinity plugin for ClickHouse
 * (https://developers.cloudflare.com/analytics/analytics-engine/grafana/).
 */
const PLUGIN_ID = 'vertamedia-clickhouse-datasource';

/** One panel of the dashboard and one section of the SQL doc each, by title. */
const REQUIRED = [
  'Requests per worker version',
  'Requests per client build',
  'Requests per API level',
  'Server error rate per worker version',
  'Sockets closed per close code',
  'Last hour per worker version',
];

/** A layout: field names by position, as data-point.ts declares them. */
type Layout = { blobs: readonly string[]; doubles: readonly string[] };

/** The values a query may compare a field with; a field not listed here may not be compared with a literal at all. */
type Values = Record<string, (literal: string) => boolean>;

// TelemetryKind is a type only, so the kinds are spelled out; the outcomes come from outcomeOf itself.
const KINDS = ['http', 'socket', 'close'] as const;
const OUTCOMES = new Set<string>();
for (const kind of KINDS) {
  const [low, high] = kind === 'close' ? [0, 4999] : [100, 599];
  for (let code = low; code <= high; code++) OUTCOMES.add(outcomeOf(kind, code));
}
const isString = (allowed: Iterable<string>) => {
  const set = new Set(allowed);
  return (literal: string) => /^'[^']*'$/.test(literal) && set.has(literal.slice(1, -1));
};
const isInteger = (literal: string) => /^-?\d+$/.test(literal);
const VALUES: Values = {
  kind: isString(KINDS),
  outcome: isString(OUTCOMES),
  // A query may pick out callers that sent no build or an unpublished one, never a build by id.
  client_build: isString(['', UNKNOWN_BUILD]),
  code: isInteger,
  api_level: isInteger,
};

/**
 * What is wrong with `sql` under `layout`: each `blobN` / `doubleN` must be
 * within the layout, and either aliased with the field's name at that position
 * (`blob1 AS version_id`, also as a function's last argument:
 * `if(..., blob3) AS client_build`), or compared with a value that field can
 * hold (`blob4 = 'close'`, `blob5 IN ('5xx', 'error')`), or, for the `count`
 * double, weighted by the sample interval (`_sample_interval * double2`).
 * Because the names come from the layout, a reordered layout makes the same
 * query wrong.
 */
function problems(sql: string, layout: Layout, dataset: string): string[] {
  const found: string[] = [];
  for (const m of sql.matchAll(/\b(blob|double)(\d+)\b/g)) {
    const [column, family, digits] = m as unknown as [string, 'blob' | 'double', string];
    const names = family === 'blob' ? layout.blobs : layout.doubles;
    const name = names[Number(digits) - 1];
    if (name === undefined) {
      found.push(`${column} is beyond the layout's ${names.length} ${family}s`);
      continue;
    }
    const before = sql.slice(0, m.index);
    const after = sql.slice(m.index + column.length);
    const alias = /^\)*\s+AS\s+(\w+)/i.exec(after);
    const comparison = /^\s*(=|!=|<>|NOT\s+IN|IN)\s*('[^']*'|\([^)]*\)|-?\d+(?:\.\d+)?)/i.exec(after);
    if (/_sample_interval\s*\*\s*$/.test(before)) {
      // A sample-corrected count weighs the count field, nothing else.
      if (name !== 'count') found.push(`_sample_interval * ${column}: ${column} is ${name}, not count`);
    } else if (alias) {
      if (alias[1] !== name) found.push(`${column} AS ${alias[1]}: ${column} is ${name}`);
    } else if (comparison) {
      const check = VALUES[name];
      const [, , operand = ''] = comparison;
      const literals = operand.startsWith('(')
        ? operand
            .slice(1, -1)
            .split(',')
            .map((s) => s.trim())
        : [operand];
      for (const literal of literals) {
        if (!check?.(literal)) found.push(`${column} (${name}) compared with ${literal}, which ${name} never holds`);
      }
    } else {
      found.push(`${column} (${name}) is used without its name: alias it AS ${name} or compare it with a value`);
    }
  }
  const sources = [...sql.matchAll(/\bFROM\s+([\w."`]+)/gi)].map((m) => m[1]);
  if (sources.length === 0) found.push('no FROM');
  for (const source of sources) if (source !== dataset) found.push(`reads FROM ${source}, not ${dataset}`);
  // Analytics Engine samples; a row stands for _sample_interval data points (SQL API docs, "Sampling").
  if (/\bcount\s*\(/i.test(sql)) found.push('count() ignores sampling: use SUM(_sample_interval * double2)');
  if (!/_sample_interval\s*\*\s*double\d+/.test(sql)) found.push('no sample-corrected count');
  return found;
}

const LAYOUT: Layout = { blobs: BLOBS, doubles: DOUBLES };

/** The dataset bound to TELEMETRY in wrangler.toml. */
function dataset(): string {
  const { rawConfig } = experimental_readRawConfig({ config: join(ROOT, 'wrangler.toml') });
  const sets = (rawConfig.analytics_engine_datasets ?? []) as { binding: string; dataset?: string }[];
  const telemetry = sets.find((s) => s.binding === 'TELEMETRY');
  assert.ok(telemetry?.dataset, 'wrangler.toml binds TELEMETRY to a named dataset');
  return telemetry.dataset;
}

type Target = { refId?: string; query?: string; rawSql?: string; datasource?: { type?: string; uid?: string } };
type Panel = {
  title?: string;
  type?: string;
  datasource?: { type?: string; uid?: string };
  targets?: Target[];
  panels?: Panel[];
};
type Dashboard = { __inputs?: { name: string; type: string; pluginId: string }[]; panels?: Panel[] };

const dashboard = JSON.parse(readFileSync(join(ROOT, 'docs/grafana/haru-study.json'), 'utf8')) as Dashboard;
const panels = (dashboard.panels ?? []).flatMap((p) => [p, ...(p.panels ?? [])]);
/** Each panel's queries, whatever field the plugin keeps the SQL in. */
const dashboardQueries = panels.flatMap((p) =>
  (p.targets ?? []).map((t) => ({
    where: `panel "${p.title}" ${t.refId}`,
    title: p.title,
    sql: t.query ?? t.rawSql ?? '',
  })),
);

/** Every ```sql block of the doc, with the `###` heading it sits under. */
const doc = readFileSync(join(ROOT, 'docs/telemetry-sql.md'), 'utf8');
const docQueries: { where: string; title: string | undefined; sql: string }[] = [];
{
  let heading: string | undefined;
  for (const m of doc.matchAll(/^### (.+)$|^```sql\n([\s\S]*?)^```$/gm)) {
    if (m[1] !== undefined) heading = m[1].trim();
    else docQueries.push({ where: `docs/telemetry-sql.md "${heading}"`, title: heading, sql: m[2] ?? '' });
  }
}
const queries = [...dashboardQueries, ...docQueries];

describe('Grafana dashboard and telemetry SQL', () => {
  it('have a query for every required panel, in the dashboard and in the doc', () => {
    for (const title of REQUIRED) {
      assert.ok(
        dashboardQueries.some((q) => q.title === title && q.sql.trim()),
        `dashboard panel "${title}" has a query`,
      );
      assert.ok(
        docQueries.some((q) => q.title === title && q.sql.trim()),
        `docs/telemetry-sql.md "### ${title}" has a sql block`,
      );
    }
  });

  // Each of these fails as soon as data-point.ts reorders or renames a field, or wrangler.toml renames the dataset.
  it('name every blob and double by its position in data-point.ts, compare fields only with values they hold, and read the TELEMETRY dataset sample-corrected', () => {
    const name = dataset();
    assert.ok(queries.length >= REQUIRED.length * 2);
    for (const q of queries) assert.deepEqual(problems(q.sql, LAYOUT, name), [], `${q.where}:\n${q.sql}`);
  });

  it('would fail under a reordered layout or another dataset (the checks are not vacuous)', () => {
    const name = dataset();
    const swapped = (names: readonly string[], i: number) =>
      names.map((n, k) => names[k === i ? i + 1 : k === i + 1 ? i : k] ?? n);
    // Every swap of two neighbouring blobs or doubles breaks some query, and every query breaks under some swap.
    const layouts: Layout[] = [
      ...BLOBS.slice(1).map((_, i) => ({ blobs: swapped(BLOBS, i), doubles: DOUBLES })),
      ...DOUBLES.slice(1).map((_, i) => ({ blobs: BLOBS, doubles: swapped(DOUBLES, i) })),
    ];
    const caught = new Set<string>();
    for (const layout of layouts) {
      const failing = queries.filter((q) => problems(q.sql, layout, name).length > 0);
      assert.ok(failing.length > 0, `no query notices ${JSON.stringify(layout)}`);
      for (const q of failing) caught.add(q.where);
    }
    for (const q of queries) {
      assert.ok(caught.has(q.where), `${q.where} passes under every reordered layout`);
      assert.notDeepEqual(problems(q.sql, LAYOUT, `${name}_renamed`), [], `${q.where} passes with another dataset`);
    }
  });

  it(`group by the ${INDEX} blob, never by index1`, () => {
    // index1 is the sampling key; the queries group by its blob copy, so the index may change without them.
    assert.ok(BLOBS.includes(INDEX), `a blob holds ${INDEX} too`);
    for (const q of queries) assert.doesNotMatch(q.sql, /\bindex\d+\b/, q.where);
  });

  it(`asks the importer for a ${PLUGIN_ID} data source and uses it in every panel and query`, () => {
    const inputs = dashboard.__inputs ?? [];
    assert.equal(inputs.length, 1);
    const [input] = inputs;
    assert.equal(input?.type, 'datasource');
    assert.equal(input?.pluginId, PLUGIN_ID);
    const ref = { type: PLUGIN_ID, uid: `\${${input?.name}}` };
    assert.ok(panels.length >= REQUIRED.length);
    for (const p of panels) {
      if (p.type === 'row') continue;
      assert.deepEqual(p.datasource, ref, `panel "${p.title}"`);
      for (const t of p.targets ?? []) assert.deepEqual(t.datasource, ref, `panel "${p.title}" ${t.refId}`);
    }
  });
});
