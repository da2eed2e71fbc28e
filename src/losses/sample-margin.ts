/**
 * Sample-margin regularisation: normalised-softmax cross-entropy plus a penalty on the negative
 * sample margin, so that every sample is pushed away from its nearest wrong class.
 *
 * Intuition: CE stops pushing once p_y is close to 1, well before the sample margin is as large as it
 * could be; −(z_y − max_{j≠y} z_j) keeps a constant pull on the worst competitor.
 *
 * Formula (z: cosine logits w_jᵀx of a normalised-linear head, y the label):
 *   γ(x, y) = z_y − max_{j≠y} z_j                    (sample margin)
 *   R_sm    = −γ(x, y) = max_{j≠y} z_j − z_y          (in [−2, 2] for cosines)
 *   ℓ       = CE(s · z, y) + λ · R_sm
 *
 * Paper: Zhou, Liu, Zhai, Jiang, Gao, Ji, "Learning Towards the Largest Margins", ICLR 2022
 * (arXiv 2206.11589), the sample margin regularisation. No official code is available to us; R_sm
 * follows a third-party `SampleMarginLoss` (read through the search index, repository unnamed), which
 * masks the true class with −1 before the max — valid for cosines only; here the true class is masked
 * out properly, so R_sm is also right for logits outside [−1, 1]. That code returns R_sm alone (the
 * caller adds it to a loss); λ and s have no source: s = 64 is the scale of the same file's
 * NormFace/LM-Softmax losses, λ = 1 is ours.
 *
 * @see lmSoftmax (which can add the same penalty), zeroCentroid, ldam
 */
import * as t from 'io-ts';
import * as tf from '@tensorflow/tfjs-core';
import { NonNegative, Positive } from '../config/codecs.js';
import { UserError } from '../core/errors.js';
import type { ClassCounts } from '../core/class-counts.js';
import { defineLoss } from './loss-spec.js';
import { checkCounts, oneHotOf, softmaxNll } from './internal.js';

/** Sample-margin loss's config. */
export const SampleMarginConfig = t.type({
  /** Logit scale s of the cross-entropy term. */
  scale: Positive,
  /** Weight λ of the penalty R_sm. */
  weight: NonNegative,
});
/** Sample-margin loss's config type. */
export type SampleMarginConfig = t.TypeOf<typeof SampleMarginConfig>;

/**
 * Checks that a loss defined through "the other classes" has at least two classes.
 * @throws UserError (kind 'bad-config') for a single class
 */
export const checkTwoClasses = (counts: ClassCounts, lossName: string): void => {
  if (counts.length < 2) throw new UserError('bad-config', `${lossName}: needs at least 2 classes, got ${counts.length}.`);
};

/** max_{j≠y} z_j per example: the true class is pushed 1e30 down before the max (call inside a tidy scope). */
export const maxOtherLogit = (logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Tensor1D =>
  tf.max(tf.sub(logits, tf.mul(oneHot, 1e30)), 1) as tf.Tensor1D;

/** R_sm = max_{j≠y} z_j − z_y per example, the negative sample margin ([N]; call inside a tidy scope). */
export const sampleMarginPenalty = (logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Tensor1D =>
  tf.sub(maxOtherLogit(logits, oneHot), tf.sum(tf.mul(oneHot, logits), 1)) as tf.Tensor1D;

/** Sample-margin regularisation as a registered loss: CE(s·z) + λ·R_sm. */
export const sampleMargin = defineLoss<SampleMarginConfig, SampleMarginConfig>({
  name: 'sample-margin',
  summary: 'CE(s·z) + λ·(max_{j≠y} z_j − z_y): cross-entropy with the sample-margin regulariser',
  source: 'Zhou et al., ICLR 2022 (largest margins), sample margin regularisation; no official code (third-party SampleMarginLoss); s = 64, λ = 1 not from the paper',
  configCodec: SampleMarginConfig,
  defaults: { scale: 64, weight: 1 },
  prepare: (config, counts) => {
    checkCounts(counts, 'sample-margin');
    checkTwoClasses(counts, 'sample-margin');
    return config;
  },
  perExample: ({ logits, labels }, prepared) =>
    tf.tidy(() => {
      const oneHot = oneHotOf(labels, logits.shape[1]);
      const ce = softmaxNll(tf.mul(logits, prepared.scale) as tf.Tensor2D, oneHot);
      if (prepared.weight === 0) return ce;
      return tf.add(ce, tf.mul(sampleMarginPenalty(logits, oneHot), prepared.weight)) as tf.Tensor1D;
    }),
});
