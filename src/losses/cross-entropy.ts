/**
 * Softmax cross-entropy with optional label smoothing: the baseline every long-tail paper compares against.
 *
 * ℓ_i = −(1 − ε)·log p_{i,y_i} − (ε / C)·Σ_j log p_{i,j},  p = softmax(z)
 * (Szegedy et al., "Rethinking the Inception Architecture", 2016, §7 for ε; ε = 0 is plain CE,
 * as in LDAM-DRW's `cifar_train.py` with `--loss_type CE`).
 */
import * as t from 'io-ts';
import * as tf from '@tensorflow/tfjs-core';
import { Probability } from '../config/codecs.js';
import { defineLoss } from './loss-spec.js';

/** Cross-entropy's config. */
export const CrossEntropyConfig = t.type({ labelSmoothing: Probability });
/** Cross-entropy's config type. */
export type CrossEntropyConfig = t.TypeOf<typeof CrossEntropyConfig>;

/** Per-example smoothed cross-entropy of `logits` [N, C] against int labels [N]. */
export const crossEntropyPerExample = (logits: tf.Tensor2D, labels: tf.Tensor1D, labelSmoothing = 0): tf.Tensor1D =>
  tf.tidy(() => {
    const numClasses = logits.shape[1];
    const logp = tf.logSoftmax(logits);
    const oneHot = tf.oneHot(tf.cast(labels, 'int32'), numClasses);
    const nll = tf.neg(tf.sum(tf.mul(oneHot, logp), 1));
    if (labelSmoothing === 0) return nll as tf.Tensor1D;
    const uniform = tf.neg(tf.mean(logp, 1));
    return tf.add(tf.mul(nll, 1 - labelSmoothing), tf.mul(uniform, labelSmoothing)) as tf.Tensor1D;
  });

/** Cross-entropy as a registered loss. */
export const crossEntropy = defineLoss<CrossEntropyConfig, CrossEntropyConfig>({
  name: 'ce',
  summary: 'softmax cross-entropy, optional label smoothing',
  source: 'standard; label smoothing: Szegedy et al. 2016 §7',
  configCodec: CrossEntropyConfig,
  defaults: { labelSmoothing: 0 },
  prepare: (config) => config,
  perExample: ({ logits, labels }, config) => crossEntropyPerExample(logits, labels, config.labelSmoothing),
});
