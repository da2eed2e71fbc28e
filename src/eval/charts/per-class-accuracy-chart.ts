/**
 * Per-class test accuracy against the class's training count on a log axis: the picture of a long-tail
 * problem, where accuracy falls with the count. Dashed rules mark the few/many thresholds of `shot-groups.ts`.
 */
import type { PerClassResult } from '../evaluate.js';
import { DEFAULT_SHOT_THRESHOLDS, shotGroupOf, type ShotGroup, type ShotThresholds } from '../shot-groups.js';
import { CHART_CONFIG, SHOT_GROUP_SCALE, VEGA_LITE_SCHEMA, type ChartSpec } from './chart-theme.js';

/** One point of the chart. */
export interface PerClassAccuracyPoint {
  readonly class: number;
  readonly name: string;
  readonly trainCount: number;
  readonly accuracy: number;
  readonly group: ShotGroup;
}

/**
 * The chart's data: classes with a defined accuracy and at least one training image (a log axis has no 0).
 */
export const perClassAccuracyPoints = (
  perClass: ReadonlyArray<Pick<PerClassResult, 'class' | 'name' | 'trainCount' | 'accuracy'>>,
  thresholds: ShotThresholds = DEFAULT_SHOT_THRESHOLDS,
): PerClassAccuracyPoint[] =>
  perClass.flatMap((c) =>
    c.accuracy === null || !(c.trainCount > 0)
      ? []
      : [{ class: c.class, name: c.name, trainCount: c.trainCount, accuracy: c.accuracy, group: shotGroupOf(c.trainCount, thresholds) }],
  );

/** Vega-Lite spec: accuracy (y, 0–100%) against training count (x, log scale), coloured by shot group. */
export const perClassAccuracyChart = (
  perClass: ReadonlyArray<Pick<PerClassResult, 'class' | 'name' | 'trainCount' | 'accuracy'>>,
  thresholds: ShotThresholds = DEFAULT_SHOT_THRESHOLDS,
  title = 'Per-class accuracy against training count',
): ChartSpec => {
  const points = perClassAccuracyPoints(perClass, thresholds);
  const counts = points.map((p) => p.trainCount);
  const lo = Math.min(...counts, thresholds.few);
  const hi = Math.max(...counts, thresholds.many);
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: { text: title, subtitle: 'each point is a class; dashed lines: few / many thresholds' },
    width: 420,
    height: 260,
    config: CHART_CONFIG,
    layer: [
      {
        data: { values: [{ threshold: thresholds.few, label: `few ${thresholds.fewInclusive ? '≤' : '<'} ${thresholds.few}` }, { threshold: thresholds.many, label: `many ${thresholds.manyInclusive ? '≥' : '>'} ${thresholds.many}` }] },
        mark: { type: 'rule', strokeDash: [4, 4], color: '#888' },
        encoding: { x: { field: 'threshold', type: 'quantitative' } },
      },
      {
        data: { values: points.map((p) => ({ ...p })) },
        mark: { type: 'point', filled: true, size: 70, opacity: 0.9 },
        encoding: {
          x: {
            field: 'trainCount',
            type: 'quantitative',
            title: 'training images of the class (log scale)',
            scale: { type: 'log', domain: [Math.max(1, lo / 1.5), hi * 1.5], nice: false },
            axis: { tickCount: 6, format: '~s' },
          },
          y: { field: 'accuracy', type: 'quantitative', title: 'test accuracy', scale: { domain: [0, 1] }, axis: { format: '%' } },
          color: { field: 'group', type: 'nominal', title: 'shot group', scale: SHOT_GROUP_SCALE },
          tooltip: [
            { field: 'class', type: 'ordinal' },
            { field: 'name', type: 'nominal' },
            { field: 'trainCount', type: 'quantitative', title: 'training images' },
            { field: 'accuracy', type: 'quantitative', format: '.1%' },
          ],
        },
      },
    ],
  };
};
