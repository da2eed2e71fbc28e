/**
 * Top-k accuracy from class scores: the fraction of samples whose true class is among the k highest-scoring
 * classes (the "top-5 error" of the ImageNet challenge is one minus it for k = 5: Russakovsky et al.,
 * "ImageNet Large Scale Visual Recognition Challenge", IJCV 2015).
 *
 * Ties are ordered by class index, as `tf.argMax` does: the rank of the true class y is the number of classes
 * with a higher score plus the classes before y with the same score, and a sample counts when rank < k. So
 * top-1 accuracy equals the accuracy of the arg-max predictions, and top-k never decreases with k.
 */

/**
 * Top-k accuracy of [N, C] row-major scores (probabilities or logits); null for no samples.
 * @throws when the shapes disagree, a label is outside [0, C), or k is not a positive integer.
 */
export const topKAccuracy = (scores: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number, k: number): number | null => {
  if (!Number.isInteger(k) || k < 1) throw new Error(`topKAccuracy: k must be a positive integer, got ${k}`);
  if (scores.length !== labels.length * numClasses) {
    throw new Error(`topKAccuracy: ${scores.length} scores for ${labels.length} labels and ${numClasses} classes`);
  }
  const n = labels.length;
  if (n === 0) return null;
  let hits = 0;
  for (let i = 0; i < n; i++) {
    const y = labels[i]!;
    if (!(Number.isInteger(y) && y >= 0 && y < numClasses)) throw new Error(`topKAccuracy: label ${y} at ${i} is outside [0, ${numClasses})`);
    const row = i * numClasses;
    const sy = scores[row + y]!;
    let rank = 0;
    for (let c = 0; c < numClasses && rank < k; c++) {
      const s = scores[row + c]!;
      if (s > sy || (s === sy && c < y)) rank++;
    }
    if (rank < k) hits++;
  }
  return hits / n;
};
