import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../src/backend/index.js';
import { BATCH_NORM_BACKWARD_KERNEL } from '../../../src/core/kernel-names.js';
import { stopSimdKernels } from '../../../src/backend/simd/simd-kernels.js';
import { batchNormTraining, type BatchNormState } from '../../../src/models/batch-norm.js';
import { expectAllClose, lcgArray } from '../close.js';

type Shape = [number, number, number, number];
// Channels: 4, 12 and 20 (not multiples of 16: the one-vector pass), 16 and 64 (four vectors a pass);
// one position per channel, odd sizes, a ResNet-sized activation.
const shapes: Shape[] = [
  [2, 3, 5, 4],
  [3, 5, 4, 12],
  [2, 7, 3, 20],
  [1, 1, 1, 16],
  [4, 8, 8, 64],
  [16, 32, 32, 16],
];


/** Gradients of Σ batchNorm(x)·dy with respect to x, γ and β, and the kernels the backward pass ran. */
const grads = async (shape: Shape) => {
  const c = shape[3];
  const size = shape.reduce((a, b) => a * b, 1);
  let out: Float32Array[] = [];
  const info = await tf.profile(() => {
    tf.tidy(() => {
      const s: BatchNormState = { runningMean: tf.variable(tf.zeros([c]), false), runningVar: tf.variable(tf.ones([c]), false), epsilon: 1e-5, momentum: 0.1 };
      const args = [tf.tensor4d(lcgArray(size, 1, -2, 3), shape), tf.tensor1d(lcgArray(c, 2, 0.5, 1.5)), tf.tensor1d(lcgArray(c, 3, -0.5, 0.5))];
      const dy = tf.tensor4d(lcgArray(size, 4, -0.5, 0.5), shape);
      const g = tf.grads((x: tf.Tensor, gamma: tf.Tensor, beta: tf.Tensor) => tf.sum(tf.mul(batchNormTraining(x as tf.Tensor4D, gamma as tf.Tensor1D, beta as tf.Tensor1D, s), dy)))(args);
      out = g.map((t) => Float32Array.from(t.dataSync()));
      s.runningMean.dispose();
      s.runningVar.dispose();
    });
  });
  return { grads: out, kernels: info.kernelNames };
};

describe('the SIMD batch-norm backward kernel', () => {
  const reference: Float32Array[][] = [];
  beforeAll(async () => {
    await initBackend('cpu'); // the tfjs-op formula
    for (const s of shapes) reference.push((await grads(s)).grads);
  });
  afterAll(async () => {
    await initBackend('wasm');
  });

  it.each(shapes.map((s, i) => [i, s] as const))('runs and gives the formula’s ∂x, ∂γ, ∂β with 2 threads and with 1 (shape %i)', async (i, shape) => {
    const runs: Float32Array[][] = [];
    for (const threads of [2, 1]) {
      await initBackend('wasm', { threads });
      const got = await grads(shape);
      expect(got.kernels).toContain(BATCH_NORM_BACKWARD_KERNEL);
      // ∂γ and ∂β are sums over up to 16k positions of values of order 1.
      const m = shape[0] * shape[1] * shape[2];
      got.grads.forEach((g, k) => expectAllClose(g, reference[i]![k]!, k === 0 ? 2e-5 : 2e-6 * Math.max(1, m)));
      runs.push(got.grads);
    }
    runs[0]!.forEach((g, k) => expect(Array.from(g)).toEqual(Array.from(runs[1]![k]!)));
  });

  it('is registered only while the SIMD kernels run; without it the formula runs', async () => {
    await initBackend('wasm');
    expect(tf.getKernel(BATCH_NORM_BACKWARD_KERNEL, 'wasm')).toBeDefined();
    await stopSimdKernels();
    try {
      expect(tf.getKernel(BATCH_NORM_BACKWARD_KERNEL, 'wasm')).toBeUndefined();
      const got = await grads(shapes[1]!);
      expect(got.kernels).not.toContain(BATCH_NORM_BACKWARD_KERNEL);
      got.grads.forEach((g, k) => expectAllClose(g, reference[1]![k]!, 2e-5));
    } finally {
      await initBackend('wasm'); // starts them again
    }
    expect(tf.getKernel(BATCH_NORM_BACKWARD_KERNEL, 'wasm')).toBeDefined();
  });

  it('leaves no tensors behind', async () => {
    await initBackend('wasm');
    await grads(shapes[0]!);
    const before = tf.memory();
    await grads(shapes[1]!);
    expect(tf.memory().numTensors).toBe(before.numTensors);
    expect(tf.memory().numBytes).toBe(before.numBytes);
  });
});
