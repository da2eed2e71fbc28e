import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { flipSwapFilter, flipSwapFilterOnHeap, initBackend, nhwcToChwn, swapOuterAxesOnHeap } from '../../src/backend/index.js';
import { lcgArray } from './close.js';

describe('heap kernels', () => {
  it('swaps outer axes like tf.transpose [2, 1, 0], for sizes that are and are not multiples of the tile', async () => {
    await initBackend('cpu');
    for (const [A, B, C] of [
      [3, 4, 5],
      [70, 3, 2],
      [128, 6, 16],
    ] as const) {
      const x = lcgArray(A * B * C, A + B + C);
      const out = new Float32Array(x.length);
      swapOuterAxesOnHeap(x, out, A, B, C);
      const expected = tf.tidy(() => tf.transpose(tf.tensor3d(x, [A, B, C]), [2, 1, 0]).dataSync());
      expect(Array.from(out)).toEqual(Array.from(expected));
    }
  });

  it('moves NHWC to CHWN on wasm exactly as tf.transpose does', async () => {
    const shape: [number, number, number, number] = [5, 3, 4, 6];
    const xv = lcgArray(5 * 3 * 4 * 6, 8);
    await initBackend('cpu');
    const expected = tf.tidy(() => tf.transpose(tf.tensor4d(xv, shape), [3, 1, 2, 0]).dataSync());
    await initBackend('wasm', { threads: 1 });
    const got = tf.tidy(() => {
      const t = nhwcToChwn(tf.tensor4d(xv, shape));
      expect(t.shape).toEqual([6, 3, 4, 5]);
      return t.dataSync();
    });
    expect(Array.from(got)).toEqual(Array.from(expected));
  });

  it('flips a filter spatially and swaps its channels like tf.reverse + tf.transpose, on the heap and on wasm', async () => {
    for (const [kh, kw, ci, co] of [
      [3, 3, 2, 5],
      [1, 1, 4, 3],
      [2, 3, 1, 2],
    ] as const) {
      const fv = lcgArray(kh * kw * ci * co, kh + 10 * co);
      await initBackend('cpu');
      const expected = tf.tidy(() => tf.transpose(tf.reverse(tf.tensor4d(fv, [kh, kw, ci, co]), [0, 1]), [0, 1, 3, 2]).dataSync());
      const out = new Float32Array(fv.length);
      flipSwapFilterOnHeap(fv, out, kh, kw, ci, co);
      expect(Array.from(out)).toEqual(Array.from(expected));
      await initBackend('wasm', { threads: 1 });
      const got = tf.tidy(() => {
        const t = flipSwapFilter(tf.tensor4d(fv, [kh, kw, ci, co]));
        expect(t.shape).toEqual([kh, kw, co, ci]);
        return t.dataSync();
      });
      expect(Array.from(got)).toEqual(Array.from(expected));
    }
  });
});
