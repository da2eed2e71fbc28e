/**
 * report.html as a pure function of what it shows: one self-contained page (inline CSS and SVG, no script,
 * no external resource) that opens offline in any browser.
 */
import { COMPARISON_METRIC_INFO, formatDelta, formatPoints, type RunComparison } from '../charts/run-comparison.js';
import { formatPercent } from '../format-report.js';
import { describeThresholds } from '../shot-groups.js';
import type { RunData } from './read-run.js';

/** A chart in the page: its SVG markup, or a note saying why it is missing. */
export interface PageChart {
  readonly id: string;
  readonly title: string;
  readonly svg: string | null;
  readonly note: string | null;
  /** File name of the chart's PNG next to report.html, when one was written. */
  readonly png: string | null;
}

/** A run's section. */
export interface PageRun {
  readonly run: RunData;
  readonly charts: readonly PageChart[];
}

/** Everything the page shows. */
export interface ReportPage {
  readonly title: string;
  readonly runs: readonly PageRun[];
  /** The comparison table (two runs or more). */
  readonly comparison: RunComparison | null;
  /** The comparison chart's PNG file name, when one was written. */
  readonly comparisonPng: string | null;
}

/** Escapes text for HTML element content and attribute values. */
export const escapeHtml = (s: string): string =>
  s.replace(/[&<>"']/g, (c) => ({ '&': '&amp;', '<': '&lt;', '>': '&gt;', '"': '&quot;', "'": '&#39;' })[c]!);

const CSS = `
:root { color-scheme: light; }
* { box-sizing: border-box; }
body { margin: 0; font: 15px/1.45 "DejaVu Sans", "Liberation Sans", Helvetica, Arial, sans-serif; color: #1d1d1f; background: #f6f7f9; }
header { background: #1f2a44; color: #fff; padding: 20px 32px; }
header h1 { margin: 0 0 4px; font-size: 22px; }
header p { margin: 0; color: #c9d1e3; font-size: 13px; }
main { padding: 8px 32px 40px; max-width: 1500px; }
section.run, section.comparison { background: #fff; border: 1px solid #e3e6eb; border-radius: 8px; padding: 16px 20px; margin: 20px 0; }
h2 { font-size: 19px; margin: 0 0 4px; }
p.meta { margin: 0 0 12px; color: #555; font-size: 13px; }
.cards { display: flex; flex-wrap: wrap; gap: 10px; margin: 8px 0 16px; }
.card { border: 1px solid #e3e6eb; border-radius: 6px; padding: 8px 12px; min-width: 112px; }
.card .label { font-size: 12px; color: #666; }
.card .value { font-size: 20px; font-weight: 600; }
.charts { display: flex; flex-wrap: wrap; gap: 18px; align-items: flex-start; }
figure { margin: 0; padding: 8px; border: 1px solid #eef0f3; border-radius: 6px; max-width: 100%; overflow-x: auto; }
figure svg { display: block; max-width: 100%; height: auto; }
figcaption { font-size: 12px; color: #666; margin-top: 4px; }
figure.missing { color: #777; font-size: 13px; padding: 16px; min-width: 260px; background: #fafafa; }
table { border-collapse: collapse; font-size: 13px; }
th, td { padding: 4px 10px; border-bottom: 1px solid #eceef2; text-align: right; white-space: nowrap; }
th:first-child, td:first-child { text-align: left; }
thead th { background: #f3f5f8; }
td.better { background: #e3f4e5; }
td.worse { background: #fbe6e6; }
.delta { color: #555; font-size: 12px; margin-left: 4px; }
details { margin-top: 14px; }
summary { cursor: pointer; color: #1f4f99; }
a { color: #1f4f99; }
`;

const card = (label: string, value: string) =>
  `<div class="card"><div class="label">${escapeHtml(label)}</div><div class="value">${escapeHtml(value)}</div></div>`;

const runMeta = (run: RunData): string => {
  const c = run.config;
  const m = run.metrics;
  const parts = [
    c?.recipe ? `recipe ${c.recipe}` : null,
    `dataset ${m.dataset}`,
    c?.ratio !== undefined ? `ratio ${c.ratio}` : null,
    c?.model ? `model ${c.model}` : null,
    c?.loss ? `loss ${c.loss}` : null,
    c?.sampler ? `sampler ${c.sampler}` : null,
    `${m.epochs} epochs`,
    `seed ${m.seed}`,
    run.status === null ? null : `status ${run.status}`,
  ].filter((p): p is string => p !== null);
  return parts.join(' · ');
};

const perClassTable = (run: RunData): string => {
  const rows = run.metrics.perClass
    .map(
      (c) =>
        `<tr><td>${escapeHtml(c.name === String(c.class) ? String(c.class) : `${c.class} ${c.name}`)}</td><td>${c.trainCount}</td><td>${c.testCount}</td>` +
        `<td>${formatPercent(c.accuracy)}</td><td>${formatPercent(c.precision ?? null)}</td><td>${formatPercent(c.f1 ?? null)}</td></tr>`,
    )
    .join('\n');
  return `<details><summary>Per-class table (${run.metrics.perClass.length} classes)</summary>
<table><thead><tr><th>class</th><th>train</th><th>test</th><th>accuracy</th><th>precision</th><th>F1</th></tr></thead>
<tbody>
${rows}
</tbody></table></details>`;
};

const chartFigure = (chart: PageChart): string => {
  if (chart.svg === null) {
    return `<figure class="missing" id="${escapeHtml(chart.id)}"><strong>${escapeHtml(chart.title)}</strong><br>${escapeHtml(chart.note ?? 'Not available.')}</figure>`;
  }
  const png = chart.png === null ? '' : ` · <a href="${escapeHtml(chart.png)}">PNG</a>`;
  return `<figure id="${escapeHtml(chart.id)}" data-chart="${escapeHtml(chart.id)}">
${chart.svg}
<figcaption>${escapeHtml(chart.title)}${png}</figcaption>
</figure>`;
};

const runSection = ({ run, charts }: PageRun, index: number): string => {
  const m = run.metrics;
  const g = m.shotGroups;
  const cards = [
    card('accuracy', formatPercent(m.overallAccuracy)),
    card('balanced accuracy', formatPercent(m.balancedAccuracy)),
    card(`many-shot (${g.many.classes.length})`, formatPercent(g.many.accuracy)),
    card(`medium-shot (${g.medium.classes.length})`, formatPercent(g.medium.accuracy)),
    card(`few-shot (${g.few.classes.length})`, formatPercent(g.few.accuracy)),
    ...(m.macroF1 === undefined ? [] : [card('macro-F1', formatPercent(m.macroF1))]),
    ...(m.macroPrecision === undefined ? [] : [card('macro precision', formatPercent(m.macroPrecision))]),
    ...(m.top5 === undefined || m.top5 === null ? [] : [card('top-5 accuracy', formatPercent(m.top5))]),
    ...(m.ece === undefined || m.ece === null ? [] : [card('ECE', formatPercent(m.ece))]),
  ].join('');
  return `<section class="run" id="run-${index + 1}">
<h2>${escapeHtml(run.name)}</h2>
<p class="meta">${escapeHtml(runMeta(run))}<br>${escapeHtml(run.dir)} · groups: ${escapeHtml(describeThresholds(m.shotThresholds))}</p>
<div class="cards">${cards}</div>
<div class="charts">
${charts.map(chartFigure).join('\n')}
</div>
${perClassTable(run)}
</section>`;
};

const comparisonSection = (c: RunComparison, png: string | null): string => {
  const head = c.metrics.map((m) => `<th>${escapeHtml(COMPARISON_METRIC_INFO[m].label)}</th>`).join('');
  const body = c.rows
    .map((row) => {
      const cells = c.metrics
        .map((m) => {
          const cell = row.cells[m];
          const cls = cell.better === null ? '' : cell.better ? ' class="better"' : ' class="worse"';
          const delta = formatDelta(cell.delta);
          return `<td${cls}>${formatPoints(cell.value)}${delta === '' ? '' : `<span class="delta">${delta}</span>`}</td>`;
        })
        .join('');
      const name = `${escapeHtml(row.name)}${row.recipe !== null && row.recipe !== row.name ? ` <span class="delta">(${escapeHtml(row.recipe)})</span>` : ''}${row.isBaseline ? ' <span class="delta">baseline</span>' : ''}`;
      return `<tr><td>${name}</td>${cells}</tr>`;
    })
    .join('\n');
  const note =
    c.baseline === null
      ? 'No run has recipe or name <code>ce</code>, so there are no deltas.'
      : `Percent; the small numbers are percentage points against <strong>${escapeHtml(c.baseline)}</strong> (green: better, red: worse; ECE is better lower).`;
  return `<section class="comparison" id="comparison">
<h2>Runs compared</h2>
<p class="meta">${note}${png === null ? '' : ` · <a href="${escapeHtml(png)}">PNG</a>`}</p>
<table><thead><tr><th>run</th>${head}</tr></thead>
<tbody>
${body}
</tbody></table>
</section>`;
};

/** The complete report.html. */
export const reportHtml = (page: ReportPage): string => `<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta http-equiv="Content-Security-Policy" content="default-src 'none'; style-src 'unsafe-inline'; img-src data:">
<title>${escapeHtml(page.title)}</title>
<style>${CSS}</style>
</head>
<body>
<header>
<h1>${escapeHtml(page.title)}</h1>
<p>${page.runs.length} run${page.runs.length === 1 ? '' : 's'} · written by tailstream report · self-contained: opens offline</p>
</header>
<main>
${page.comparison === null ? '' : comparisonSection(page.comparison, page.comparisonPng)}
${page.runs.map(runSection).join('\n')}
</main>
</body>
</html>
`;
