/**
 * Float64 reference arithmetic for the loss tests: written from the formulas, never calling src/losses.
 * Also the small tensor plumbing the golden and gradient tests share.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import type { LossSpec } from '../../../src/losses/loss-spec.js';

/** Rows of numbers: logits in float64. */
export type Matrix = number[][];

/** The fixed 3×4 logits most golden tests use. */
export const Z: Matrix = [
  [2.0, -1.0, 0.5, 0.1],
  [0.3, 0.2, -0.4, 1.5],
  [-1.2, 0.7, 2.2, -0.3],
];
/** Their labels. */
export const Y = [0, 3, 1];
/** Long-tailed counts for 4 classes (ρ ≈ 33). */
export const COUNTS = [100, 40, 10, 3];

/** log Σ exp(row), max-shifted. */
export const logSumExp = (row: readonly number[]): number => {
  const m = Math.max(...row);
  return m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
};

/** −log softmax(row)_y. */
export const nll = (row: readonly number[], y: number): number => logSumExp(row) - row[y]!;

/** log(1 + e^x), stable. */
export const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));

/** Mean of a list. */
export const mean = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0) / xs.length;

/** Central finite differences of a float64 scalar function of a matrix. */
export const finiteDifferenceGrad = (f: (z: Matrix) => number, z: Matrix, h = 1e-5): Matrix =>
  z.map((row, i) =>
    row.map((_, j) => {
      const plus = z.map((r) => [...r]);
      const minus = z.map((r) => [...r]);
      plus[i]![j]! += h;
      minus[i]![j]! -= h;
      return (f(plus) - f(minus)) / (2 * h);
    }),
  );

/** Runs `spec.perExample` on host inputs and reads the [N] result back (also checks the shape). */
export const perExampleValues = <C, P>(spec: LossSpec<C, P>, prepared: P, z: Matrix, y: readonly number[]): number[] =>
  tf.tidy(() => {
    const out = spec.perExample({ logits: tf.tensor2d(z), labels: tf.tensor1d([...y], 'int32') }, prepared);
    expect(out.shape).toEqual([z.length]);
    return Array.from(out.dataSync());
  });

/** tf.grad of the mean per-example loss with respect to the logits. */
export const gradOfMean = <C, P>(spec: LossSpec<C, P>, prepared: P, z: Matrix, y: readonly number[]): Matrix =>
  tf.tidy(() => {
    const labels = tf.tensor1d([...y], 'int32');
    const g = tf.grad((logits: tf.Tensor) => tf.mean(spec.perExample({ logits: logits as tf.Tensor2D, labels }, prepared)));
    return g(tf.tensor2d(z)).arraySync() as Matrix;
  });

/** Largest |a − b| over two equally shaped matrices. */
export const maxAbsDiff = (a: Matrix, b: Matrix): number =>
  Math.max(...a.flatMap((row, i) => row.map((v, j) => Math.abs(v - b[i]![j]!))));

/** Element-wise closeness with an absolute tolerance, with a readable failure. */
export const expectAllClose = (actual: ArrayLike<number>, expected: readonly number[], tol: number): void => {
  expect(actual.length).toBe(expected.length);
  for (let i = 0; i < expected.length; i++) {
    const a = actual[i]!;
    const e = expected[i]!;
    if (!(Math.abs(a - e) <= tol)) throw new Error(`index ${i}: got ${a}, expected ${e} (tolerance ${tol})`);
  }
};
