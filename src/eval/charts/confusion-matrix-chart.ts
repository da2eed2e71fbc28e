/**
 * The confusion matrix as a heat map: row = true class, column = predicted class, colour = the fraction of
 * the true class's test samples (row-normalized, so a tail class's row is as readable as a head class's).
 * Counts are written in the cells when there are at most `MAX_LABELLED_CLASSES` classes.
 */
import type { ConfusionMatrix } from '../confusion-matrix.js';
import { CHART_CONFIG, VEGA_LITE_SCHEMA, type ChartSpec } from './chart-theme.js';
import { classLabel } from './long-tail-profile-chart.js';

/** Above this many classes the cells carry no text. */
export const MAX_LABELLED_CLASSES = 20;

/** One cell of the heat map. */
export interface ConfusionCell {
  readonly true: string;
  readonly predicted: string;
  readonly count: number;
  /** count / (test samples of the true class); null for a class without test samples. */
  readonly fraction: number | null;
}

/** The cells, row by row. */
export const confusionCells = (m: ConfusionMatrix, classNames: readonly string[] = []): ConfusionCell[] => {
  const labels = m.map((_, c) => classLabel(c, classNames[c]));
  return m.flatMap((row, t) => {
    const total = row.reduce((s, v) => s + v, 0);
    return row.map((count, p) => ({ true: labels[t]!, predicted: labels[p]!, count, fraction: total === 0 ? null : count / total }));
  });
};

/** Vega-Lite spec: a C×C grid of rects coloured by row-normalized fraction. */
export const confusionMatrixChart = (m: ConfusionMatrix, classNames: readonly string[] = [], title = 'Confusion matrix'): ChartSpec => {
  const cells = confusionCells(m, classNames);
  const labels = m.map((_, c) => classLabel(c, classNames[c]));
  const side = Math.max(200, Math.min(520, 26 * m.length));
  const rect = {
    mark: { type: 'rect' as const, stroke: 'white', strokeWidth: m.length > 40 ? 0 : 0.5 },
    encoding: {
      color: {
        field: 'fraction',
        type: 'quantitative' as const,
        title: 'share of row',
        scale: { scheme: 'blues', domain: [0, 1] },
        legend: { format: '%' },
      },
      tooltip: [
        { field: 'true', type: 'nominal' as const, title: 'true class' },
        { field: 'predicted', type: 'nominal' as const, title: 'predicted' },
        { field: 'count', type: 'quantitative' as const },
        { field: 'fraction', type: 'quantitative' as const, format: '.1%', title: 'share' },
      ],
    },
  };
  const text = {
    mark: { type: 'text' as const, fontSize: 10 },
    encoding: {
      text: { field: 'count', type: 'quantitative' as const },
      color: { condition: { test: 'datum.fraction > 0.5', value: 'white' }, value: '#222' },
    },
  };
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: title, subtitle: 'row: true class, column: predicted class; colour: share of the row' },
    width: side,
    height: side,
    config: CHART_CONFIG,
    data: { values: cells.map((c) => ({ ...c })) },
    encoding: {
      x: { field: 'predicted', type: 'ordinal', sort: labels, title: 'predicted class', axis: { labelAngle: m.length > 12 || labels.some((l) => l.length > 3) ? -45 : 0, orient: 'bottom' } },
      y: { field: 'true', type: 'ordinal', sort: labels, title: 'true class' },
    },
    layer: m.length <= MAX_LABELLED_CLASSES ? [rect, text] : [rect],
  };
};
