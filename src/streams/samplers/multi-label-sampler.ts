/**
 * Multi-label-aware re-sampling: each sample is drawn with a weight set by its positive labels, so
 * an image is over-sampled for its rare labels, N draws with replacement per epoch.
 *
 * Intuition: in multi-label data a sample has a set of labels Y_k; weighting it by 1/n of its
 * rarest label gives tail labels about class-balanced exposure without the sample counting once
 * per label. The 'class-aware' weighting Σ_{j∈Y_k} 1/n_j is instead the per-draw probability of
 * sample k under class-aware sampling ("pick a class uniformly, then an image containing it"),
 * DB-loss's P^I(x_k) up to the factor 1/C; that is the re-sampling Distribution-Balanced loss's
 * re-balanced weights r = P^C/P^I correct for.
 *
 * Formula, n_j the number of samples with label j:
 *   'rarest' (default):  w_k = 1 / min_{j∈Y_k} n_j
 *   'class-aware':       w_k = Σ_{j∈Y_k} 1 / n_j
 * a sample with no label has weight 0; P(draw k) = w_k / Σ_i w_i. For single-label data (Y_k = {y_k})
 * both are 1/n_{y_k}, i.e. class-balanced sampling (every non-empty class with probability 1/C).
 *
 * Sources: Wu et al., "Distribution-Balanced Loss for Multi-Label Classification in Long-Tailed
 * Datasets", ECCV 2020, §3.1 (P^C, P^I); `wutong16/DistributionBalancedLoss:
 * mllt/datasets/loader/sampler.py` (`ClassAwareSampler`, which cycles rather than drawing i.i.d.).
 * Deviation: i.i.d. draws with replacement (like CMO's `WeightedRandomSampler`), N per epoch, not the
 * reference's max_class_count · C / 4 cycling draws.
 *
 * @see classAwareSampler, minoritySampler, distributionBalanced (the loss)
 */
import { draw, type Rng } from '../../core/rng.js';
import type { Sampler } from './sampler.js';
import { firstAbove, powerProbabilities } from './class-draws.js';

/** The positive labels of each sample, in dataset order. */
export type LabelSets = readonly (readonly number[])[];

/** How a sample's labels set its weight (see the module doc). */
export type MultiLabelWeighting = 'rarest' | 'class-aware';

/**
 * Per-class positive counts of `labelSets` (a label repeated within one set counts once).
 * @throws Error when a label is not an integer in [0, numClasses)
 */
export const multiLabelClassCounts = (labelSets: LabelSets, numClasses: number): number[] => {
  const counts = new Array<number>(numClasses).fill(0);
  labelSets.forEach((set, k) => {
    new Set(set).forEach((j) => {
      if (!(Number.isInteger(j) && j >= 0 && j < numClasses)) {
        throw new Error(`multiLabelClassCounts: label ${j} of sample ${k} is not a class in 0..${numClasses - 1}`);
      }
      counts[j]!++;
    });
  });
  return counts;
};

/**
 * The rarest positive label of a sample: the j ∈ `labelSet` of smallest `counts[j]`, the smallest
 * index among ties; −1 for an empty set.
 */
export const rarestLabel = (labelSet: readonly number[], counts: readonly number[]): number => {
  let best = -1;
  for (const j of labelSet) {
    if (best === -1 || counts[j]! < counts[best]! || (counts[j] === counts[best] && j < best)) best = j;
  }
  return best;
};

/**
 * Per-sample weights w_k: 1/n of the rarest positive label ('rarest') or Σ_{j∈Y_k} 1/n_j ('class-aware');
 * 0 for a sample with no label. Pure.
 * @throws Error when a sample has a label whose count is not positive (counts that do not describe the sets)
 */
export const multiLabelSampleWeights = (
  labelSets: LabelSets,
  counts: readonly number[],
  weighting: MultiLabelWeighting = 'rarest',
): Float64Array =>
  Float64Array.from(labelSets, (set, k) => {
    const labels = [...new Set(set)];
    labels.forEach((j) => {
      if (!(counts[j]! > 0)) throw new Error(`multiLabelSampleWeights: sample ${k} has label ${j}, whose count is ${counts[j]}`);
    });
    if (labels.length === 0) return 0;
    if (weighting === 'rarest') return 1 / counts[rarestLabel(labels, counts)]!;
    return labels.reduce((s, j) => s + 1 / counts[j]!, 0);
  });

