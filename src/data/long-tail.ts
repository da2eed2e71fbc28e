/**
 * Long-tailed class profiles and the deterministic subsets built from them, as the papers build CIFAR-LT.
 *
 * Intuition: class i keeps n_i = ⌊n_max · ratio^(−i/(C−1))⌋ images (exponential profile, LDAM-DRW's
 * `imbalance_cifar.py`), or n_max for the first half of the classes and ⌊n_max/ratio⌋ for the rest
 * (step profile); which images a class keeps is a seeded shuffle of that class's images.
 */
import { draw, type Rng } from '../core/rng.js';

/** The shape of the class-count curve. */
export type LongTailProfile = 'exp' | 'step';

/**
 * Per-class counts for a long-tailed subset: class 0 is the head, class C−1 the tail.
 * @param nMax images of the head class
 * @param numClasses C
 * @param ratio imbalance ratio ρ = n_max / n_min (≥ 1)
 */
export const longTailCounts = (nMax: number, numClasses: number, ratio: number, profile: LongTailProfile = 'exp'): number[] => {
  if (!(ratio >= 1)) throw new Error(`longTailCounts: ratio must be ≥ 1, got ${ratio}`);
  if (!(numClasses >= 1)) throw new Error(`longTailCounts: numClasses must be ≥ 1, got ${numClasses}`);
  const counts: number[] = [];
  for (let i = 0; i < numClasses; i++) {
    if (profile === 'exp') {
      const exponent = numClasses === 1 ? 0 : i / (numClasses - 1);
      counts.push(Math.floor(nMax * Math.pow(1 / ratio, exponent)));
    } else {
      counts.push(i < numClasses / 2 ? nMax : Math.floor(nMax / ratio));
    }
  }
  return counts;
};

/** Groups indices `0..labels.length-1` by label. */
export const indicesByClass = (labels: ArrayLike<number>, numClasses: number): Int32Array[] => {
  const counts = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) counts[labels[i]!]!++;
  const out = counts.map((c) => new Int32Array(c));
  const fill = new Array<number>(numClasses).fill(0);
  for (let i = 0; i < labels.length; i++) {
    const y = labels[i]!;
    out[y]![fill[y]!++] = i;
  }
  return out;
};

/**
 * Picks `counts[c]` indices of each class `c` from `pool` (indices into `labels`) by a seeded shuffle
 * within the class; the result is sorted by class, then by the shuffled order.
 * @throws Error when a class has fewer candidates than asked for
 */
export const selectPerClass = (
  labels: ArrayLike<number>,
  pool: Int32Array,
  counts: readonly number[],
  rng: Rng,
): Int32Array => {
  const byClass: number[][] = counts.map(() => []);
  for (const i of pool) {
    const y = labels[i]!;
    if (y < counts.length) byClass[y]!.push(i);
  }
  const total = counts.reduce((s, c) => s + c, 0);
  const out = new Int32Array(total);
  let k = 0;
  byClass.forEach((candidates, c) => {
    const want = counts[c]!;
    if (candidates.length < want) {
      throw new Error(`selectPerClass: class ${c} has ${candidates.length} images, ${want} requested`);
    }
    const [order] = draw(rng.derive('class', c), (d) => d.permutation(candidates.length));
    for (let j = 0; j < want; j++) out[k++] = candidates[order[j]!]!;
  });
  return out;
};
