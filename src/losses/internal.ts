/**
 * Helpers shared by the loss family (never re-exported from `src/losses/index.ts`).
 *
 * Intuition: every long-tail loss is "move, scale or weight the logits per class, then softmax
 * cross-entropy"; the class constants are host arrays computed once by `prepare`, and turned into
 * small tensors inside the caller's tidy scope.
 */
import * as tf from '@tensorflow/tfjs-core';
import { UserError } from '../core/errors.js';
import type { ClassCounts } from '../core/class-counts.js';

/**
 * Checks class counts a loss is prepared from: at least one class, each count a finite number ≥ 0,
 * and at least one class with samples.
 * @throws UserError (kind 'bad-config') naming the loss and the bad entry.
 */
export const checkCounts = (counts: ClassCounts, lossName: string): void => {
  if (counts.length === 0) throw new UserError('bad-config', `${lossName}: class counts are empty.`);
  counts.forEach((n, j) => {
    if (!(Number.isFinite(n) && n >= 0)) {
      throw new UserError('bad-config', `${lossName}: class count ${j} is ${n}; expected a finite number ≥ 0.`);
    }
  });
  if (counts.every((n) => n === 0)) throw new UserError('bad-config', `${lossName}: every class count is 0.`);
};

/**
 * Checks a per-class vector given in a config (custom weights, adjustments) against the number of classes.
 * @throws UserError (kind 'bad-config') when the lengths differ.
 */
export const checkClassVector = (values: readonly number[], numClasses: number, what: string): void => {
  if (values.length !== numClasses) {
    throw new UserError('bad-config', `${what}: expected ${numClasses} values (one per class), got ${values.length}.`);
  }
};

/** Training prior π_j = n_j / Σ n. */
export const classPrior = (counts: ClassCounts): number[] => {
  const total = counts.reduce((a, b) => a + b, 0);
  return counts.map((n) => n / total);
};

/** `values[labels[i]]` for each example: a [N] tensor (call inside a tidy scope). */
export const perClassValue = (labels: tf.Tensor1D, values: readonly number[]): tf.Tensor1D =>
  tf.gather(tf.tensor1d(values as number[], 'float32'), tf.cast(labels, 'int32')) as tf.Tensor1D;

/** [N, C] float one-hot of the labels (call inside a tidy scope). */
export const oneHotOf = (labels: tf.Tensor1D, numClasses: number): tf.Tensor2D =>
  tf.cast(tf.oneHot(tf.cast(labels, 'int32'), numClasses), 'float32') as tf.Tensor2D;

/** −log softmax(z)_y per example, from a one-hot mask (stable log-sum-exp via `tf.logSoftmax`). */
export const softmaxNll = (logits: tf.Tensor2D, oneHot: tf.Tensor2D): tf.Tensor1D =>
  tf.neg(tf.sum(tf.mul(oneHot, tf.logSoftmax(logits)), 1)) as tf.Tensor1D;

/** Adds a per-class row vector `v` ([C]) to every row of `logits`. */
export const addPerClass = (logits: tf.Tensor2D, v: readonly number[]): tf.Tensor2D =>
  tf.add(logits, tf.tensor1d(v as number[], 'float32')) as tf.Tensor2D;

/** Multiplies every row of `logits` by a per-class row vector `v` ([C]). */
export const mulPerClass = (logits: tf.Tensor2D, v: readonly number[]): tf.Tensor2D =>
  tf.mul(logits, tf.tensor1d(v as number[], 'float32')) as tf.Tensor2D;

/** Logits with `amount[i]` subtracted from the true-class entry of row i only. */
export const subtractOnTrueClass = (logits: tf.Tensor2D, oneHot: tf.Tensor2D, amount: tf.Tensor1D): tf.Tensor2D =>
  tf.sub(logits, tf.mul(oneHot, tf.expandDims(amount, 1))) as tf.Tensor2D;

/**
 * Softmax focal modulator (1 − p)^γ with p = exp(−ce), from a per-example cross-entropy `ce` ≥ 0.
 *
 * 1 − p is computed as −expm1(−ce) (exact for small ce) and floored at 1e-30 so that neither the
 * value nor the gradient of (1 − p)^γ is NaN when p rounds to 1 (γ < 1 would otherwise give 0 · ∞).
 */
export const focalModulator = (ce: tf.Tensor1D, gamma: number): tf.Tensor1D => {
  if (gamma === 0) return tf.onesLike(ce);
  const oneMinusP = tf.maximum(tf.neg(tf.expm1(tf.neg(ce))), 1e-30);
  return tf.exp(tf.mul(gamma, tf.log(oneMinusP))) as tf.Tensor1D;
};

/**
 * `x` with no gradient flowing back through it (PyTorch's `.detach()` / `torch.no_grad()`):
 * tfjs-core has no `stopGradient`, so this is a custom gradient that returns zeros.
 */
export const stopGradient = <T extends tf.Tensor>(x: T): T =>
  tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => {
    const input = args[0] as tf.Tensor;
    return { value: tf.clone(input), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) };
  })(x) as T;
