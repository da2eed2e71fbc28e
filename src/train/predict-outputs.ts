/**
 * Inference over a subset that keeps what post-hoc calibration needs: raw logits and features on the
 * host (`predict` keeps only argmax and softmax probabilities).
 *
 * @see predict, fitMarc, tauNormalizedLogits, posthocAdjustLogits
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Subset } from '../data/labeled-images.js';
import { gatherBatch, type Normalization } from '../streams/gather-batch.js';
import { batchTensorShape } from '../core/host-batch.js';
import type { Model } from '../models/model.js';

/** Host-side outputs for a subset, in subset order, row-major. */
export interface ModelOutputs {
  readonly labels: Int32Array;
  /** [N, C] raw class scores. */
  readonly logits: Float32Array;
  /** [N, D] the features the classifier reads. */
  readonly features: Float32Array;
  readonly numClasses: number;
  readonly featureDim: number;
}

/** Runs `model` in inference mode over every image of `subset`, `batchSize` at a time. */
export const predictOutputs = (model: Model, subset: Subset, norm: Normalization, batchSize = 256): ModelOutputs => {
  const n = subset.indices.length;
  const numClasses = subset.source.numClasses;
  const labels = new Int32Array(n);
  let logits = new Float32Array(0);
  let features = new Float32Array(0);
  let featureDim = 0;
  for (let start = 0; start < n; start += batchSize) {
    const positions = Int32Array.from({ length: Math.min(batchSize, n - start) }, (_, i) => start + i);
    const batch = gatherBatch(subset, positions, norm);
    const [z, f, d] = tf.tidy(() => {
      const out = model.forward(tf.tensor4d(batch.x, batchTensorShape(batch)), { training: false });
      return [out.logits.dataSync() as Float32Array, out.features.dataSync() as Float32Array, out.features.shape[1]] as const;
    });
    if (start === 0) {
      featureDim = d;
      logits = new Float32Array(n * numClasses);
      features = new Float32Array(n * d);
    }
    labels.set(batch.y, start);
    logits.set(z, start * numClasses);
    features.set(f, start * featureDim);
  }
  return { labels, logits, features, numClasses, featureDim };
};
