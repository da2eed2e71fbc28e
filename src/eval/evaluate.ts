/**
 * Everything this field reports about a classifier on a test set, from host-side predictions.
 */
import type { MultiLabelReport } from './multi-label-report.js';
import { confusionMatrix, type ConfusionMatrix } from './confusion-matrix.js';
import { expectedCalibrationError } from './expected-calibration-error.js';
import { macroF1, perClassF1 } from './macro-f1.js';
import { macroPrecision, perClassPrecision } from './macro-precision.js';
import { balancedAccuracy, overallAccuracy, perClassAccuracy } from './per-class-accuracy.js';
import { DEFAULT_CALIBRATION_BINS, reliabilityTable, type ReliabilityBin } from './reliability-table.js';
import { DEFAULT_SHOT_THRESHOLDS, shotGroupAccuracy, type ShotGroup, type ShotGroupResult, type ShotThresholds } from './shot-groups.js';
import { topKAccuracy } from './top-k-accuracy.js';

/** Top-5 accuracy is reported from this many classes on (with fewer it is close to 1 and says little). */
export const TOP5_MIN_CLASSES = 10;

/** One class's row of the report. */
export interface PerClassResult {
  readonly class: number;
  readonly name: string;
  readonly trainCount: number;
  readonly testCount: number;
  /** Accuracy on the class's test samples (= its recall); null without test samples. */
  readonly accuracy: number | null;
  /** See `perClassPrecision`: 0 when never predicted, null when absent. */
  readonly precision: number | null;
  /** See `perClassF1`. */
  readonly f1: number | null;
}

/** The metrics tailstream prints and writes to metrics.json. */
export interface EvaluationReport {
  readonly overallAccuracy: number | null;
  readonly balancedAccuracy: number | null;
  readonly perClass: ReadonlyArray<PerClassResult>;
  readonly shotGroups: Readonly<Record<ShotGroup, ShotGroupResult>>;
  readonly thresholds: ShotThresholds;
  readonly confusion: ConfusionMatrix;
  /** Mean per-class F1 over the classes present (`macroF1`). */
  readonly macroF1: number | null;
  /** Mean per-class precision over the classes present (`macroPrecision`). */
  readonly macroPrecision: number | null;
  /** Expected calibration error with equal-width bins; null without (finite) probabilities. */
  readonly ece: number | null;
  /** The bins behind `ece` (a reliability diagram's data); null without (finite) probabilities. */
  readonly reliability: ReadonlyArray<ReliabilityBin> | null;
  /** Top-5 accuracy; null without (finite) probabilities or with fewer than `TOP5_MIN_CLASSES` classes. */
  readonly top5: number | null;
  /** mAP and per-group mAP, for a multi-label test set (the single-label metrics then score each sample's rarest label). */
  readonly multiLabel?: MultiLabelReport;
}

/**
 * Evaluates predictions against labels, grouping classes by `trainCounts`. With the [N, C] row-major
 * softmax `probabilities` (as `predict` returns them) it also reports calibration and top-5 accuracy.
 */
export const evaluate = (
  labels: ArrayLike<number>,
  predicted: ArrayLike<number>,
  trainCounts: readonly number[],
  classNames: readonly string[],
  thresholds: ShotThresholds = DEFAULT_SHOT_THRESHOLDS,
  probabilities?: ArrayLike<number>,
  calibrationBins: number = DEFAULT_CALIBRATION_BINS,
): EvaluationReport => {
  const numClasses = trainCounts.length;
  const confusion = confusionMatrix(labels, predicted, numClasses);
  const perClass = perClassAccuracy(confusion);
  const precision = perClassPrecision(confusion);
  const f1 = perClassF1(confusion);
  // A diverged model gives NaN probabilities: calibration and top-k are then undefined (null), not an error.
  const scores = probabilities !== undefined && Array.prototype.every.call(probabilities, Number.isFinite) ? probabilities : undefined;
  const reliability = scores === undefined ? null : reliabilityTable(scores, labels, numClasses, calibrationBins);
  return {
    overallAccuracy: overallAccuracy(confusion),
    balancedAccuracy: balancedAccuracy(confusion),
    perClass: perClass.map((accuracy, c) => ({
      class: c,
      name: classNames[c] ?? String(c),
      trainCount: trainCounts[c]!,
      testCount: confusion[c]!.reduce((s, v) => s + v, 0),
      accuracy,
      precision: precision[c]!,
      f1: f1[c]!,
    })),
    shotGroups: shotGroupAccuracy(perClass, trainCounts, thresholds),
    thresholds,
    confusion,
    macroF1: macroF1(confusion),
    macroPrecision: macroPrecision(confusion),
    ece: reliability === null ? null : expectedCalibrationError(reliability),
    reliability,
    top5: scores !== undefined && numClasses >= TOP5_MIN_CLASSES ? topKAccuracy(scores, labels, numClasses, 5) : null,
  };
};