/**
 * Expected number of positives of each class per draw, Σ_k w_k [c ∈ Y_k] / Σ_k w_k: the class mass
 * the sampler delivers (for single-label data, the class probabilities). All zeros when Σ w = 0.
 */
export const expectedClassMass = (labelSets: LabelSets, weights: ArrayLike<number>, numClasses: number): number[] => {
  const mass = new Array<number>(numClasses).fill(0);
  let total = 0;
  labelSets.forEach((set, k) => {
    total += weights[k]!;
    new Set(set).forEach((j) => (mass[j]! += weights[k]!));
  });
  return total > 0 ? mass.map((m) => m / total) : mass;
};

/**
 * `n` i.i.d. draws of an index with probability ∝ `weights` (binary search over the cumulative sum,
 * so a weight-0 index is never drawn).
 * @throws Error when `n` > 0 and no weight is positive
 */
export const drawWeighted = (weights: ArrayLike<number>, n: number, rng: Rng): Int32Array => {
  const cumulative = new Float64Array(weights.length);
  let total = 0;
  for (let i = 0; i < weights.length; i++) {
    total += weights[i]! > 0 ? weights[i]! : 0;
    cumulative[i] = total;
  }
  if (n > 0 && !(total > 0)) throw new Error('drawWeighted: no sample has a positive weight');
  return draw(rng, (d) => {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      out[i] = firstAbove(cumulative, d.uniform() * total);
    }
    return out;
  })[0];
};

/** Parameters of `multiLabelSampler`. */
export interface MultiLabelSamplerOptions {
  /**
   * The positive labels of every training sample, in dataset order (length N). Absent: the label sets
   * of the sampler context (a multi-label dataset's stream passes them), else single-label data, each
   * sample's set is {its label} (what the registered sampler uses on single-label data).
   */
  readonly labelSets?: LabelSets;
  /** 'rarest' (default) or 'class-aware', see the module doc. */
  readonly weighting?: MultiLabelWeighting;
}

/**
 * A multi-label-aware sampler: per-sample weights from `multiLabelSampleWeights`, N draws with
 * replacement from the epoch's Rng. Its `classProbabilities` is the distribution of the drawn
 * sample's rarest label: class-balanced over non-empty classes for single-label data; with
 * `labelSets` it is computed from those sets and their own counts (the `counts` argument only gives
 * the number of classes). `expectedClassMass` gives the per-class positives per draw instead.
 * @throws Error (from `epochOrder`) when `labelSets` does not have one set per sample
 */
export const multiLabelSampler = (options: MultiLabelSamplerOptions = {}): Sampler => {
  const weighting = options.weighting ?? 'rarest';
  const bound = options.labelSets;
  const setsOf = (labels: Int32Array, given?: LabelSets): LabelSets => {
    if (bound === undefined) return given ?? Array.from(labels, (y) => [y]);
    if (bound.length !== labels.length) {
      throw new Error(`multiLabelSampler: ${bound.length} label sets for ${labels.length} samples`);
    }
    return bound;
  };
  return {
    name: 'multi-label',
    summary: `per-sample weight ${weighting === 'rarest' ? '1/n of its rarest positive label' : 'Σ 1/n_j over its positive labels'}, N draws with replacement (single-label data: class-balanced)`,
    classProbabilities: (counts) => {
      if (bound === undefined) return powerProbabilities(counts, 0);
      const own = multiLabelClassCounts(bound, counts.length);
      const weights = multiLabelSampleWeights(bound, own, weighting);
      const total = weights.reduce((s, w) => s + w, 0);
      const p = new Array<number>(counts.length).fill(0);
      bound.forEach((set, k) => {
        const r = rarestLabel(set, own);
        if (r >= 0 && total > 0) p[r]! += weights[k]! / total;
      });
      return p;
    },
    epochOrder: (ctx, rng) => {
      const sets = setsOf(ctx.labels, ctx.labelSets);
      const counts = multiLabelClassCounts(sets, ctx.counts.length);
      return drawWeighted(multiLabelSampleWeights(sets, counts, weighting), ctx.labels.length, rng);
    },
  };
};
