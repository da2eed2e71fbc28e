import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { batchNormInference, batchNormTraining, type BatchNormState } from '../../src/models/batch-norm.js';
import { expectClose } from '../helpers/expect-close.js';

const state = (c: number): BatchNormState => ({
  runningMean: tf.variable(tf.zeros([c]), false),
  runningVar: tf.variable(tf.ones([c]), false),
  epsilon: 1e-5,
  momentum: 0.1,
});

/** Reference batch norm through tfjs autodiff of tf.moments. */
const reference = (x: tf.Tensor4D, g: tf.Tensor1D, b: tf.Tensor1D) => {
  const { mean, variance } = tf.moments(x, [0, 1, 2]);
  return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
};

describe('batch norm with a closed-form backward pass', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });
  const xv = Float32Array.from({ length: 4 * 3 * 3 * 2 }, (_, i) => Math.sin(i * 1.3) * 2 + (i % 2));
  const dyv = Float32Array.from({ length: 4 * 3 * 3 * 2 }, (_, i) => Math.cos(i * 0.7));

  it('has the forward values and gradients of autodiff through tf.moments', () => {
    const s = state(2);
    const [ours, ref] = [
      (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => batchNormTraining(x as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, s),
      (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => reference(x as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D),
    ].map((f) =>
      tf.tidy(() => {
        const x = tf.tensor4d(xv, [4, 3, 3, 2]);
        const g = tf.tensor1d([1.5, 0.5]);
        const b = tf.tensor1d([0.1, -0.2]);
        const dy = tf.tensor4d(dyv, [4, 3, 3, 2]);
        const value = f(x, g, b).dataSync().slice();
        const grads = tf.grads((a: tf.Tensor, c: tf.Tensor, d: tf.Tensor) => tf.sum(tf.mul(f(a, c, d), dy)))([x, g, b]);
        return { value, grads: grads.map((t) => t.dataSync().slice()) };
      }),
    ) as [{ value: Float32Array; grads: Float32Array[] }, { value: Float32Array; grads: Float32Array[] }];
    expectClose(ours.value, ref.value, 1e-5);
    ours.grads.forEach((gr, i) => expectClose(gr, ref.grads[i]!, 1e-4));
    s.runningMean.dispose();
    s.runningVar.dispose();
  });

  it('updates running statistics as PyTorch (momentum 0.1, unbiased variance) and uses them at inference', () => {
    const s = state(1);
    const values = [1, 2, 3, 6];
    tf.tidy(() => {
      batchNormTraining(tf.tensor4d(values, [4, 1, 1, 1]), tf.ones([1]), tf.zeros([1]), s);
    });
    // mean 3, unbiased variance ((4+1+0+9)/3) = 14/3
    expectClose(s.runningMean.dataSync(), [0.3], 1e-6);
    expectClose(s.runningVar.dataSync(), [0.9 + 0.1 * (14 / 3)], 1e-6);
    const y = tf.tidy(() => batchNormInference(tf.tensor4d([1], [1, 1, 1, 1]), tf.ones([1]), tf.zeros([1]), s).dataSync().slice());
    expectClose(y, [(1 - 0.3) / Math.sqrt(0.9 + 0.1 * (14 / 3) + 1e-5)], 1e-5);
    s.runningMean.dispose();
    s.runningVar.dispose();
  });
});
