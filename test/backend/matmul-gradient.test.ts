import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, swapLastAxes } from '../../src/backend/index.js';
import { expectAllClose, lcgArray } from './close.js';

/** Gradients of sum(matMul(a, b, tA, tB) ⊙ w) with respect to a and b on `backend`. */
const grads = async (backend: 'wasm' | 'cpu', aShape: number[], bShape: number[], tA: boolean, tB: boolean): Promise<Float32Array[]> => {
  await initBackend(backend, { threads: 1 });
  return tf.tidy(() => {
    const a = tf.tensor(lcgArray(aShape.reduce((x, y) => x * y, 1), 1), aShape);
    const b = tf.tensor(lcgArray(bShape.reduce((x, y) => x * y, 1), 2), bShape);
    const out = tf.matMul(a, b, tA, tB);
    const w = tf.tensor(lcgArray(out.size, 3), out.shape);
    const g = tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.mul(tf.matMul(x, y, tA, tB), w)))([a, b]);
    return g.map((t) => t.dataSync() as Float32Array);
  });
};

describe('BatchMatMul gradient without transpose flags (wasm)', () => {
  it('agrees with cpu autodiff for all four transpose-flag combinations', async () => {
    const cases: Array<[number[], number[], boolean, boolean]> = [
      [[5, 7], [7, 3], false, false],
      [[5, 7], [3, 7], false, true],
      [[7, 5], [7, 3], true, false],
      [[7, 5], [3, 7], true, true],
      [[2, 4, 6], [2, 6, 3], false, false], // batched
      [[1, 6], [6, 4], false, false], // a row vector
      [[6, 1], [6, 4], true, false], // dy [1,4] is a right operand twice, with two shapes: see swapLastAxes
    ];
    for (const [as, bs, tA, tB] of cases) {
      const [wasm, cpu] = [await grads('wasm', as, bs, tA, tB), await grads('cpu', as, bs, tA, tB)];
      expectAllClose(wasm[0]!, cpu[0]!, 1e-5);
      expectAllClose(wasm[1]!, cpu[1]!, 1e-5);
    }
  });

  it('runs no flagged matMul on wasm', async () => {
    await initBackend('wasm', { threads: 1 });
    const profile = await tf.profile(() =>
      tf.tidy(() => {
        const a = tf.ones([4, 3]);
        const b = tf.ones([3, 2]);
        tf.grads((x: tf.Tensor, y: tf.Tensor) => tf.sum(tf.matMul(x, y)))([a, b]).forEach((t) => t.dataSync());
      }),
    );
    expect(profile.kernels.filter((k) => k.name === 'BatchMatMul').length).toBe(3);
    expect(profile.kernelNames).toContain('Transpose');
  });

  it('swaps the last two axes into a new buffer, also when one has length 1', async () => {
    await initBackend('wasm', { threads: 1 });
    const x = tf.tensor3d([1, 2, 3, 4, 5, 6], [1, 2, 3]);
    expect(swapLastAxes(x).shape).toEqual([1, 3, 2]);
    expect(Array.from(swapLastAxes(x).dataSync())).toEqual([1, 4, 2, 5, 3, 6]);
    const row = tf.tensor2d([1, 10, 100], [1, 3]);
    const column = swapLastAxes(row);
    expect(column.shape).toEqual([3, 1]);
    expect(column.dataId).not.toBe(row.dataId);
    // The tfjs-wasm operator cache this avoids: the same data as a right operand with two shapes.
    expect(Array.from(tf.matMul(tf.ones([2, 3]), column).dataSync())).toEqual([111, 111]);
    expect(Array.from(tf.matMul(tf.ones([2, 1]), row).dataSync())).toEqual([1, 10, 100, 1, 10, 100]);
  });
});
