/**
 * Per-class accuracy (= per-class recall), balanced accuracy and overall accuracy from a confusion matrix.
 *
 * A class with no test samples has no accuracy: it is `null`, and means skip it (never count it as 0).
 */
import type { ConfusionMatrix } from './confusion-matrix.js';

/** Accuracy of each true class: diagonal / row sum, or null for an empty row. */
export const perClassAccuracy = (m: ConfusionMatrix): Array<number | null> =>
  m.map((row, c) => {
    const total = row.reduce((s, v) => s + v, 0);
    return total === 0 ? null : row[c]! / total;
  });

/** Mean of the non-null values, or null when there are none. */
export const meanDefined = (xs: ReadonlyArray<number | null>): number | null => {
  const defined = xs.filter((x): x is number => x !== null);
  return defined.length === 0 ? null : defined.reduce((s, x) => s + x, 0) / defined.length;
};

/** Balanced accuracy: the mean per-class accuracy over classes with test samples. */
export const balancedAccuracy = (m: ConfusionMatrix): number | null => meanDefined(perClassAccuracy(m));

/** Overall (micro) accuracy: trace / total, or null for an empty matrix. */
export const overallAccuracy = (m: ConfusionMatrix): number | null => {
  let hit = 0;
  let total = 0;
  m.forEach((row, c) => {
    hit += row[c]!;
    total += row.reduce((s, v) => s + v, 0);
  });
  return total === 0 ? null : hit / total;
};
