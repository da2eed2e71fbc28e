/**
 * OT re-weighting as `fit`'s step: before each SGD step, the batch's raw weights take one OT step
 * toward the balanced meta set (`otWeightUpdate`), then the network trains on
 *   Σ_j w_j·ℓ(x_j, y_j) + metaLossWeight·mean_k ℓ(p_k, k)
 * with the updated raw weights w_j (`OT_train.py`: `loss = Σ w·CE + 10·mean meta CE`) over the meta
 * prototypes p_k. The weights live in a buffer with one entry per training sample, kept across epochs.
 *
 * Meta set: one prototype per class, the pixel mean of up to `metaPerClass` (10) normalised images of
 * that class (`meta_set='prototype'`). Deliberate deviations from the official stage 2:
 *   - the images are drawn (seeded) from the training subset itself, since a long-tailed subset may keep
 *     every image of its head class and leave none to hold out (the code removes 10 per class first);
 *   - the whole network trains with the run's optimiser from the start, not only the last layer from a
 *     stage-1 checkpoint at lr 2e-5;
 *   - the cost's features (the batch's and the prototypes') come from an inference-mode pass made for
 *     each step (the code: a train-mode pass, the prototypes once per epoch), so a resumed run repeats
 *     exactly what an uninterrupted one does;
 *   - the run's `reduction` is not used (the loss is the weighted sum above).
 *
 * @see otWeightUpdate, otCost, initialOtWeights
 */
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { batchTensorShape, sampleLength, type HostBatch } from '../core/host-batch.js';
import { draw, type Rng } from '../core/rng.js';
import type { Subset } from '../data/labeled-images.js';
import { subsetLabels } from '../data/labeled-images.js';
import { gatherBatch, type Normalization } from '../streams/gather-batch.js';
import { initialOtWeights, otCost, otWeightUpdate, type OtCostKind } from './ot-reweighting.js';
import type { StepFunction } from './fit.js';
import { finishStep, type StepResult, type TrainState } from './step.js';

/** Settings of OT re-weighting in a run (defaults of `OT_train.py`). */
export interface OtReweightConfig {
  /** Images per class averaged into each meta prototype (10). */
  readonly metaPerClass: number;
  readonly cost: OtCostKind;
  /** Sinkhorn's ε (0.1). */
  readonly epsilon: number;
  /** Learning rate (0.01) and decay (5e-4) of the raw weights. */
  readonly lr: number;
  readonly weightDecay: number;
  /** β of the class-balanced initial weights (0.9999). */
  readonly beta: number;
  /** Coefficient of the meta set's mean loss (10). */
  readonly metaLossWeight: number;
}

/** `OT_train.py`'s settings. */
export const OT_REWEIGHT_DEFAULTS: OtReweightConfig = Object.freeze({ metaPerClass: 10, cost: 'combined', epsilon: 0.1, lr: 0.01, weightDecay: 5e-4, beta: 0.9999, metaLossWeight: 10 });

/** OT re-weighting with its weight buffer, to plug into `fit`. */
export interface OtReweighting {
  readonly config: OtReweightConfig;
  /** One prototype per class (label k at row k). */
  readonly prototypes: HostBatch;
  /** The raw weights, one per training sample in subset order (save them in checkpoints). */
  weights(): Float32Array;
  /** Sets the raw weights (when resuming); Left when the length is wrong. */
  restore(weights: ArrayLike<number>): E.Either<string, void>;
  /** `fit`'s step. */
  readonly step: StepFunction;
}

/**
 * The meta prototypes: for each class, the mean of up to `perClass` of its images in `subset`, chosen
 * by `rng`. Classes without images get a zero image.
 */
export const metaPrototypes = (subset: Subset, numClasses: number, perClass: number, normalization: Normalization, rng: Rng): HostBatch => {
  const labels = subsetLabels(subset);
  const per = sampleLength(subset.source.shape);
  const x = new Float32Array(numClasses * per);
  const [order] = draw(rng, (d) => d.permutation(labels.length));
  for (let k = 0; k < numClasses; k++) {
    const positions = Array.from(order).filter((p) => labels[p] === k).slice(0, perClass);
    if (positions.length === 0) continue;
    const images = gatherBatch(subset, positions, normalization).x;
    for (let i = 0; i < positions.length; i++) for (let j = 0; j < per; j++) x[k * per + j]! += images[i * per + j]! / positions.length;
  }
  return { x, y: Int32Array.from({ length: numClasses }, (_, k) => k), index: new Int32Array(numClasses).fill(-1), shape: subset.source.shape };
};

