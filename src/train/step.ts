/**
 * One optimisation step on a host batch: forward, loss, backward, SGD-momentum update, all inside one tidy scope.
 *
 * Intuition: the only place a batch becomes tensors during training. Nothing it creates outlives
 * the call except the variables' new values; the returned numbers are plain host values.
 */
import * as tf from '@tensorflow/tfjs-core';
import { batchTensorShape, type HostBatch } from '../core/host-batch.js';
import { UserError } from '../core/errors.js';
import type { Model } from '../models/model.js';
import type { LossSpec } from '../losses/loss-spec.js';
import { reduceLoss, type Reduction } from '../losses/reduce.js';
import type { SgdMomentum } from './sgd-momentum.js';

/** What a step reports, on the host. */
export interface StepResult {
  /** The reduced loss before the update. */
  readonly loss: number;
  /** Samples in the batch. */
  readonly size: number;
  /** Samples whose argmax logit was the label (before the update). */
  readonly correct: number;
  /** True when the batch was skipped for a non-finite loss (no update was made). */
  readonly skipped?: boolean;
}

/**
 * Turns a batch's per-example losses ([N]) and optional per-example weights ([N]) into the optimised
 * scalar, inside the step's gradient scope (e.g. ABSGD's attention weights, `createAbsgd`).
 */
export type LossReducer = (perExample: tf.Tensor1D, weights: tf.Tensor1D | undefined) => tf.Scalar;

/** Everything a step needs besides the batch. */
export interface TrainState {
  readonly model: Model;
  readonly loss: LossSpec<any, any>;
  /** `loss.prepare(config, counts)`'s result. */
  readonly prepared: unknown;
  readonly reduction: Reduction;
  readonly optimizer: SgdMomentum;
  /** Replaces `reduceLoss(perExample, reduction, weights)` when given. */
  readonly reducer?: LossReducer;
}

/** The optimised scalar of a batch: `state.reducer` when given, else the shared `reduceLoss` with `state.reduction`. */
export const reduceStepLoss = (state: Pick<TrainState, 'reduction' | 'reducer'>, perExample: tf.Tensor1D, weights: tf.Tensor1D | undefined): tf.Scalar =>
  state.reducer !== undefined ? state.reducer(perExample, weights) : (reduceLoss(perExample, state.reduction, weights) as tf.Scalar);

/** A multi-label batch's multi-hot targets as an [N, C] float tensor (inside a tidy scope), or undefined. */
export const targetsOf = (batch: HostBatch, numClasses: number): tf.Tensor2D | undefined =>
  batch.targets === undefined ? undefined : tf.tensor2d(Float32Array.from(batch.targets), [batch.y.length, numClasses]);

/**
 * Samples whose top-scoring class is one of their labels: the label itself for single-label batches,
 * any class of the label set for multi-label ones.
 */
export const countTopOneHits = (logits: tf.Tensor2D, labels: tf.Tensor1D, batch: HostBatch): number =>
  tf.tidy(() => {
    const predicted = tf.argMax(logits, 1);
    const targets = targetsOf(batch, logits.shape[1]);
    const hit = targets === undefined ? tf.equal(predicted, labels) : tf.sum(tf.mul(targets, tf.oneHot(predicted, logits.shape[1])), 1);
    return tf.sum(tf.cast(hit, 'int32')).dataSync()[0]!;
  });

/**
 * Per-example loss of a batch: L(y) for plain targets (with the multi-hot `targets` of a multi-label
 * batch passed along), λ·L(y) + (1 − λ)·L(y₂) for mixed ones.
 */
export const mixedPerExample = (
  state: Pick<TrainState, 'loss' | 'prepared'>,
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  features: tf.Tensor2D,
  batch: HostBatch,
): tf.Tensor1D => {
  const targets = targetsOf(batch, logits.shape[1]);
  if (targets !== undefined && batch.mix !== undefined) {
    throw new UserError('bad-config', 'Mixing operators (mixup, CutMix, CMO) do not mix multi-label targets; drop them for a multi-label dataset.');
  }
  const first = state.loss.perExample({ logits, labels, features, ...(targets !== undefined ? { targets } : {}) }, state.prepared);
  if (batch.mix === undefined) return first;
  const second = state.loss.perExample({ logits, labels: tf.tensor1d(batch.mix.y, 'int32'), features }, state.prepared);
  const lambda = tf.tensor1d(batch.mix.lambda);
  return tf.add(tf.mul(first, lambda), tf.mul(second, tf.sub(1, lambda))) as tf.Tensor1D;
};

/**
 * The end of every gradient step (call inside the step's tidy scope, after `tf.variableGrads`): a
 * non-finite loss releases the kept logits and fails in one sentence with the weights untouched;
 * otherwise the optimizer applies the gradients by variable name, and the result counts the top-1
 * hits of `logitsForAccuracy` (kept with `tf.keep`, disposed here) against `batch`.
 * @throws UserError (kind 'numeric') when the loss is NaN or ±Infinity
 */
export const finishStep = (
  state: Pick<TrainState, 'model' | 'loss' | 'optimizer'>,
  value: tf.Scalar,
  grads: tf.NamedTensorMap,
  logitsForAccuracy: tf.Tensor2D | undefined,
  labels: tf.Tensor1D,
  batch: HostBatch,
  lr: number,
) => {
  const lossValue = value.dataSync()[0]!;
  if (!Number.isFinite(lossValue)) {
    logitsForAccuracy?.dispose();
    throw new UserError('numeric', `The ${state.loss.name} loss became ${lossValue}.`, 3);
  }
  const trainable = state.model.variables.trainable;
  const byName: Record<string, tf.Tensor> = {};
  for (const [name, v] of trainable) {
    const g = grads[v.name];
    if (g !== undefined) byName[name] = g;
  }
  state.optimizer.apply(trainable, byName, lr);
  const correct = countTopOneHits(logitsForAccuracy!, labels, batch);
  logitsForAccuracy!.dispose();
  // An object literal (not typed StepResult): what tf.tidy may return from the step's scope.
  return { loss: lossValue, size: batch.y.length, correct };
};

/**
 * Runs one step at learning rate `lr`.
 * @throws UserError (kind 'numeric') when the loss is NaN or ±Infinity; the weights are then left untouched.
 */
export const trainStep = (state: TrainState, batch: HostBatch, lr: number): StepResult =>
  tf.tidy(() => {
    const x = tf.tensor4d(batch.x, batchTensorShape(batch));
    const labels = tf.tensor1d(batch.y, 'int32');
    const weights = batch.weight === undefined ? undefined : tf.tensor1d(batch.weight);
    const trainable = state.model.variables.trainable;
    let logitsForAccuracy: tf.Tensor2D | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const { logits, features } = state.model.forward(x, { training: true });
      logitsForAccuracy = tf.keep(logits);
      const per = mixedPerExample(state, logits, labels, features, batch);
      return reduceStepLoss(state, per, weights);
    }, [...trainable.values()]);
    return finishStep(state, value, grads, logitsForAccuracy, labels, batch, lr);
  });
