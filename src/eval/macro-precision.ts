/**
 * Per-class and macro-averaged precision from a confusion matrix.
 *
 * Precision of class c is TP_c / (TP_c + FP_c) = m[c][c] / (column sum of c): of the samples predicted as c,
 * the fraction that really are c. The macro average is the unweighted mean over classes, so a tail class
 * counts as much as a head class (Sokolova & Lapalme, "A systematic analysis of performance measures for
 * classification tasks", Inf. Process. Manag. 2009, "Precision_M"; the same as scikit-learn's
 * `precision_score(average='macro')`).
 *
 * Choice for a class that the model never predicts (column sum 0, precision 0/0): its precision is **0**,
 * as scikit-learn's `zero_division=0`, *when the class has test samples*. A classifier that never predicts
 * a tail class is exactly what long-tailed learning tries to fix, and skipping such a class would reward it.
 * A class with neither test samples nor predictions is absent from the evaluation and is skipped (`null`),
 * as scikit-learn averages over the labels present in `y_true ∪ y_pred`.
 */
import type { ConfusionMatrix } from './confusion-matrix.js';
import { meanDefined } from './per-class-accuracy.js';

/** Column sums of a confusion matrix: how often each class was predicted. */
export const predictionCounts = (m: ConfusionMatrix): number[] => m.map((_, p) => m.reduce((s, row) => s + row[p]!, 0));

/**
 * Precision of each class: TP / predicted; 0 for a class with test samples that is never predicted;
 * `null` for a class with neither test samples nor predictions.
 */
export const perClassPrecision = (m: ConfusionMatrix): Array<number | null> => {
  const predicted = predictionCounts(m);
  return m.map((row, c) => {
    const support = row.reduce((s, v) => s + v, 0);
    const p = predicted[c]!;
    if (p === 0) return support === 0 ? null : 0;
    return row[c]! / p;
  });
};

/** Macro precision: the mean of `perClassPrecision` over the classes present (null when none is). */
export const macroPrecision = (m: ConfusionMatrix): number | null => meanDefined(perClassPrecision(m));