/**
 * Creates OT re-weighting for the training subset `subset` (class counts `counts`), its prototypes
 * drawn with `rng`.
 */
export const createOtReweighting = (
  subset: Subset,
  counts: readonly number[],
  normalization: Normalization,
  rng: Rng,
  config: Partial<OtReweightConfig> = {},
): OtReweighting => {
  const c: OtReweightConfig = { ...OT_REWEIGHT_DEFAULTS, ...config };
  const numClasses = counts.length;
  const prototypes = metaPrototypes(subset, numClasses, c.metaPerClass, normalization, rng);
  let buffer = initialOtWeights(subsetLabels(subset), counts, c.beta);
  const positionOf = new Map<number, number>();
  subset.indices.forEach((index, p) => positionOf.set(index, p));
  const positionsOf = (batch: HostBatch): number[] =>
    Array.from(batch.index, (i) => {
      const p = positionOf.get(i);
      if (p === undefined) throw new Error(`OT re-weighting: sample ${i} is not in the training subset`);
      return p;
    });

  const step: StepFunction = (state: TrainState, batch: HostBatch, lr: number): StepResult => {
    if (batch.mix !== undefined) throw new Error('OT re-weighting: batches with mixed targets are not supported');
    const positions = positionsOf(batch);
    const raw = Float32Array.from(positions, (p) => buffer[p]!);
    // 1. One OT step on the batch's weights, with features of the current network.
    const cost = tf.tidy(() => {
      const batchFeatures = state.model.forward(tf.tensor4d(batch.x, batchTensorShape(batch)), { training: false }).features;
      const metaFeatures = state.model.forward(tf.tensor4d(prototypes.x, batchTensorShape(prototypes)), { training: false }).features;
      return otCost({ features: metaFeatures, labels: prototypes.y }, { features: batchFeatures, labels: batch.y }, numClasses, c.cost);
    });
    let updated: Float32Array;
    try {
      updated = otWeightUpdate(raw, cost, { epsilon: c.epsilon, lr: c.lr, weightDecay: c.weightDecay }).weights;
    } finally {
      cost.dispose();
    }
    // 2. The network's step on Σ w·ℓ + metaLossWeight·mean ℓ(meta).
    const result = tf.tidy(() => {
      const x = tf.tensor4d(batch.x, batchTensorShape(batch));
      const labels = tf.tensor1d(batch.y, 'int32');
      const weights = tf.tensor1d(updated);
      const xm = tf.tensor4d(prototypes.x, batchTensorShape(prototypes));
      const ym = tf.tensor1d(prototypes.y, 'int32');
      const trainable = state.model.variables.trainable;
      let logitsForAccuracy: tf.Tensor2D | undefined;
      const { value, grads } = tf.variableGrads(() => {
        const out = state.model.forward(x, { training: true });
        logitsForAccuracy = tf.keep(out.logits);
        const per = state.loss.perExample({ logits: out.logits, labels, features: out.features }, state.prepared);
        const meta = state.model.forward(xm, { training: true });
        const metaPer = state.loss.perExample({ logits: meta.logits, labels: ym, features: meta.features }, state.prepared);
        return tf.add(tf.sum(tf.mul(weights, per)), tf.mul(c.metaLossWeight, tf.mean(metaPer))) as tf.Scalar;
      }, [...trainable.values()]);
      return finishStep(state, value, grads, logitsForAccuracy, labels, batch, lr);
    });
    // Only a step that went through keeps its new weights (a skipped batch leaves the buffer as it was).
    positions.forEach((p, j) => (buffer[p] = updated[j]!));
    return result;
  };

  return {
    config: c,
    prototypes,
    weights: () => buffer,
    restore: (weights) => {
      if (weights.length !== buffer.length) return E.left(`OT re-weighting has ${buffer.length} sample weights, the checkpoint ${weights.length}`);
      buffer = Float32Array.from(weights);
      return E.right(undefined);
    },
    step,
  };
};
