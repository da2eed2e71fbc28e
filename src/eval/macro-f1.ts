/**
 * Per-class F1 and macro-F1 from a confusion matrix.
 *
 * F1 of class c is the harmonic mean of its precision and recall, written without divisions that can be 0/0:
 * F1_c = 2·TP_c / (2·TP_c + FP_c + FN_c) (van Rijsbergen, "Information Retrieval", 1979, the F-measure with
 * β = 1). Macro-F1 is the unweighted mean of the per-class F1 over classes (Sokolova & Lapalme 2009,
 * the per-class average; scikit-learn's `f1_score(average='macro')`) — *not* the F1 of macro precision and
 * macro recall.
 *
 * A class with test samples that is never predicted correctly has F1 = 0 (with `perClassPrecision`'s choice,
 * precision 0, the two agree). A class with neither test samples nor predictions (2TP + FP + FN = 0) is
 * absent and skipped (`null`). The result lies in [0, 1].
 */
import type { ConfusionMatrix } from './confusion-matrix.js';
import { predictionCounts } from './macro-precision.js';
import { meanDefined } from './per-class-accuracy.js';

/** F1 of each class: 2TP / (2TP + FP + FN), or null when the class is absent from labels and predictions. */
export const perClassF1 = (m: ConfusionMatrix): Array<number | null> => {
  const predicted = predictionCounts(m);
  return m.map((row, c) => {
    const tp = row[c]!;
    const support = row.reduce((s, v) => s + v, 0);
    // 2TP + FP + FN = (TP + FP) + (TP + FN) = predicted + support.
    const denominator = predicted[c]! + support;
    return denominator === 0 ? null : (2 * tp) / denominator;
  });
};

/** Macro-F1: the mean per-class F1 over the classes present (null when none is). */
export const macroF1 = (m: ConfusionMatrix): number | null => meanDefined(perClassF1(m));
