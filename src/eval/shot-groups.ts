/**
 * Many/medium/few-shot accuracy (Liu et al., OLTR, CVPR 2019; `shot_acc` in facebookresearch/classifier-balancing
 * `utils.py`): classes grouped by their *training* count — many: n > 100, few: n < 20, medium: the rest —
 * and each group's accuracy is the mean per-class accuracy of its classes. A group with no class is
 * `null` (printed "n/a"), never 0.
 */
import { meanDefined } from './per-class-accuracy.js';

/** Group boundaries, with explicit inclusivity. */
export interface ShotThresholds {
  /** Classes with more than `many` (or at least, when `manyInclusive`) training samples are many-shot. */
  readonly many: number;
  readonly manyInclusive: boolean;
  /** Classes with fewer than `few` (or at most, when `fewInclusive`) training samples are few-shot. */
  readonly few: number;
  readonly fewInclusive: boolean;
}

/** Decoupling / OLTR defaults: many > 100, few < 20. */
export const DEFAULT_SHOT_THRESHOLDS: ShotThresholds = { many: 100, manyInclusive: false, few: 20, fewInclusive: false };

/** A shot group's name. */
export type ShotGroup = 'many' | 'medium' | 'few';

/** The group of a class with `count` training samples. */
export const shotGroupOf = (count: number, t: ShotThresholds = DEFAULT_SHOT_THRESHOLDS): ShotGroup => {
  if (t.manyInclusive ? count >= t.many : count > t.many) return 'many';
  if (t.fewInclusive ? count <= t.few : count < t.few) return 'few';
  return 'medium';
};

/** Accuracy and members of one group. */
export interface ShotGroupResult {
  readonly accuracy: number | null;
  readonly classes: number[];
}

/** Many/medium/few accuracies from per-class accuracies and training counts. */
export const shotGroupAccuracy = (
  perClass: ReadonlyArray<number | null>,
  trainCounts: readonly number[],
  t: ShotThresholds = DEFAULT_SHOT_THRESHOLDS,
): Record<ShotGroup, ShotGroupResult> => {
  const groups: Record<ShotGroup, number[]> = { many: [], medium: [], few: [] };
  trainCounts.forEach((n, c) => groups[shotGroupOf(n, t)].push(c));
  const result = (g: ShotGroup): ShotGroupResult => ({
    classes: groups[g],
    accuracy: meanDefined(groups[g].map((c) => perClass[c] ?? null)),
  });
  return { many: result('many'), medium: result('medium'), few: result('few') };
};

/** "many > 100, medium 20–100, few < 20" for the given thresholds (printed beside the numbers). */
export const describeThresholds = (t: ShotThresholds = DEFAULT_SHOT_THRESHOLDS): string => {
  const manyOp = t.manyInclusive ? '≥' : '>';
  const fewOp = t.fewInclusive ? '≤' : '<';
  const lo = t.fewInclusive ? `${t.few} <` : `${t.few} ≤`;
  const hi = t.manyInclusive ? `< ${t.many}` : `≤ ${t.many}`;
  return `many: n ${manyOp} ${t.many}, medium: ${lo} n ${hi}, few: n ${fewOp} ${t.few} (n = training images of the class)`;
};
