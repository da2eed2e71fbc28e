/**
 * Class-weighted softmax cross-entropy, with inverse-frequency or custom class weights.
 *
 * Intuition: a rare class's examples count more, so the head classes stop dominating the sum.
 *
 * Formula: ℓ_i = w_{y_i} · (−log softmax(z_i)_{y_i}).
 *   weights = 'inverse-frequency':  w_j = C · n_j^(−q) / Σ_k n_k^(−q)   (sums to C; q = `exponent`, 1 = inverse frequency)
 *   weights = [w_0, …, w_{C−1}]:    used as given (PyTorch's `CrossEntropyLoss(weight=…)`).
 *
 * The reduction is not this loss's business (src/losses/reduce.ts), and the two that users meet differ:
 *   - batch mean, TF's `softmax_cross_entropy(weights=…)` as in `richardaecn/class-balanced-loss`:
 *     `reduceLoss(perExample, 'mean')` = Σ_i w_{y_i} ℓ^CE_i / N;
 *   - PyTorch's weighted mean (LDAM-DRW's DRW, `F.cross_entropy(weight=w)`): Σ_i w_{y_i} ℓ^CE_i / Σ_i w_{y_i},
 *     i.e. `reduceLoss(crossEntropyPerExample(z, y), 'weighted-mean', perExampleClassWeights(y, w))`,
 *     or equally Σ perExample / Σ perExampleClassWeights.
 *
 * Sources: inverse-frequency weighting normalised to sum to C as the class-balanced weights are
 * (`richardaecn/class-balanced-loss: src/cifar_main.py`, β → 1); the exponent is the `exp_scale` of
 * generalised re-weighting (`microsoft/robustlearn: marc/loss/GRWLoss.py`, 1.2 there; π^(−q) and n^(−q)
 * normalise to the same weights). Default q = 1 (plain inverse frequency).
 * Deviation: a class with no training samples is counted as one (n_j ← max(n_j, 1)) so the weights stay finite.
 *
 * @see classBalanced (effective-number weights), reduceLoss
 */
import * as t from 'io-ts';
import * as tf from '@tensorflow/tfjs-core';
import { NonNegative } from '../config/codecs.js';
import type { ClassCounts } from '../core/class-counts.js';
import { defineLoss } from './loss-spec.js';
import { checkClassVector, checkCounts, oneHotOf, perClassValue, softmaxNll } from './internal.js';

const CustomWeights = t.array(NonNegative);

/**
 * `'inverse-frequency'` or one weight ≥ 0 per class. Not a `t.union`, so that a bad entry is reported
 * at its own path (`weights.1: expected a number ≥ 0`) rather than under a union branch index.
 */
export const ClassWeightsChoice = new t.Type<'inverse-frequency' | number[], 'inverse-frequency' | number[], unknown>(
  'ClassWeightsChoice',
  (u): u is 'inverse-frequency' | number[] => u === 'inverse-frequency' || CustomWeights.is(u),
  (u, c) =>
    u === 'inverse-frequency'
      ? t.success(u)
      : Array.isArray(u)
        ? CustomWeights.validate(u, c)
        : t.failure(u, c, `expected "inverse-frequency" or an array of weights ≥ 0`),
  t.identity,
);

/** Weighted cross-entropy's config. */
export const WeightedCrossEntropyConfig = t.type({
  /** 'inverse-frequency' or one non-negative weight per class. */
  weights: ClassWeightsChoice,
  /** q in n_j^(−q) for 'inverse-frequency' (ignored for custom weights). */
  exponent: NonNegative,
});
/** Weighted cross-entropy's config type. */
export type WeightedCrossEntropyConfig = t.TypeOf<typeof WeightedCrossEntropyConfig>;

/** What `weightedCrossEntropy.prepare` computes: the class weights. */
export interface WeightedCrossEntropyPrepared {
  readonly classWeights: readonly number[];
}

/**
 * Inverse-frequency class weights w_j = C · n_j^(−q) / Σ_k n_k^(−q) (they sum to C); empty classes count as one sample.
 * @param exponent q ≥ 0; 0 gives all ones, 1 plain inverse frequency.
 */
export const inverseFrequencyWeights = (counts: ClassCounts, exponent = 1): number[] => {
  const raw = counts.map((n) => Math.max(n, 1) ** -exponent);
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((r) => (r / total) * counts.length);
};

/** w_{y_i} for each example: the [N] weights of PyTorch's weighted-mean reduction (call inside a tidy scope). */
export const perExampleClassWeights = (labels: tf.Tensor1D, classWeights: readonly number[]): tf.Tensor1D =>
  tf.tidy(() => perClassValue(labels, classWeights));

/** Weighted cross-entropy as a registered loss. */
export const weightedCrossEntropy = defineLoss<WeightedCrossEntropyConfig, WeightedCrossEntropyPrepared>({
  name: 'weighted-ce',
  summary: 'class-weighted cross-entropy w_y · CE, inverse-frequency or custom weights',
  source: 'PyTorch CrossEntropyLoss(weight); inverse frequency normalised to sum C; exponent = GRW exp_scale (microsoft/robustlearn marc/loss/GRWLoss.py)',
  configCodec: WeightedCrossEntropyConfig,
  defaults: { weights: 'inverse-frequency', exponent: 1 },
  prepare: (config, counts) => {
    checkCounts(counts, 'weighted-ce');
    if (config.weights === 'inverse-frequency') return { classWeights: inverseFrequencyWeights(counts, config.exponent) };
    checkClassVector(config.weights, counts.length, 'weighted-ce.weights');
    return { classWeights: [...config.weights] };
  },
  perExample: ({ logits, labels }, prepared) =>
    tf.tidy(() =>
      tf.mul(perClassValue(labels, prepared.classWeights), softmaxNll(logits, oneHotOf(labels, logits.shape[1]))) as tf.Tensor1D,
    ),
});
