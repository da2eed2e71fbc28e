/**
 * Add gradient whose broadcast reduction (a bias gradient) runs as one average pool on wasm.
 *
 * Intuition: the gradient of `x + bias` with respect to a bias broadcast over the leading axes is
 * `sum(dy, [0, …, k−1])`. wasm's Sum over leading axes first transposes them to the end (about
 * 25 ms for a [128, 28, 28, 32] conv output); XNNPACK's average pool computes the same per-channel
 * mean in about 1 ms when dy is viewed as one [1, P, 1, Q] image with a P×1 window. Sum = mean × P,
 * equal up to float summation order. Other reductions (and other backends) keep tfjs's gradient.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmGradient } from './wasm-gradient.js';

/** Sum of `x` over its first `k` axes (k ≥ 1), as a global average pool times the count. */
export const sumLeadingAxes = (x: tf.Tensor, k: number): tf.Tensor =>
  tf.tidy(() => {
    const lead = x.shape.slice(0, k).reduce((a, b) => a * b, 1);
    const rest = x.shape.slice(k);
    const q = rest.reduce((a, b) => a * b, 1);
    if (lead === 1) return tf.reshape(x, rest);
    const mean = tf.avgPool(tf.reshape(x, [1, lead, 1, q]) as tf.Tensor4D, [lead, 1], 1, 'valid');
    return tf.reshape(tf.mul(mean, lead), rest);
  });

/** Whether `axes` is 0, 1, …, k−1 for some k ≥ 1. */
const isLeadingPrefix = (axes: readonly number[]): boolean => axes.length > 0 && axes.every((a, i) => a === i);

/** `dy` summed over the axes that broadcasting `shape` to `dy.shape` added, reshaped to `shape`. */
const reduceTo = (dy: tf.Tensor, shape: readonly number[]): tf.Tensor => {
  const axes = tf.backend_util.getReductionAxes([...shape], dy.shape);
  if (axes.length === 0) return tf.reshape(dy, [...shape]);
  // Leading axes only, and the kept trailing dims unbroadcast: the bias pattern.
  const keptUnchanged = dy.shape.slice(axes.length).every((d, i) => d === shape[shape.length - (dy.rank - axes.length) + i]);
  const summed = isLeadingPrefix(axes) && keptUnchanged ? sumLeadingAxes(dy, axes.length) : tf.sum(dy, axes);
  return tf.reshape(summed, [...shape]);
};

/** Registers the Add gradient above for the wasm backend (other backends keep tfjs's own). Idempotent. */
export const registerFastAddGradient = (): void =>
  registerWasmGradient(tf.Add, 'registerFastAddGradient', { inputsToSave: ['a', 'b'] }, (dy, saved) => {
    const [a, b] = saved as [tf.Tensor, tf.Tensor];
    return { a: () => reduceTo(dy, a.shape), b: () => reduceTo(dy, b.shape) };
  });
