/**
 * Inference over a subset in batches: predicted classes and softmax probabilities on the host.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Subset } from '../data/labeled-images.js';
import { gatherBatch, type Normalization } from '../streams/gather-batch.js';
import { batchTensorShape } from '../core/host-batch.js';
import type { Model } from '../models/model.js';

/** Host-side predictions for a subset, in subset order. */
export interface Predictions {
  readonly labels: Int32Array;
  readonly predicted: Int32Array;
  /** [N, C] softmax probabilities, row-major. */
  readonly probabilities: Float32Array;
  readonly numClasses: number;
}

/** Runs `model` in inference mode over every image of `subset`. */
export const predict = (model: Model, subset: Subset, norm: Normalization, batchSize = 256): Predictions => {
  const n = subset.indices.length;
  const numClasses = subset.source.numClasses;
  const labels = new Int32Array(n);
  const predicted = new Int32Array(n);
  const probabilities = new Float32Array(n * numClasses);
  for (let start = 0; start < n; start += batchSize) {
    const positions = Int32Array.from({ length: Math.min(batchSize, n - start) }, (_, i) => start + i);
    const batch = gatherBatch(subset, positions, norm);
    const [pred, probs] = tf.tidy(() => {
      const { logits } = model.forward(tf.tensor4d(batch.x, batchTensorShape(batch)), { training: false });
      return [tf.argMax(logits, 1).dataSync() as Int32Array, tf.softmax(logits).dataSync() as Float32Array] as const;
    });
    labels.set(batch.y, start);
    predicted.set(pred, start);
    probabilities.set(probs, start * numClasses);
  }
  return { labels, predicted, probabilities, numClasses };
};
