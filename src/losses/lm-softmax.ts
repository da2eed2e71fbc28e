/**
 * LM-Softmax (largest-margin softmax): softmax cross-entropy with the target class left out of the
 * denominator, optionally with the paper's sample-margin and zero-centroid regularisers.
 *
 * Intuition: in CE the target term in the denominator lets the loss saturate once p_y ≈ 1; without
 * it, log Σ_{j≠y} e^{s(z_j − z_y)} keeps decreasing until the nearest wrong class is as far as the
 * geometry allows, which for normalised prototypes and features is the regular simplex (the largest
 * class margin); the 1/s form tends to max_{j≠y}(z_j − z_y) = −(sample margin) as s → ∞.
 *
 * Formula (z: cosine logits w_jᵀx̂ of a normalised-linear head, y the label):
 *   L_LM = log Σ_{j≠y} exp( s·(z_j − z_y) )                 (= −log( e^{s z_y} / Σ_{j≠y} e^{s z_j} ))
 *   ℓ    = L_LM / s  (divideByScale, the default)  or  L_LM
 *          + λ_sm · (max_{j≠y} z_j − z_y)                   (sampleMarginWeight; `sampleMarginPenalty`)
 *          + λ_w  · R_w                                     (zeroCentroidWeight; `zeroCentroidPenalty`)
 * The class-imbalanced setting of the paper is LM-Softmax with the zero-centroid regulariser: set
 * `zeroCentroidWeight` > 0 (R_w is exact when the caller passes `classifierKernel`, else the logit
 * form documented in ./zero-centroid.ts). ℓ can be negative (down to −2 − … for cosines): the loss has
 * no target term, so it is not a negative log-probability.
 * Stable form: the target column is pushed 1e30 down, then `tf.logSumExp` (max-shifted).
 *
 * Paper: Zhou, Liu, Zhai, Jiang, Gao, Ji, "Learning Towards the Largest Margins", ICLR 2022
 * (arXiv 2206.11589). No official code is available to us; the form follows a third-party
 * `LMSoftmaxLoss(scale=64)` (read through the search index, repository unnamed), which returns
 * `mean(log Σ_{j≠y} e^{s(z_j − z_y)}) / s`: the 1/s is the code's, not the paper's (it rescales the
 * gradient only; `divideByScale: false` gives the paper's form). Defaults s = 64 from that code;
 * λ_sm = λ_w = 0 (plain LM-Softmax; the paper's values are unknown to us).
 * Needs at least two classes. Counts are not used (besides the checks).
 *
 * @see sampleMargin, zeroCentroid, gmSoftmax, crossEntropy (CE(s·z) = softplus(s·ℓ) with divideByScale and no regulariser)
 */
import * as t from 'io-ts';
import * as tf from '@tensorflow/tfjs-core';
import { NonNegative, Positive } from '../config/codecs.js';
import { defineLoss } from './loss-spec.js';
import { checkCounts, oneHotOf } from './internal.js';
import { checkTwoClasses, sampleMarginPenalty } from './sample-margin.js';
import { zeroCentroidPenalty } from './zero-centroid.js';

/** LM-Softmax's config. */
export const LmSoftmaxConfig = t.type({
  /** Logit scale s. */
  scale: Positive,
  /** Return L_LM / s (the third-party code) instead of L_LM (the paper). */
  divideByScale: t.boolean,
  /** Weight λ_sm of the sample-margin penalty (0: off). */
  sampleMarginWeight: NonNegative,
  /** Weight λ_w of the zero-centroid penalty (0: off; > 0 for the class-imbalanced setting). */
  zeroCentroidWeight: NonNegative,
});
/** LM-Softmax's config type. */
export type LmSoftmaxConfig = t.TypeOf<typeof LmSoftmaxConfig>;

/** L_LM = log Σ_{j≠y} exp(s·(z_j − z_y)) per example ([N]; call inside a tidy scope). */
export const lmSoftmaxTerm = (logits: tf.Tensor2D, oneHot: tf.Tensor2D, scale: number): tf.Tensor1D =>
  tf.tidy(() => {
    const scaled = tf.mul(logits, scale);
    const others = tf.logSumExp(tf.sub(scaled, tf.mul(oneHot, 1e30)), 1);
    return tf.sub(others, tf.sum(tf.mul(oneHot, scaled), 1)) as tf.Tensor1D;
  });

/** LM-Softmax as a registered loss (with optional sample-margin and zero-centroid regularisers). */
export const lmSoftmax = defineLoss<LmSoftmaxConfig, LmSoftmaxConfig>({
  name: 'lm-softmax',
  summary: 'largest-margin softmax (1/s)·log Σ_{j≠y} e^{s(z_j − z_y)}, optional sample-margin and zero-centroid regularisers',
  source: 'Zhou et al., ICLR 2022 (arXiv 2206.11589); no official code: third-party LMSoftmaxLoss (s = 64, ÷ s); λ_sm = λ_w = 0 ours',
  configCodec: LmSoftmaxConfig,
  defaults: { scale: 64, divideByScale: true, sampleMarginWeight: 0, zeroCentroidWeight: 0 },
  prepare: (config, counts) => {
    checkCounts(counts, 'lm-softmax');
    checkTwoClasses(counts, 'lm-softmax');
    return config;
  },
  perExample: ({ logits, labels, classifierKernel }, prepared) =>
    tf.tidy(() => {
      const oneHot = oneHotOf(labels, logits.shape[1]);
      const lm = lmSoftmaxTerm(logits, oneHot, prepared.scale);
      let loss: tf.Tensor1D = prepared.divideByScale ? (tf.div(lm, prepared.scale) as tf.Tensor1D) : lm;
      if (prepared.sampleMarginWeight > 0) {
        loss = tf.add(loss, tf.mul(sampleMarginPenalty(logits, oneHot), prepared.sampleMarginWeight)) as tf.Tensor1D;
      }
      if (prepared.zeroCentroidWeight > 0) {
        loss = tf.add(loss, tf.mul(zeroCentroidPenalty(logits, classifierKernel), prepared.zeroCentroidWeight)) as tf.Tensor1D;
      }
      return loss;
    }),
});
