/**
 * The reliability diagram (Guo et al., "On Calibration of Modern Neural Networks", ICML 2017, Fig. 1):
 * the accuracy of each equal-width confidence bin as a bar over the bin, against the diagonal of perfect
 * calibration; bars below the diagonal mean over-confidence. Under it, how many predictions fall in each
 * bin, since a bar of three predictions says little.
 */
import type { ReliabilityBin } from '../reliability-table.js';
import { CHART_CONFIG, VEGA_LITE_SCHEMA, type ChartSpec } from './chart-theme.js';

/** One bin as the chart draws it (empty bins are left out of the accuracy bars). */
export interface ReliabilityBar {
  readonly lower: number;
  readonly upper: number;
  readonly count: number;
  readonly accuracy: number | null;
  readonly meanConfidence: number | null;
  /** accuracy − mean confidence (negative: over-confident); null for an empty bin. */
  readonly gap: number | null;
}

/** The bars of a reliability table. */
export const reliabilityBars = (table: ReadonlyArray<ReliabilityBin>): ReliabilityBar[] =>
  table.map((b) => ({
    lower: b.lower,
    upper: b.upper,
    count: b.count,
    accuracy: b.accuracy,
    meanConfidence: b.meanConfidence,
    gap: b.accuracy === null || b.meanConfidence === null ? null : b.accuracy - b.meanConfidence,
  }));

/** Vega-Lite spec: accuracy bars per bin with the diagonal, above a histogram of bin counts. */
export const reliabilityDiagramChart = (table: ReadonlyArray<ReliabilityBin>, ece: number | null, title = 'Reliability diagram'): ChartSpec => {
  const bars = reliabilityBars(table).map((b) => ({ ...b }));
  const filled = bars.filter((b) => b.count > 0);
  const x = { field: 'lower', type: 'quantitative' as const, scale: { domain: [0, 1] }, title: 'confidence (max softmax probability)', axis: { format: '.1f' } };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: title, subtitle: `${table.length} equal-width bins${ece === null ? '' : `; ECE ${(100 * ece).toFixed(2)}%`}; dashed: perfect calibration` },
    config: CHART_CONFIG,
    vconcat: [
      {
        width: 300,
        height: 260,
        layer: [
          {
            data: { values: filled },
            mark: { type: 'rect', color: '#4c78a8', stroke: 'white', strokeWidth: 0.5 },
            encoding: {
              x: { ...x, title: null },
              x2: { field: 'upper' },
              y: { field: 'accuracy', type: 'quantitative', title: 'accuracy in the bin', scale: { domain: [0, 1] }, axis: { format: '%' } },
              y2: { datum: 0 },
              tooltip: [
                { field: 'lower', type: 'quantitative', format: '.3f', title: 'from' },
                { field: 'upper', type: 'quantitative', format: '.3f', title: 'to' },
                { field: 'count', type: 'quantitative' },
                { field: 'accuracy', type: 'quantitative', format: '.1%' },
                { field: 'meanConfidence', type: 'quantitative', format: '.1%', title: 'mean confidence' },
                { field: 'gap', type: 'quantitative', format: '+.1%' },
              ],
            },
          },
          {
            data: { values: [{ lower: 0, accuracy: 0 }, { lower: 1, accuracy: 1 }] },
            mark: { type: 'line', color: '#e45756', strokeDash: [5, 4] },
            encoding: { x: { ...x, title: null }, y: { field: 'accuracy', type: 'quantitative' } },
          },
        ],
      },
      {
        width: 300,
        height: 70,
        data: { values: bars },
        mark: { type: 'rect', color: '#9ecae9', stroke: 'white', strokeWidth: 0.5 },
        encoding: {
          x,
          x2: { field: 'upper' },
          y: { field: 'count', type: 'quantitative', title: 'predictions' },
          y2: { datum: 0 },
          tooltip: [{ field: 'count', type: 'quantitative' }],
        },
      },
    ],
  };
};
