/**
 * The `/ops` page: server-rendered HTML with inline SVG line charts, so it
 * needs no client script (the CSP allows none inline) and no chart library.
 */
import { html } from 'hono/html';
import type { HtmlEscapedString } from 'hono/utils/html';
import {
  counted,
  type LevelVerdict,
  type OpsSummary,
  type Series,
  type Verdict,
  type VersionOutcomes,
  versionLabel,
} from './summary.ts';

const WIDTH = 720;
const HEIGHT = 220;
const PAD = { left: 48, right: 16, top: 12, bottom: 28 };
/** Distinct on white and for common colour blindness (Okabe-Ito); dashes tell more series apart. */
const COLORS = ['#0072B2', '#D55E00', '#009E73', '#CC79A7', '#E69F00', '#56B4E9', '#000000', '#F0E442'];
const DASHES = ['', '6 3', '2 3'];

type Html = HtmlEscapedString | Promise<HtmlEscapedString>;

/** HH:MM in UTC, the clock operators compare against Cloudflare's dashboards. */
function clock(time: number): string {
  return new Date(time).toISOString().slice(11, 16);
}

/** One line chart: a polyline per series, axes with labels, and a legend. */
export function lineChart(title: string, minutes: number[], series: Series[]): Html {
  const plotW = WIDTH - PAD.left - PAD.right;
  const plotH = HEIGHT - PAD.top - PAD.bottom;
  const max = Math.max(1, ...series.flatMap((s) => s.counts));
  const x = (i: number) => PAD.left + (minutes.length > 1 ? (i / (minutes.length - 1)) * plotW : plotW / 2);
  const y = (n: number) => PAD.top + plotH - (n / max) * plotH;
  const ticks = [...new Set([0, Math.floor((minutes.length - 1) / 2), minutes.length - 1])];
  const style = (i: number) => ({
    color: COLORS[i % COLORS.length] ?? '#000',
    dash: DASHES[Math.floor(i / COLORS.length) % DASHES.length] ?? '',
  });
  return html`<figure>
<figcaption>${title}</figcaption>
<svg xmlns="http://www.w3.org/2000/svg" viewBox="0 0 ${WIDTH} ${HEIGHT}" width="${WIDTH}" height="${HEIGHT}" role="img" aria-label="${title}">
<line x1="${PAD.left}" y1="${PAD.top + plotH}" x2="${PAD.left + plotW}" y2="${PAD.top + plotH}" stroke="#555" />
<line x1="${PAD.left}" y1="${PAD.top}" x2="${PAD.left}" y2="${PAD.top + plotH}" stroke="#555" />
<text x="${PAD.left - 6}" y="${PAD.top + plotH}" text-anchor="end" font-size="11">0</text>
<text x="${PAD.left - 6}" y="${PAD.top + 10}" text-anchor="end" font-size="11">${max}</text>
<text x="12" y="${PAD.top + plotH / 2}" font-size="11" transform="rotate(-90 12 ${PAD.top + plotH / 2})" text-anchor="middle">requests/min</text>
${ticks.map((i) => {
  // The end labels stay inside the chart.
  const anchor = i === 0 ? 'start' : i === minutes.length - 1 ? 'end' : 'middle';
  return html`<text x="${x(i)}" y="${HEIGHT - 8}" text-anchor="${anchor}" font-size="11">${clock(minutes[i] ?? 0)} UTC</text>`;
})}
${series.length === 0 ? html`<text x="${PAD.left + plotW / 2}" y="${PAD.top + plotH / 2}" text-anchor="middle" font-size="13">No traffic in this window</text>` : ''}
${series.map((s, i) => {
  const points = s.counts.map((n, j) => `${x(j).toFixed(1)},${y(n).toFixed(1)}`).join(' ');
  const { color, dash } = style(i);
  return html`<polyline data-series="${s.name}" points="${points}" fill="none" stroke="${color}" stroke-width="2" stroke-dasharray="${dash}"><title>${s.label}: ${s.total}</title></polyline>`;
})}
</svg>
<ul class="legend">
${series.map((s, i) => {
  const { color, dash } = style(i);
  return html`<li><svg width="24" height="10" aria-hidden="true"><line x1="0" y1="5" x2="24" y2="5" stroke="${color}" stroke-width="3" stroke-dasharray="${dash}" /></svg> ${s.label} (${s.total})</li>`;
})}
</ul>
</figure>`;
}

