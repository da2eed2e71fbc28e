/**
 * MM loss (hard maximum-margin): LDAM-style cross-entropy whose true-class shift is largest for
 * examples near the decision boundary.
 *
 * Intuition: a sample sitting on the boundary gets the largest extra margin; the shift decays
 * exponentially with the distance from the boundary, faster for correctly classified samples (γ).
 *
 * Formula (z: cosine logits of a normalised-linear head, y the label):
 *   d   = z_y − max_{j≠y} z_j                           (sample margin; no gradient flows through the shift)
 *   Δ   = exp(−d − γ·M_y) if d > 0;  exp(−|d| − M_y) if d < 0;  0 if d = 0
 *   M_y = maxMargin                                      (variant 'hmm')
 *   M_y = maxMargin − m_y,  m_y = 0.5·n_y^(−1/4)/max_k n_k^(−1/4)   (variant 'hmm-ldam'; the 0.5 is hard-coded)
 *   ℓ   = CE( s · (z − Δ·e_y), y )
 * Only the shift Δ is applied to the logits: in 'hmm-ldam' the LDAM margin modulates M but is not
 * itself subtracted, as in the official code.
 *
 * Paper: Kang, Vu, Yoo, "Learning Imbalanced Datasets with Maximum Margin Loss", ICIP 2021
 * (arXiv 2206.05380): the two hard-margin boundary variants. Code: `ihaeyong/Maximum-Margin-LDAM:
 * losses.py` (`HMMLoss`, `obj_margins`); defaults s = 19, max_m = 1.29, γ = 1.528 from the README's
 * CIFAR-100 (ρ = 100) `--loss_type HMM` command. DRW weights, when used, go to the reduction.
 *
 * Named deviations from the official code (bugs there, the intended per-sample formula here):
 *  1. it reads the true-class logit as `z[:, labels[0]]`, the first sample's label for every row;
 *     here z_{i,y_i} per row;
 *  2. it takes max_{j≠y} as `max_j(z_j·(1 − onehot_j))`, which returns the 0 at the true slot when
 *     every other logit is negative; here the true class is masked out properly.
 *
 * @see ldam, ldamMargins
 */
import * as t from 'io-ts';
import * as tf from '@tensorflow/tfjs-core';
import { NonNegative, Positive } from '../config/codecs.js';
import type { ClassCounts } from '../core/class-counts.js';
import { defineLoss } from './loss-spec.js';
import { checkCounts, oneHotOf, perClassValue, softmaxNll, stopGradient, subtractOnTrueClass } from './internal.js';
import { ldamMargins } from './ldam.js';

/** MM loss's config. */
export const MaximumMarginConfig = t.type({
  /** 'hmm' (constant M) or 'hmm-ldam' (M reduced by the LDAM margin of the class). */
  variant: t.keyof({ hmm: null, 'hmm-ldam': null }),
  /** M, the `max_m` of the official code. */
  maxMargin: NonNegative,
  /** Extra decay γ of the shift for correctly classified samples. */
  gamma: NonNegative,
  /** Logit scale s. */
  scale: Positive,
});
/** MM loss's config type. */
export type MaximumMarginConfig = t.TypeOf<typeof MaximumMarginConfig>;

/** What `maximumMargin.prepare` computes. */
export interface MaximumMarginPrepared {
  /** M_y per class. */
  readonly boundaryMargins: readonly number[];
  readonly gamma: number;
  readonly scale: number;
}

/** M_y per class: maxMargin, or maxMargin − LDAM margin (max 0.5) for 'hmm-ldam'. */
export const maximumMarginBoundaries = (counts: ClassCounts, variant: MaximumMarginConfig['variant'], maxMargin: number): number[] =>
  variant === 'hmm' ? counts.map(() => maxMargin) : ldamMargins(counts, 0.5).map((m) => maxMargin - m);

/**
 * The per-example shift Δ (no gradient), from logits, a one-hot mask and M_y per example. Built from
 * ops that all have tfjs gradients (sign, abs, max) because the tape still walks through them before
 * `stopGradient` zeroes the result; exp(−|d| − …) on both sides cannot overflow.
 */
const boundaryShift = (logits: tf.Tensor2D, oneHot: tf.Tensor2D, boundary: tf.Tensor1D, gamma: number): tf.Tensor1D => {
  const trueLogit = tf.sum(tf.mul(oneHot, logits), 1);
  const maxOther = tf.max(tf.sub(logits, tf.mul(oneHot, 1e30)), 1);
  const d = tf.sub(trueLogit, maxOther);
  const sign = tf.sign(d);
  const isCorrect = tf.relu(sign);
  const isWrong = tf.relu(tf.neg(sign));
  const distance = tf.abs(d);
  const correct = tf.exp(tf.neg(tf.add(distance, tf.mul(boundary, gamma))));
  const wrong = tf.exp(tf.neg(tf.add(distance, boundary)));
  return stopGradient(tf.add(tf.mul(isCorrect, correct), tf.mul(isWrong, wrong)) as tf.Tensor1D);
};

/** The MM loss as a registered loss. */
export const maximumMargin = defineLoss<MaximumMarginConfig, MaximumMarginPrepared>({
  name: 'mm',
  summary: 'maximum-margin loss: CE on s·(z − Δ(d)·e_y), Δ largest at the boundary (HMM, HMM-LDAM)',
  source: 'Kang et al., ICIP 2021; ihaeyong/Maximum-Margin-LDAM losses.py HMMLoss, README (s = 19, max_m = 1.29, γ = 1.528)',
  configCodec: MaximumMarginConfig,
  defaults: { variant: 'hmm', maxMargin: 1.29, gamma: 1.528, scale: 19 },
  prepare: (config, counts) => {
    checkCounts(counts, 'mm');
    return {
      boundaryMargins: maximumMarginBoundaries(counts, config.variant, config.maxMargin),
      gamma: config.gamma,
      scale: config.scale,
    };
  },
  perExample: ({ logits, labels }, prepared) =>
    tf.tidy(() => {
      const oneHot = oneHotOf(labels, logits.shape[1]);
      const shift = boundaryShift(logits, oneHot, perClassValue(labels, prepared.boundaryMargins), prepared.gamma);
      return softmaxNll(tf.mul(subtractOnTrueClass(logits, oneHot, shift), prepared.scale) as tf.Tensor2D, oneHot);
    }),
});
