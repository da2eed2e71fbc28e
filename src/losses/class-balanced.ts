/**
 * Class-balanced loss: weights each example by the inverse effective number of its class.
 *
 * Intuition: new samples of a big class overlap the ones it has, so a class of n samples is
 * worth E_n = (1 − β^n)/(1 − β) of them; weighting by 1/E_n interpolates between no weighting
 * (β = 0) and inverse frequency (β → 1).
 *
 * Formula: w_j = (1 − β)/(1 − β^{n_j}), then w ← C · w / Σ_k w_k (the weights sum to C), and per example
 *   variant 'softmax':  ℓ = w_y · (−log softmax(z)_y)
 *   variant 'sigmoid':  ℓ = w_y · Σ_j BCE(z_j, [j = y])                       BCE(z, t) = softplus(z) − t·z
 *   variant 'focal':    ℓ = w_y · Σ_j exp(−γ·softplus(s_j z_j)) · BCE(z_j, [j = y]),  s_j = +1 if j = y else −1
 * (the last is the sigmoid focal loss; exp(−γ·softplus(s·z)) = (1 − p_t)^γ written stably, as the
 * official `focal_loss` does with log1p(exp(−z))).
 *
 * Paper: Cui, Jia, Lin, Song, Belongie, "Class-Balanced Loss Based on Effective Number of Samples",
 * CVPR 2019. Code: `richardaecn/class-balanced-loss: src/cifar_main.py` (`_tower_fn`,
 * `focal_loss`); defaults β = 0.9999, γ = 1.0 from `cifar_im_trainval_cb.sh`.
 * Reduction: the official code divides the weighted sum by the batch size (softmax: TF's
 * SUM_BY_NONZERO_WEIGHTS; sigmoid/focal: / Σ one-hot = N), i.e. `reduceLoss(perExample, 'mean')`;
 * the LDAM-DRW lineage divides by Σ w_{y_i} instead (see `perExampleClassWeights`).
 * Numerics: 1 − β^n is computed as −expm1(n·log β). Deviation: an empty class counts as one sample
 * (the official code divides by zero), which keeps the weights finite.
 *
 * @see weightedCrossEntropy, focal, ldam (DRW uses these weights from epoch 160)
 */
import * as t from 'io-ts';
import * as tf from '@tensorflow/tfjs-core';
import { NonNegative, Probability } from '../config/codecs.js';
import type { ClassCounts } from '../core/class-counts.js';
import { defineLoss } from './loss-spec.js';
import { checkCounts, oneHotOf, perClassValue, softmaxNll } from './internal.js';

/** Class-balanced loss's config. */
export const ClassBalancedConfig = t.type({
  /** β in [0, 1]: 0 = no re-weighting, 1 = inverse frequency. */
  beta: Probability,
  /** Which base loss the weights multiply. */
  variant: t.keyof({ softmax: null, sigmoid: null, focal: null }),
  /** Focusing parameter of the 'focal' variant (ignored otherwise). */
  gamma: NonNegative,
});
/** Class-balanced loss's config type. */
export type ClassBalancedConfig = t.TypeOf<typeof ClassBalancedConfig>;

/** What `classBalanced.prepare` computes. */
export interface ClassBalancedPrepared {
  /** Normalised class weights (sum C). */
  readonly classWeights: readonly number[];
  readonly variant: ClassBalancedConfig['variant'];
  readonly gamma: number;
}

/**
 * Effective-number class weights w_j = (1 − β)/(1 − β^{n_j}), normalised to sum to C.
 * β = 1 is the limit 1/n_j; empty classes count as one sample.
 */
export const classBalancedWeights = (counts: ClassCounts, beta: number): number[] => {
  const raw = counts.map((count) => {
    const n = Math.max(count, 1);
    if (beta === 1) return 1 / n;
    if (beta === 0) return 1;
    return (1 - beta) / -Math.expm1(n * Math.log(beta));
  });
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((r) => (r / total) * counts.length);
};

/** Σ_j [(1 − p_t)^γ ·] BCE(z_j, onehot_j) per example (γ = 0: plain one-vs-all sigmoid cross-entropy). */
const sigmoidRowLoss = (logits: tf.Tensor2D, oneHot: tf.Tensor2D, gamma: number): tf.Tensor1D => {
  // s = +1 on the true class, −1 elsewhere; BCE(z, t) = softplus(−s·z), (1 − p_t)^γ = exp(−γ·softplus(s·z)).
  const signed = tf.mul(logits, tf.sub(tf.mul(oneHot, 2), 1));
  const bce = tf.softplus(tf.neg(signed));
  const terms = gamma === 0 ? bce : tf.mul(tf.exp(tf.mul(-gamma, tf.softplus(signed))), bce);
  return tf.sum(terms, 1) as tf.Tensor1D;
};

/** The class-balanced loss as a registered loss. */
export const classBalanced = defineLoss<ClassBalancedConfig, ClassBalancedPrepared>({
  name: 'class-balanced',
  summary: 'effective-number weights (1 − β)/(1 − β^n), sum C, on softmax CE, sigmoid CE or sigmoid focal',
  source: 'Cui et al., CVPR 2019; richardaecn/class-balanced-loss src/cifar_main.py, cifar_im_trainval_cb.sh (β = 0.9999, γ = 1)',
  configCodec: ClassBalancedConfig,
  defaults: { beta: 0.9999, variant: 'softmax', gamma: 1 },
  prepare: (config, counts) => {
    checkCounts(counts, 'class-balanced');
    return { classWeights: classBalancedWeights(counts, config.beta), variant: config.variant, gamma: config.gamma };
  },
  perExample: ({ logits, labels }, prepared) =>
    tf.tidy(() => {
      const oneHot = oneHotOf(labels, logits.shape[1]);
      const w = perClassValue(labels, prepared.classWeights);
      const base =
        prepared.variant === 'softmax'
          ? softmaxNll(logits, oneHot)
          : sigmoidRowLoss(logits, oneHot, prepared.variant === 'focal' ? prepared.gamma : 0);
      return tf.mul(w, base) as tf.Tensor1D;
    }),
});
