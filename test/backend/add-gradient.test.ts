import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, sumLeadingAxes } from '../../src/backend/index.js';
import { expectAllClose, lcgArray } from './close.js';

const size = (s: number[]) => s.reduce((a, b) => a * b, 1);

/** Gradients of sum((a + b) ⊙ w) with respect to a and b. */
const grads = async (backend: 'wasm' | 'cpu', aShape: number[], bShape: number[]): Promise<Float32Array[]> => {
  await initBackend(backend, { threads: 1 });
  return tf.tidy(() => {
    const a = tf.tensor(lcgArray(size(aShape), 1), aShape);
    const b = tf.tensor(lcgArray(size(bShape), 2), bShape);
    const w = tf.tensor(lcgArray(size(tf.add(a, b).shape), 3), tf.add(a, b).shape);
    return tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.add(x, y), w)))([a, b]).map((t) => t.dataSync() as Float32Array);
  });
};

describe('Add gradient with pooled bias reductions (wasm)', () => {
  it('agrees with cpu autodiff for bias, same-shape and other broadcasts', async () => {
    const cases: Array<[number[], number[]]> = [
      [[4, 5, 6, 3], [3]], // conv bias
      [[4, 5, 6, 3], [1, 1, 1, 3]],
      [[7, 4], [4]], // dense bias
      [[4, 5, 6, 3], [4, 5, 6, 3]], // residual add: no reduction
      [[4, 5, 6, 3], [5, 1, 3]], // not a leading-axes reduction: tfjs's sum
      [[3], [4, 5, 3]], // broadcast on the first operand
    ];
    for (const [as, bs] of cases) {
      const [wasm, cpu] = [await grads('wasm', as, bs), await grads('cpu', as, bs)];
      expectAllClose(wasm[0]!, cpu[0]!, 1e-5);
      expectAllClose(wasm[1]!, cpu[1]!, 1e-5);
    }
  });

  it('sums leading axes with one average pool and no Sum kernel', async () => {
    await initBackend('wasm', { threads: 1 });
    const x = tf.tensor(lcgArray(2 * 3 * 4 * 5, 9), [2, 3, 4, 5]);
    expectAllClose(sumLeadingAxes(x, 3).dataSync(), tf.sum(x, [0, 1, 2]).dataSync(), 1e-5);
    expectAllClose(sumLeadingAxes(x, 1).dataSync(), tf.sum(x, 0).dataSync(), 1e-5);
    expect(sumLeadingAxes(x, 2).shape).toEqual([4, 5]);
    const profile = await tf.profile(() => tf.tidy(() => {
      tf.grad((t: tf.Tensor) => tf.sum(tf.add(tf.ones([2, 3, 3, 4]), t)))(tf.zeros([4])).dataSync();
    }));
    expect(profile.kernelNames).toContain('AvgPool');
    expect(profile.kernelNames.filter((k) => k === 'Sum').length).toBe(1); // the loss's own sum only
  });
});
