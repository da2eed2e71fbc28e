/**
 * Zero-centroid regularisation: normalised-softmax cross-entropy plus a penalty on the mean of the
 * normalised class prototypes, for the class-imbalanced case.
 *
 * Intuition: with imbalance the head classes' prototypes crowd together and drag the tail ones, so
 * the classes are no longer spread evenly on the sphere; prototypes that are as far apart as possible
 * (a regular simplex) have their centroid at the origin, so pull the centroid there.
 *
 * Formula (w_j the normalised prototypes, the columns of the classifier kernel; C classes):
 *   R_w = ‖ (1/C) · Σ_j w_j ‖²                    (exact form, when `classifierKernel` is given)
 *   ℓ   = CE(s · z, y) + λ_w · R_w                 (R_w added to every example: the mean reduction gives λ_w·R_w)
 *
 * Logit form (when the caller passes no `classifierKernel`, as src/train/step.ts does today): with
 * cosine logits z_ij = w_jᵀx̂_i, the row mean is (1/C)·Σ_j z_ij = w̄ᵀx̂_i, and
 *   R̂_w(i) = ( (1/C) · Σ_j z_ij )²,   mean_i R̂_w(i) = w̄ᵀ Σ̂ w̄ ≤ ‖w̄‖²    (Σ̂ the batch second moment of x̂)
 * Deliberate deviation: R̂_w equals ‖w̄‖²/D for isotropic features and is zero exactly when w̄ = 0
 * as soon as the batch's features span the feature space, but its gradient also reaches the
 * features (it pushes x̂ away from w̄), where the paper's R_w only moves the prototypes.
 *
 * Paper: Zhou, Liu, Zhai, Jiang, Gao, Ji, "Learning Towards the Largest Margins", ICLR 2022
 * (arXiv 2206.11589), zero-centroid regularisation for the class-imbalanced case, combined there with
 * LM-Softmax (`lmSoftmax` takes the same penalty as `zeroCentroidWeight`). No official code is
 * available to us; the formula is from our methods sheet (marked recalled), λ_w and s have no source
 * (s = 64 as in `sampleMargin`, λ_w = 1 ours).
 *
 * @see lmSoftmax, sampleMargin, simplexEtfPrototypes (prototypes whose centroid is already 0)
 */
import * as t from 'io-ts';
import * as tf from '@tensorflow/tfjs-core';
import { NonNegative, Positive } from '../config/codecs.js';
import { defineLoss } from './loss-spec.js';
import { checkCounts, oneHotOf, softmaxNll } from './internal.js';

/** Zero-centroid loss's config. */
export const ZeroCentroidConfig = t.type({
  /** Logit scale s of the cross-entropy term. */
  scale: Positive,
  /** Weight λ_w of the penalty. */
  weight: NonNegative,
});
/** Zero-centroid loss's config type. */
export type ZeroCentroidConfig = t.TypeOf<typeof ZeroCentroidConfig>;

const EPSILON = 1e-12;

/**
 * The zero-centroid penalty per example ([N]; call inside a tidy scope): ‖mean_j w_j/‖w_j‖‖² for every
 * example when `kernel` ([D, C]) is given, else the logit form ((1/C)·Σ_j z_ij)² (see the module doc).
 */
export const zeroCentroidPenalty = (logits: tf.Tensor2D, kernel?: tf.Tensor2D): tf.Tensor1D =>
  tf.tidy(() => {
    if (kernel === undefined) return tf.square(tf.mean(logits, 1)) as tf.Tensor1D;
    if (kernel.shape[1] !== logits.shape[1]) {
      throw new Error(`zeroCentroidPenalty: the kernel has ${kernel.shape[1]} columns for ${logits.shape[1]} classes`);
    }
    const unit = tf.div(kernel, tf.add(tf.norm(kernel, 'euclidean', 0, true), EPSILON));
    const centroid = tf.sum(tf.square(tf.mean(unit, 1)));
    return tf.mul(tf.ones([logits.shape[0]]), centroid) as tf.Tensor1D;
  });

/** Zero-centroid regularisation as a registered loss: CE(s·z) + λ_w·R_w. */
export const zeroCentroid = defineLoss<ZeroCentroidConfig, ZeroCentroidConfig>({
  name: 'zero-centroid',
  summary: 'CE(s·z) + λ_w·‖mean_j w_j‖² (logit form ((1/C)Σ_j z_j)² without the kernel): zero-centroid regulariser',
  source: 'Zhou et al., ICLR 2022 (largest margins), zero-centroid regularisation; no official code; s = 64, λ_w = 1 not from the paper',
  configCodec: ZeroCentroidConfig,
  defaults: { scale: 64, weight: 1 },
  prepare: (config, counts) => {
    checkCounts(counts, 'zero-centroid');
    return config;
  },
  perExample: ({ logits, labels, classifierKernel }, prepared) =>
    tf.tidy(() => {
      const ce = softmaxNll(tf.mul(logits, prepared.scale) as tf.Tensor2D, oneHotOf(labels, logits.shape[1]));
      if (prepared.weight === 0) return ce;
      return tf.add(ce, tf.mul(zeroCentroidPenalty(logits, classifierKernel), prepared.weight)) as tf.Tensor1D;
    }),
});
