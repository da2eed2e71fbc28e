/**
 * The normalised-linear (cosine) classifier head: logits_j = ⟨x/‖x‖, w_j/‖w_j‖⟩ ∈ [−1, 1], no bias.
 * LDAM-DRW's `NormedLinear` (`kaidic/LDAM-DRW: models/resnet_cifar.py`), meant for margin losses
 * (LDAM, MM) whose scale s turns cosines into logits.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Which classifier head a model ends with. */
export type HeadKind = 'linear' | 'cosine';

const EPSILON = 1e-12;

/**
 * `x` scaled to unit L2 norm along `axis`, the norm floored at 1e-12 as torch's `F.normalize`.
 * Written as √max(Σx², ε²) so that an all-zero row (a feature vector whose ReLUs are all off) has
 * a finite (zero) gradient; √ of 0 would make it NaN.
 */
const unitAlong = (x: tf.Tensor2D, axis: number): tf.Tensor2D =>
  tf.div(x, tf.sqrt(tf.maximum(tf.sum(tf.square(x), axis, true), EPSILON * EPSILON))) as tf.Tensor2D;

/**
 * The classifier head's logits of `features` [N, D]: cosine against the columns of `kernel` [D, C],
 * or `features · kernel + bias` for a linear head, the default (`bias` is read only then: a cosine head has none).
 */
export const headLogits = (head: HeadKind | undefined, features: tf.Tensor2D, kernel: tf.Tensor2D, bias: () => tf.Tensor): tf.Tensor2D =>
  head === 'cosine' ? cosineLogits(features, kernel) : (tf.add(tf.matMul(features, kernel), bias()) as tf.Tensor2D);

/** Cosine logits of `features` [N, D] against the columns of `kernel` [D, C]. */
export const cosineLogits = (features: tf.Tensor2D, kernel: tf.Tensor2D): tf.Tensor2D =>
  tf.tidy(() => {
    return tf.matMul(unitAlong(features, 1), unitAlong(kernel, 0)) as tf.Tensor2D;
  });
