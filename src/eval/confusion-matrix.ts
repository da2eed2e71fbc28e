/**
 * Confusion matrix: entry [t][p] counts test samples of true class t predicted as p.
 */

/** C×C counts, row = true class, column = predicted class. */
export type ConfusionMatrix = number[][];

/** Counts (label, prediction) pairs into a C×C matrix. */
export const confusionMatrix = (labels: ArrayLike<number>, predicted: ArrayLike<number>, numClasses: number): ConfusionMatrix => {
  if (labels.length !== predicted.length) {
    throw new Error(`confusionMatrix: ${labels.length} labels but ${predicted.length} predictions`);
  }
  const m = Array.from({ length: numClasses }, () => new Array<number>(numClasses).fill(0));
  for (let i = 0; i < labels.length; i++) {
    const t = labels[i]!;
    const p = predicted[i]!;
    if (!(t >= 0 && t < numClasses && p >= 0 && p < numClasses)) {
      throw new Error(`confusionMatrix: pair (${t}, ${p}) at ${i} is outside [0, ${numClasses})`);
    }
    m[t]![p]!++;
  }
  return m;
};
