/**
 * One DBN-Mix step on a bilateral-mixup pair: each branch classifies its own mixed input alone, and
 * the loss is ½·(L(z_cb(x̃₁), t₁) + L(z_rb(x̃₂), t₂)), then SGD-momentum.
 *
 * Intuition: `bbnStep` without the cumulative α: both branches train at every step, each on the mix
 * dominated by its own sampler's image (`bilateralMixup` gives the conventional batch x̃₁ and targets t₁,
 * the re-balancing batch x̃₂ and t₂, as mixed targets). The loss is the run's loss (DBN-Mix uses
 * `dbnMixLoss`, class-wise temperatures at train time); at test time the model's `forward` is the
 * mean of the two branches' logits up to a factor, DBN-Mix's inference rule.
 *
 * Source: `soony1213/DBN-Mix: train.py` (`--use-experts`, `--loss-lambda 0.5`).
 * Deviation: the branches are BBN's (`bbnModels`: a shared trunk with one last block per branch and one
 * FC over both branches' features), not DBN-Mix's separate layer3 and two FCs.
 * Reported accuracy counts argmax z_cb = the conventional batch's first label.
 *
 * @see bilateralMixup, dbnMixLoss, createBbnResNet
 */
import * as tf from '@tensorflow/tfjs-core';
import { batchTensorShape } from '../core/host-batch.js';
import { isBilateralModel } from '../models/bbn.js';
import type { BilateralBatch } from '../streams/bilateral-batches.js';
import { finishStep, mixedPerExample, reduceStepLoss, type StepResult, type TrainState } from './step.js';

/** Weight of each branch's loss (`--loss-lambda 0.5`). */
export const DBN_MIX_BRANCH_WEIGHT = 0.5;

/**
 * Runs one DBN-Mix step at learning rate `lr` on a pair from `bilateralMixup`.
 * @throws UserError (kind 'numeric') when the loss is not finite; the weights are then left untouched
 * @throws Error when the model has no bilateral branches or the two batches differ in size
 */
export const dbnMixStep = (state: TrainState, pair: BilateralBatch, lr: number): StepResult => {
  const model = state.model;
  if (!isBilateralModel(model)) throw new Error(`dbnMixStep: the model '${model.name}' has no bilateral branches (use a BBN model)`);
  const { conventional, rebalancing } = pair;
  if (conventional.y.length !== rebalancing.y.length) {
    throw new Error(`dbnMixStep: the conventional batch has ${conventional.y.length} samples, the re-balancing one ${rebalancing.y.length}`);
  }
  return tf.tidy(() => {
    const x1 = tf.tensor4d(conventional.x, batchTensorShape(conventional));
    const x2 = tf.tensor4d(rebalancing.x, batchTensorShape(rebalancing));
    const y1 = tf.tensor1d(conventional.y, 'int32');
    const y2 = tf.tensor1d(rebalancing.y, 'int32');
    const w1 = conventional.weight === undefined ? undefined : tf.tensor1d(conventional.weight);
    const w2 = rebalancing.weight === undefined ? undefined : tf.tensor1d(rebalancing.weight);
    const trainable = model.variables.trainable;
    let logitsForAccuracy: tf.Tensor2D | undefined;
    const { value, grads } = tf.variableGrads(() => {
      const branches = model.forwardBranches(x1, x2, { training: true });
      logitsForAccuracy = tf.keep(branches.conventional.logits);
      const l1 = reduceStepLoss(state, mixedPerExample(state, branches.conventional.logits, y1, branches.conventional.features, conventional), w1);
      const l2 = reduceStepLoss(state, mixedPerExample(state, branches.rebalancing.logits, y2, branches.rebalancing.features, rebalancing), w2);
      return tf.mul(tf.add(l1, l2), DBN_MIX_BRANCH_WEIGHT) as tf.Scalar;
    }, [...trainable.values()]);
    return finishStep(state, value, grads, logitsForAccuracy, y1, conventional, lr);
  });
};
