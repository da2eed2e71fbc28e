/**
 * Everything this field reports about a classifier on a test set, from host-side predictions.
 */
import { confusionMatrix, type ConfusionMatrix } from './confusion-matrix.js';
import { balancedAccuracy, overallAccuracy, perClassAccuracy } from './per-class-accuracy.js';
import { DEFAULT_SHOT_THRESHOLDS, shotGroupAccuracy, type ShotGroup, type ShotGroupResult, type ShotThresholds } from './shot-groups.js';

/** The metrics tailstream prints and writes to metrics.json. */
export interface EvaluationReport {
  readonly overallAccuracy: number | null;
  readonly balancedAccuracy: number | null;
  readonly perClass: ReadonlyArray<{ readonly class: number; readonly name: string; readonly trainCount: number; readonly testCount: number; readonly accuracy: number | null }>;
  readonly shotGroups: Readonly<Record<ShotGroup, ShotGroupResult>>;
  readonly thresholds: ShotThresholds;
  readonly confusion: ConfusionMatrix;
}

/** Evaluates predictions against labels, grouping classes by `trainCounts`. */
export const evaluate = (
  labels: ArrayLike<number>,
  predicted: ArrayLike<number>,
  trainCounts: readonly number[],
  classNames: readonly string[],
  thresholds: ShotThresholds = DEFAULT_SHOT_THRESHOLDS,
): EvaluationReport => {
  const numClasses = trainCounts.length;
  const confusion = confusionMatrix(labels, predicted, numClasses);
  const perClass = perClassAccuracy(confusion);
  return {
    overallAccuracy: overallAccuracy(confusion),
    balancedAccuracy: balancedAccuracy(confusion),
    perClass: perClass.map((accuracy, c) => ({
      class: c,
      name: classNames[c] ?? String(c),
      trainCount: trainCounts[c]!,
      testCount: confusion[c]!.reduce((s, v) => s + v, 0),
      accuracy,
    })),
    shotGroups: shotGroupAccuracy(perClass, trainCounts, thresholds),
    thresholds,
    confusion,
  };
};