function verdictRow(v: Verdict): Html {
  return html`<tr>
<td>${versionLabel(v.version, v.tag)}${v.current ? ' (current)' : ''}</td>
<td>${v.build}</td>
<td>${clock(v.firstSeen)} - ${clock(v.lastSeen)}</td>
<td>${v.studiesInProgress.solo} solo, ${v.studiesInProgress.group} group</td>
<td><strong>${v.safeToRetire ? 'safe to retire' : 'not yet'}</strong></td>
<td><ul>${v.reasons.map((r) => html`<li>${r}</li>`)}</ul></td>
</tr>`;
}

function levelRow(l: LevelVerdict): Html {
  return html`<tr>
<td>${l.apiLevel}</td>
<td>${l.builds.join(', ') || 'none published'}</td>
<td>${l.recentRequests}</td>
<td>${l.studiesFromBefore.solo} solo, ${l.studiesFromBefore.group} group</td>
<td><strong>${l.safeToRetire ? 'safe to retire' : 'not yet'}</strong></td>
<td><ul>${l.reasons.map((r) => html`<li>${r}</li>`)}</ul></td>
</tr>`;
}

/** A share as a percentage with two decimals; a dash with nothing to divide. */
function percent(rate: number | null): string {
  return rate === null ? '-' : `${(rate * 100).toFixed(2)} %`;
}

/** `404: 3, 429: 1`: the counts of a record, largest first. */
function counts(record: Record<string, number>): string {
  return (
    Object.entries(record)
      .sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))
      .map(([key, n]) => `${key}: ${n}`)
      .join(', ') || '-'
  );
}

function outcomeRow(v: VersionOutcomes): Html {
  return html`<tr data-version="${v.version}">
<td>${versionLabel(v.version, v.tag)}${v.current ? ' (current)' : ''}</td>
<td>${v.answers}</td>
<td>${counts(v.families)}</td>
<td>${counts(Object.fromEntries(Object.entries(v.statuses).filter(([status]) => Number(status) >= 400)))}</td>
<td><strong>${percent(v.errorRate)}</strong> (${v.serverErrors})</td>
<td>${v.closes}</td>
<td>${counts(v.closeCodes)}</td>
</tr>`;
}

// No favicon request (it would 404): the same empty icon as the app's page.
const HEAD = (extra: Html | string = '') =>
  html`<head><meta charset="utf-8" /><meta name="viewport" content="width=device-width, initial-scale=1" /><link rel="icon" href="data:," />${extra}<title>Haru Study operations</title></head>`;

/** The sign-in form a browser gets instead of the view (`error`: why the last try failed). */
export function loginPage(error?: string): Html {
  return html`<!doctype html>
<html lang="en">
${HEAD()}
<body>
<main>
<h1>Haru Study operations</h1>
${error ? html`<p role="alert"><strong>${error}</strong></p>` : ''}
<form method="post" action="/ops/login">
<p><label for="token">Operator token</label><br /><input id="token" name="token" type="password" autocomplete="current-password" required size="40" /></p>
<p><button type="submit">Sign in</button></p>
</form>
<p>The token is the worker's <code>OPS_TOKEN</code> secret; locally, <code>npm start</code> wrote it to <code>.dev.vars</code>. Signing in sets a cookie for <code>/ops</code> that lasts 8 hours and ends when the token changes. Scripts send <code>Authorization: Bearer &lt;token&gt;</code> instead.</p>
</main>
</body>
</html>`;
}

/** Rooms whose writes to D1 are not getting through: the first thing to look at when learners say an answer is missing. */
function stuckSection(o: OpsSummary['stuckOutboxes']): Html {
  const asked = `Asked the rooms of ${counted(o.asked, 'group study', 'group studies')} in progress${o.unanswered > 0 ? ` (${o.unanswered} did not answer)` : ''}.`;
  if (o.rooms.length === 0) return html`<h2>Room writes waiting for D1</h2><p>None older than a minute. ${asked}</p>`;
  return html`<h2>Room writes waiting for D1</h2>
<p>${counted(o.rooms.length, 'room')} with writes waiting longer than a minute: D1 keeps failing for them, or their wake-up was lost. ${asked}</p>
<table>
<thead><tr><th>study</th><th>writes owed</th><th>oldest waiting</th></tr></thead>
<tbody>${o.rooms.map((r) => html`<tr><td>${r.studyId}</td><td>${r.owed}</td><td>${Math.round(r.oldestAgeMs / 1000)} s</td></tr>`)}</tbody>
</table>`;
}

