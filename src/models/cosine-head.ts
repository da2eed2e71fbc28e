/**
 * The normalised-linear (cosine) classifier head: logits_j = ⟨x/‖x‖, w_j/‖w_j‖⟩ ∈ [−1, 1], no bias.
 * LDAM-DRW's `NormedLinear` (`kaidic/LDAM-DRW: models/resnet_cifar.py`), meant for margin losses
 * (LDAM, MM) whose scale s turns cosines into logits.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Which classifier head a model ends with. */
export type HeadKind = 'linear' | 'cosine';

const EPSILON = 1e-12;

/** Cosine logits of `features` [N, D] against the columns of `kernel` [D, C]. */
export const cosineLogits = (features: tf.Tensor2D, kernel: tf.Tensor2D): tf.Tensor2D =>
  tf.tidy(() => {
    const x = tf.div(features, tf.add(tf.norm(features, 'euclidean', 1, true), EPSILON));
    const w = tf.div(kernel, tf.add(tf.norm(kernel, 'euclidean', 0, true), EPSILON));
    return tf.matMul(x, w) as tf.Tensor2D;
  });
