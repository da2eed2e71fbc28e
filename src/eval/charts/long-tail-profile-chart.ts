/**
 * The long-tail profile: training images per class, most frequent first, coloured by shot group (the
 * "number of training samples against sorted class index" view of Cui et al., "Class-Balanced Loss Based on
 * Effective Number of Samples", CVPR 2019, Fig. 1). The subtitle gives the imbalance ratio n_max / n_min.
 */
import { DEFAULT_SHOT_THRESHOLDS, shotGroupOf, type ShotGroup, type ShotThresholds } from '../shot-groups.js';
import { CHART_CONFIG, SHOT_GROUP_SCALE, VEGA_LITE_SCHEMA, type ChartSpec } from './chart-theme.js';

/** One bar of the profile. */
export interface LongTailProfileBar {
  readonly class: number;
  readonly name: string;
  /** "3 cat" (or "3" when the class has no other name): unique, so classes with equal names stay apart. */
  readonly label: string;
  readonly trainCount: number;
  /** Position from the most frequent class (0). */
  readonly rank: number;
  readonly group: ShotGroup;
}

/** A class's axis label: its index, then its name when it has one. */
export const classLabel = (c: number, name: string | undefined): string => (name === undefined || name === String(c) || name === '' ? String(c) : `${c} ${name}`);

/** The bars, sorted by training count (descending; ties by class index). */
export const longTailProfileBars = (
  trainCounts: readonly number[],
  classNames: readonly string[] = [],
  thresholds: ShotThresholds = DEFAULT_SHOT_THRESHOLDS,
): LongTailProfileBar[] =>
  trainCounts
    .map((n, c) => ({ c, n }))
    .sort((a, b) => b.n - a.n || a.c - b.c)
    .map(({ c, n }, rank) => ({
      class: c,
      name: classNames[c] ?? String(c),
      label: classLabel(c, classNames[c]),
      trainCount: n,
      rank,
      group: shotGroupOf(n, thresholds),
    }));

/** n_max / n_min over classes with at least one image (null when there is none). */
export const imbalanceRatio = (trainCounts: readonly number[]): number | null => {
  const positive = trainCounts.filter((n) => n > 0);
  return positive.length === 0 ? null : Math.max(...positive) / Math.min(...positive);
};

/** Vega-Lite spec: one bar per class (x, by rank), height = training images. */
export const longTailProfileChart = (
  trainCounts: readonly number[],
  classNames: readonly string[] = [],
  thresholds: ShotThresholds = DEFAULT_SHOT_THRESHOLDS,
  title = 'Long-tail profile of the training set',
): ChartSpec => {
  const bars = longTailProfileBars(trainCounts, classNames, thresholds);
  const ratio = imbalanceRatio(trainCounts);
  const total = trainCounts.reduce((s, n) => s + n, 0);
  return {
    $schema: VEGA_LITE_SCHEMA,
    title: {
      text: title,
      subtitle: `${trainCounts.length} classes, ${total} images${ratio === null ? '' : `, imbalance ratio ${ratio.toFixed(ratio < 10 ? 1 : 0)}`}`,
    },
    width: Math.max(240, Math.min(720, 24 * bars.length)),
    height: 220,
    config: CHART_CONFIG,
    data: { values: bars.map((b) => ({ ...b })) },
    mark: { type: 'bar' },
    encoding: {
      x: {
        field: 'label',
        type: 'ordinal',
        title: 'class (most frequent first)',
        sort: bars.map((b) => b.label),
        axis: { labelAngle: bars.length > 12 || bars.some((b) => b.label.length > 3) ? -45 : 0, labelOverlap: bars.length > 30 },
      },
      y: { field: 'trainCount', type: 'quantitative', title: 'training images' },
      color: { field: 'group', type: 'nominal', title: 'shot group', scale: SHOT_GROUP_SCALE },
      tooltip: [
        { field: 'label', type: 'nominal', title: 'class' },
        { field: 'trainCount', type: 'quantitative', title: 'training images' },
        { field: 'group', type: 'nominal', title: 'shot group' },
      ],
    },
  };
};
