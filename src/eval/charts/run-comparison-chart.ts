/**
 * The run comparison drawn as a table (one row per run, one column per metric), so it renders to SVG and
 * PNG like the other charts: each cell shows the value in percent and its delta against the `ce` baseline,
 * tinted green when it improves on the baseline and red when it is worse.
 */
import { CHART_CONFIG, VEGA_LITE_SCHEMA, type ChartSpec } from './chart-theme.js';
import { COMPARISON_METRIC_INFO, formatDelta, formatPoints, type RunComparison } from './run-comparison.js';

/** One cell as the chart draws it. */
export interface ComparisonChartCell {
  readonly run: string;
  readonly metric: string;
  readonly text: string;
  /** Signed improvement over the baseline in points (positive = better), 0 without one. */
  readonly improvement: number;
}

/** The cells of the table, row by row. */
export const comparisonChartCells = (c: RunComparison): ComparisonChartCell[] =>
  c.rows.flatMap((row) =>
    c.metrics.map((m) => {
      const cell = row.cells[m];
      const delta = formatDelta(cell.delta);
      const sign = COMPARISON_METRIC_INFO[m].higherIsBetter ? 1 : -1;
      return {
        run: row.isBaseline ? `${row.name} (baseline)` : row.name,
        metric: COMPARISON_METRIC_INFO[m].label,
        text: delta === '' ? formatPoints(cell.value) : `${formatPoints(cell.value)} (${delta})`,
        improvement: cell.delta === null ? 0 : 100 * sign * cell.delta,
      };
    }),
  );

/** Vega-Lite spec: the comparison as a grid of text cells over tinted rects. */
export const runComparisonChart = (c: RunComparison, title = 'Runs compared'): ChartSpec => {
  const cells = comparisonChartCells(c);
  const runs = c.rows.map((r) => (r.isBaseline ? `${r.name} (baseline)` : r.name));
  const columns = c.metrics.map((m) => COMPARISON_METRIC_INFO[m].label);
  const span = Math.max(1, ...cells.map((x) => Math.abs(x.improvement)));
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: title,
      subtitle: c.baseline === null ? 'percent; no ce run to compare against' : `percent; in brackets: points against ${c.baseline} (ECE: lower is better)`,
    },
    width: 104 * Math.max(1, columns.length),
    height: 28 * Math.max(1, runs.length),
    config: { ...CHART_CONFIG, axis: { ...CHART_CONFIG.axis, domain: false, ticks: false, grid: false } },
    data: { values: cells.map((x) => ({ ...x })) },
    encoding: {
      x: { field: 'metric', type: 'ordinal', sort: columns, title: null, axis: { orient: 'top', labelAngle: 0 } },
      y: { field: 'run', type: 'ordinal', sort: runs, title: null },
    },
    layer: [
      {
        mark: { type: 'rect', stroke: 'white', strokeWidth: 2 },
        encoding: {
          color: { field: 'improvement', type: 'quantitative', scale: { domain: [-span, 0, span], range: ['#f4a6a6', '#f4f4f4', '#9fd8a4'] }, legend: null },
        },
      },
      { mark: { type: 'text', fontSize: 11, color: '#222' }, encoding: { text: { field: 'text', type: 'nominal' } } },
    ],
  };
};
