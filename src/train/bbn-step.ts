/**
 * One BBN step on a pair of batches (conventional, re-balancing): the bilateral forward pass with the
 * cumulative-learning weight α, the loss α·L(z, y_c) + (1 − α)·L(z, y_r), then SGD-momentum.
 *
 * Intuition: `trainStep` for a two-input model. The two labels per row are exactly a mixed target
 * (y_c with weight α, y_r with 1 − α), so the loss goes through `mixedPerExample` and the run's
 * reduction like every other loss (`Megvii-Nanjing/BBN: lib/core/combiner.py` `bbn_mix`:
 * `α·criterion(output, label_a) + (1 − α)·criterion(output, label_b)`).
 *
 * Reported accuracy counts argmax z = y_c (the conventional labels); the official code reports
 * α·acc(y_c) + (1 − α)·acc(y_r). Per-sample weights, when any, are the conventional batch's.
 *
 * @see createBbnResNet, cumulativeLearningAlpha, bilateralBatches
 */
import * as tf from '@tensorflow/tfjs-core';
import { batchTensorShape, type HostBatch } from '../core/host-batch.js';
import { isBilateralModel } from '../models/bbn.js';
import type { BilateralBatch } from '../streams/bilateral-batches.js';
import { mixedPerExample, reduceStepLoss, type StepResult, type TrainState, finishStep } from './step.js';

/**
 * Runs one BBN step at learning rate `lr` and adaptor `alpha` (`cumulativeLearningAlpha(...)(epoch)`).
 * @throws UserError (kind 'numeric') when the loss is not finite; the weights are then left untouched
 * @throws Error when the model has no bilateral forward pass, the batches differ in size, or carry mixed targets
 */
export const bbnStep = (state: TrainState, pair: BilateralBatch, lr: number, alpha: number): StepResult => {
  const model = state.model;
  if (!isBilateralModel(model)) throw new Error(`bbnStep: the model '${model.name}' has no bilateral forward pass (use a BBN model)`);
  const { conventional, rebalancing } = pair;
  if (conventional.y.length !== rebalancing.y.length) {
    throw new Error(`bbnStep: the conventional batch has ${conventional.y.length} samples, the re-balancing one ${rebalancing.y.length}`);
  }
  if (conventional.mix !== undefined || rebalancing.mix !== undefined) throw new Error('bbnStep: batches with mixed targets are not supported');
  const paired: HostBatch = { ...conventional, mix: { y: rebalancing.y, lambda: new Float32Array(conventional.y.length).fill(alpha) } };
  return tf.tidy(() => {
    const xc = tf.tensor4d(conventional.x, batchTensorShape(conventional));
    const xr = tf.tensor4d(rebalancing.x, batchTensorShape(rebalancing));
    const labels = tf.tensor1d(conventional.y, 'int32');
    const weights = conventional.weight === undefined ? undefined : tf.tensor1d(conventional.weight);
    const trainable = model.variables.trainable;
    let logitsForAccuracy: tf.Tensor2D | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const { logits, features } = model.forwardBilateral(xc, xr, alpha, { training: true });
      logitsForAccuracy = tf.keep(logits);
      return reduceStepLoss(state, mixedPerExample(state, logits, labels, features, paired), weights);
    }, [...trainable.values()]);
    return finishStep(state, value, grads, logitsForAccuracy, labels, conventional, lr);
  });
};
