/**
 * GM-Softmax (generalised margin softmax): the family that writes SphereFace, ArcFace and CosFace as
 * one cross-entropy on cosine logits with a margin function of the target angle.
 *
 * Intuition: every margin-based softmax makes the target class harder to win by bending its logit,
 * multiplicatively on the angle (m1), additively on the angle (m2) or on the cosine (m3); the largest
 * margins paper studies them together and shows they reach the largest class margin only as s → ∞.
 *
 * Formula (z_j = cos θ_j cosine logits of a normalised-linear head, y the label):
 *   θ_y = arccos(clip(z_y, −1 + 1e-7, 1 − 1e-7))
 *   ψ(θ_y) = cos(min(m1·θ_y + m2, π)) − m3
 *   ℓ = −log( e^{s·ψ(θ_y)} / (e^{s·ψ(θ_y)} + Σ_{j≠y} e^{s·z_j}) ) = CE(s·z', y),  z' = z with z'_y = ψ(θ_y)
 * (m1, m2, m3) = (1, 0, 0) is NormFace (CE on s·z), (1, 0, m) CosFace, (1, m, 0) ArcFace, (m, 0, 0) SphereFace.
 *
 * Paper: Zhou, Liu, Zhai, Jiang, Gao, Ji, "Learning Towards the Largest Margins", ICLR 2022
 * (arXiv 2206.11589), the generalised margin softmax. No official code is available to us and our
 * methods sheet marks this form as recalled (the paper may parametrise the family differently); it is
 * the combined-margin form of the three losses it names. Defaults: CosFace's s = 64, m = 0.35
 * (Wang et al., CVPR 2018), as in the third-party `CosFaceLoss(margin=0.35, scale=64)`.
 * Deliberate deviations: the clip keeps arccos's gradient finite at |z| = 1 (and logits outside
 * [−1, 1], which a cosine head never produces, are clipped); past m1·θ + m2 = π the target logit is
 * held at −1 − m3 (monotone in θ, no gradient through the target there), where ArcFace's official code
 * switches to cos θ − m·sin m and SphereFace to a piecewise (−1)^k·cos(mθ) − 2k.
 *
 * @see lmSoftmax, ldam (an additive cosine margin per class), sampleMargin
 */
import * as t from 'io-ts';
import * as tf from '@tensorflow/tfjs-core';
import { AtLeastOne, NonNegative, Positive } from '../config/codecs.js';
import { defineLoss } from './loss-spec.js';
import { checkCounts, oneHotOf, softmaxNll } from './internal.js';

/** GM-Softmax's config. */
export const GmSoftmaxConfig = t.type({
  /** Multiplicative angular margin m1 ≥ 1 (SphereFace). */
  angleScale: AtLeastOne,
  /** Additive angular margin m2 ≥ 0 (ArcFace), radians. */
  angleMargin: NonNegative,
  /** Additive cosine margin m3 ≥ 0 (CosFace). */
  cosineMargin: NonNegative,
  /** Logit scale s. */
  scale: Positive,
});
/** GM-Softmax's config type. */
export type GmSoftmaxConfig = t.TypeOf<typeof GmSoftmaxConfig>;

const CLIP = 1 - 1e-7;

/** ψ(θ_y) = cos(min(m1·θ_y + m2, π)) − m3 from the target cosines [N] (call inside a tidy scope). */
export const gmTargetLogit = (targetCosine: tf.Tensor1D, config: Omit<GmSoftmaxConfig, 'scale'>): tf.Tensor1D =>
  tf.tidy(() => {
    const theta = tf.acos(tf.clipByValue(targetCosine, -CLIP, CLIP));
    const bent = tf.minimum(tf.add(tf.mul(theta, config.angleScale), config.angleMargin), Math.PI);
    return tf.sub(tf.cos(bent), config.cosineMargin) as tf.Tensor1D;
  });

/** GM-Softmax as a registered loss. */
export const gmSoftmax = defineLoss<GmSoftmaxConfig, GmSoftmaxConfig>({
  name: 'gm-softmax',
  summary: 'generalised margin softmax CE(s·z\') with z\'_y = cos(m1·θ_y + m2) − m3 (SphereFace/ArcFace/CosFace family)',
  source: 'Zhou et al., ICLR 2022 (arXiv 2206.11589), form recalled, no official code; defaults CosFace (Wang et al., CVPR 2018: s = 64, m = 0.35)',
  configCodec: GmSoftmaxConfig,
  defaults: { angleScale: 1, angleMargin: 0, cosineMargin: 0.35, scale: 64 },
  prepare: (config, counts) => {
    checkCounts(counts, 'gm-softmax');
    return config;
  },
  perExample: ({ logits, labels }, prepared) =>
    tf.tidy(() => {
      const oneHot = oneHotOf(labels, logits.shape[1]);
      const target = gmTargetLogit(tf.sum(tf.mul(oneHot, logits), 1) as tf.Tensor1D, prepared);
      const bent = tf.add(tf.mul(logits, tf.sub(1, oneHot)), tf.mul(oneHot, tf.expandDims(target, 1))) as tf.Tensor2D;
      return softmaxNll(tf.mul(bent, prepared.scale) as tf.Tensor2D, oneHot);
    }),
});