/** Writes D1 refused for good: none is the normal case, so a count is shown only when there is one. */
function setAsideSection(w: OpsSummary['setAsideWrites']): Html {
  if (w.total === 0)
    return html`<h2>Set-aside room writes</h2><p>None: every room write reached D1 or is still being retried.</p>`;
  return html`<h2>Set-aside room writes</h2>
<p>${counted(w.total, 'room write')} refused by D1 for good (a constraint), kept in the rooms and in <code>room_write_set_aside</code> for a repair by hand.</p>
<table>
<thead><tr><th>study</th><th>writes</th><th>oldest (UTC)</th></tr></thead>
<tbody>${w.rooms.map((r) => html`<tr><td>${r.studyId}</td><td>${r.count}</td><td>${new Date(r.oldest).toISOString()}</td></tr>`)}</tbody>
</table>`;
}

/** The whole page; with `refresh`, it reloads itself every that many seconds (a meta refresh: it runs no script). */
export function opsPage(s: OpsSummary, refresh: number | null): Html {
  const windows = `minutes=${s.window.minutes}&quiet=${s.quietMinutes}&errors=${s.errors.minutes}`;
  const here = `/ops?${windows}`;
  return html`<!doctype html>
<html lang="en">
${HEAD(refresh === null ? '' : html`<meta http-equiv="refresh" content="${refresh}" />`)}
<body>
<main>
<h1>Haru Study operations</h1>
<form method="post" action="/ops/logout"><button type="submit">Sign out</button></form>
<p>Answered by worker version <strong>${versionLabel(s.currentVersion, s.verdicts.find((v) => v.current)?.tag ?? '')}</strong> at ${new Date(s.now).toISOString()}. Last ${counted(s.window.minutes, 'minute')}; <a href="/ops/api/summary?${windows}">as JSON</a>.
${refresh === null ? html`<a href="${here}&amp;refresh=60">Reload every minute</a>` : html`Reloads every ${counted(refresh, 'second')}; <a href="${here}">stop reloading</a>`}.</p>
${lineChart('Requests per minute by worker version', s.minutes, s.workerVersions)}
${lineChart('Requests per minute by client build', s.minutes, s.clientBuilds)}
<h2>Error rates (last ${counted(s.errors.minutes, 'minute')})</h2>
<p>Per worker version, side by side: API answers by status family, client errors by status, the share of 5xx answers, and room sockets closed by close code (1011 is a server error; 4xxx are this app's own refusals).</p>
<table>
<thead><tr><th>worker version</th><th>answers</th><th>by family</th><th>4xx/5xx by status</th><th>5xx rate</th><th>sockets closed</th><th>by close code</th></tr></thead>
<tbody>${s.errors.versions.length === 0 ? html`<tr><td colspan="7">No answers in this window.</td></tr>` : s.errors.versions.map(outcomeRow)}</tbody>
</table>
<h2>In progress</h2>
<p>${counted(s.inProgress.solo, 'solo study', 'solo studies')} and ${counted(s.inProgress.group, 'group room')}. Per version below is approximate: ${s.inProgress.attribution}</p>
<h2>Retire verdicts (quiet window: ${counted(s.quietMinutes, 'minute')})</h2>
<table>
<thead><tr><th>worker version</th><th>client build</th><th>served (UTC)</th><th>studies in progress</th><th>verdict</th><th>reasons</th></tr></thead>
<tbody>${s.verdicts.length === 0 ? html`<tr><td colspan="6">No telemetry written yet.</td></tr>` : s.verdicts.map(verdictRow)}</tbody>
</table>
<h2>Old API levels</h2>
<p>Versions released before telemetry existed left no verdict of their own: whether their clients are gone is judged from what the versions above see.</p>
<table>
<thead><tr><th>API level</th><th>published builds</th><th>requests in the quiet window</th><th>studies from before telemetry</th><th>verdict</th><th>reasons</th></tr></thead>
<tbody>${s.levels.length === 0 ? html`<tr><td colspan="6">None below the current level.</td></tr>` : s.levels.map(levelRow)}</tbody>
</table>
${stuckSection(s.stuckOutboxes)}
${setAsideSection(s.setAsideWrites)}
</main>
</body>
</html>`;
}
