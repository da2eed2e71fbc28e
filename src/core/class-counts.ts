/**
 * Training-set counts per class: the one statistic almost every long-tail method is prepared from.
 */

/** Number of training samples of each class, indexed by class id. */
export type ClassCounts = readonly number[];

/** Counts the labels in `labels` into `numClasses` bins. */
export const countClasses = (labels: ArrayLike<number>, numClasses: number): number[] => {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    if (!(y >= 0 && y < numClasses)) throw new Error(`countClasses: label ${y} out of range [0, ${numClasses})`);
    counts[y]!++;
  }
  return counts;
};

/** max(n) / min(n): the imbalance ratio ρ the papers quote. */
export const imbalanceRatio = (counts: ClassCounts): number => {
  const nonEmpty = counts.filter((c) => c > 0);
  return nonEmpty.length === 0 ? Number.NaN : Math.max(...nonEmpty) / Math.min(...nonEmpty);
};

/** Per-class positive counts of row-major multi-hot targets ([N, numClasses], 1 = the class is in the sample's label set). */
export const positiveCounts = (targets: ArrayLike<number>, numClasses: number): number[] => {
  const out = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < targets.length; i++) if (targets[i] === 1) out[i % numClasses]!++;
  return out;
};
