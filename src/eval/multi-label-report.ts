/**
 * What a multi-label run reports (Wu et al., "Distribution-Balanced Loss for Multi-Label
 * Classification in Long-Tailed Datasets", ECCV 2020, Tables 1–2): mAP over classes, each class's
 * average precision beside its training positive count, and mAP within many/medium/few-shot groups
 * of classes (grouped by training positives, with the single-label thresholds).
 */
import { positiveCounts } from '../core/class-counts.js';
import { meanAveragePrecision } from './mean-average-precision.js';
import { shotGroupMeanAveragePrecision, type ShotGroupMeanAveragePrecision } from './shot-group-mean-average-precision.js';
import type { ShotGroup, ShotThresholds } from './shot-groups.js';

/** Multi-label metrics of a run. */
export interface MultiLabelReport {
  readonly mAP: number | null;
  /** Per class: AP (null without a test positive), training and test positives. */
  readonly perClass: ReadonlyArray<{ readonly class: number; readonly ap: number | null; readonly trainPositives: number; readonly testPositives: number }>;
  readonly shotGroups: Readonly<Record<ShotGroup, ShotGroupMeanAveragePrecision>>;
}

/**
 * Multi-label metrics from [N, C] row-major scores (any per-class monotone score: logits or
 * sigmoids rank the same) and [N, C] multi-hot targets.
 */
export const evaluateMultiLabel = (
  scores: ArrayLike<number>,
  targets: ArrayLike<number>,
  trainPositives: readonly number[],
  thresholds: ShotThresholds,
): MultiLabelReport => {
  const C = trainPositives.length;
  const { mAP, perClass } = meanAveragePrecision(scores, targets, C);
  const testPositives = positiveCounts(targets, C);
  return {
    mAP,
    perClass: perClass.map((ap, c) => ({ class: c, ap, trainPositives: trainPositives[c]!, testPositives: testPositives[c]! })),
    shotGroups: shotGroupMeanAveragePrecision(perClass, trainPositives, thresholds),
  };
};
