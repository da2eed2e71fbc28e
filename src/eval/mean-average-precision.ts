/**
 * Average precision per class and its mean (mAP) for multi-label classification.
 *
 * For one class, rank the samples by score (highest first); AP = Σ_n (R_n − R_{n−1}) · P_n, the precision at
 * each distinct score threshold weighted by the gain in recall there (the non-interpolated AP of Manning,
 * Raghavan & Schütze, "Introduction to Information Retrieval", 2008, Sec. 8.4, computed as scikit-learn's
 * `average_precision_score`: samples with equal scores enter together, at one threshold). mAP is the
 * unweighted mean over classes, as the long-tailed multi-label benchmarks report it (Wu et al.,
 * "Distribution-Balanced Loss for Multi-Label Classification in Long-Tailed Datasets", ECCV 2020).
 *
 * A class without a positive sample has no recall, so its AP is undefined: it is `null` and skipped by the mean.
 */
import { meanDefined } from './per-class-accuracy.js';

/**
 * AP of one class from each sample's score and whether the sample is a positive; null without positives.
 * @throws when the lengths differ.
 */
export const averagePrecision = (scores: ArrayLike<number>, positives: ArrayLike<number | boolean>): number | null => {
  if (scores.length !== positives.length) throw new Error(`averagePrecision: ${scores.length} scores but ${positives.length} labels`);
  const order = Array.from({ length: scores.length }, (_, i) => i).sort((a, b) => scores[b]! - scores[a]!);
  let totalPositives = 0;
  for (let i = 0; i < positives.length; i++) if (positives[i]) totalPositives++;
  if (totalPositives === 0) return null;
  let tp = 0;
  let seen = 0;
  let ap = 0;
  let previousRecall = 0;
  for (let r = 0; r < order.length; r++) {
    const i = order[r]!;
    seen++;
    if (positives[i]) tp++;
    const next = order[r + 1];
    // A threshold closes only after the last sample with this score.
    if (next !== undefined && scores[next] === scores[i]) continue;
    const recall = tp / totalPositives;
    ap += (recall - previousRecall) * (tp / seen);
    previousRecall = recall;
  }
  return ap;
};

/** Per-class AP and their mean over classes with positives. */
export interface MeanAveragePrecision {
  readonly mAP: number | null;
  readonly perClass: Array<number | null>;
}

/**
 * mAP of an [N, C] row-major score matrix against an [N, C] binary label matrix (1 = the sample has the label).
 * @throws when the two matrices do not have N·C entries each or a label is not 0 or 1.
 */
export const meanAveragePrecision = (scores: ArrayLike<number>, labels: ArrayLike<number>, numClasses: number): MeanAveragePrecision => {
  if (!Number.isInteger(numClasses) || numClasses < 1 || scores.length % numClasses !== 0 || labels.length !== scores.length) {
    throw new Error(`meanAveragePrecision: ${scores.length} scores and ${labels.length} labels do not both fill rows of ${numClasses} classes`);
  }
  const n = scores.length / numClasses;
  const perClass: Array<number | null> = [];
  const column = new Float64Array(n);
  const positive = new Uint8Array(n);
  for (let c = 0; c < numClasses; c++) {
    for (let i = 0; i < n; i++) {
      const y = labels[i * numClasses + c]!;
      if (y !== 0 && y !== 1) throw new Error(`meanAveragePrecision: label ${y} at row ${i}, class ${c} is not 0 or 1`);
      column[i] = scores[i * numClasses + c]!;
      positive[i] = y;
    }
    perClass.push(averagePrecision(column, positive));
  }
  return { mAP: meanDefined(perClass), perClass };
};
