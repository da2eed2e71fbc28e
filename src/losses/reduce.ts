/**
 * The one reduction every loss goes through.
 *
 * - `mean`: Σ w_i ℓ_i / N (w_i = 1 without weights).
 * - `weighted-mean`: Σ w_i ℓ_i / Σ w_i — PyTorch's `F.cross_entropy(weight=…)` with mean reduction,
 *   which class-weighted methods (CB, DRW) rely on; tfjs's own default divides by the count of
 *   non-zero weights instead, so it is not used.
 * - `sum`: Σ w_i ℓ_i.  `none`: w_i ℓ_i.
 */
import * as tf from '@tensorflow/tfjs-core';

/** How per-example values become the optimised value. */
export type Reduction = 'mean' | 'weighted-mean' | 'sum' | 'none';

/** Reduces per-example losses `perExample` ([N]) with optional weights ([N]). */
export const reduceLoss = (perExample: tf.Tensor1D, reduction: Reduction, weights?: tf.Tensor1D): tf.Tensor =>
  tf.tidy(() => {
    const weighted = weights === undefined ? perExample : tf.mul(perExample, weights);
    switch (reduction) {
      case 'none':
        return weighted;
      case 'sum':
        return tf.sum(weighted);
      case 'mean':
        return tf.div(tf.sum(weighted), perExample.shape[0]);
      case 'weighted-mean':
        return weights === undefined ? tf.mean(perExample) : tf.div(tf.sum(weighted), tf.sum(weights));
    }
  });
