import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, maxPoolBackward, poolGeometry, WASM_MAX_POOL_GRAD_KERNEL } from '../../src/backend/index.js';
import { expectAllClose, lcgArray } from './close.js';

type Pad = 'valid' | 'same';
interface Case {
  readonly shape: [number, number, number, number];
  readonly filter: number | [number, number];
  readonly stride: number | [number, number];
  readonly pad: Pad;
}

const CASES: readonly Case[] = [
  { shape: [2, 8, 8, 3], filter: 2, stride: 2, pad: 'valid' }, // the classic tiled pool
  { shape: [1, 7, 9, 2], filter: 2, stride: 2, pad: 'valid' }, // odd sizes: last row/column dropped
  { shape: [2, 7, 7, 4], filter: 3, stride: 2, pad: 'same' }, // overlapping windows with padding
  { shape: [1, 5, 6, 3], filter: 3, stride: 1, pad: 'same' }, // heavy overlap
  { shape: [3, 6, 6, 1], filter: [2, 3], stride: [2, 3], pad: 'valid' }, // rectangular windows
  { shape: [1, 9, 9, 5], filter: 3, stride: 3, pad: 'valid' },
];

/** The cpu backend's own MaxPoolGrad kernel on host values. */
const cpuMaxPoolGrad = (xv: Float32Array, dyv: Float32Array | undefined, c: Case): { dx: Float32Array; dyUsed: Float32Array } =>
  tf.tidy(() => {
    const x = tf.tensor4d(xv, c.shape);
    const y = tf.maxPool(x, c.filter, c.stride, c.pad);
    const dy = dyv === undefined ? tf.tensor(lcgArray(y.size, 99), y.shape) : tf.tensor(dyv, y.shape);
    const dx = tf.engine().runKernel('MaxPoolGrad', { dy, input: x, output: y }, { filterSize: c.filter, strides: c.stride, pad: c.pad }) as tf.Tensor;
    return { dx: dx.dataSync() as Float32Array, dyUsed: dy.dataSync() as Float32Array };
  });

describe('max-pool gradient (one pass on the wasm heap)', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('equals the cpu backend MaxPoolGrad on random inputs, for tiled, overlapping, padded and odd geometries', async () => {
    await tf.setBackend('cpu');
    CASES.forEach((c, k) => {
      const xv = lcgArray(c.shape.reduce((a, b) => a * b, 1), 10 + k);
      const { dx: expected, dyUsed } = cpuMaxPoolGrad(xv, undefined, c);
      const dx = new Float32Array(xv.length);
      maxPoolBackward(xv, dyUsed, dx, poolGeometry(c.shape, c.filter, c.stride, c.pad));
      expectAllClose(dx, expected, 1e-6);
    });
  });

  it('sends the gradient to the first maximum of a window on ties, as cpu does', async () => {
    await tf.setBackend('cpu');
    for (const c of CASES) {
      const n = c.shape.reduce((a, b) => a * b, 1);
      // Values from {0, 1, 2}: most windows have tied maxima (as after a ReLU, where many are 0).
      const xv = Float32Array.from(lcgArray(n, 7, 0, 3), (v) => Math.floor(v));
      const { dx: expected, dyUsed } = cpuMaxPoolGrad(xv, undefined, c);
      const dx = new Float32Array(n);
      maxPoolBackward(xv, dyUsed, dx, poolGeometry(c.shape, c.filter, c.stride, c.pad));
      expectAllClose(dx, expected, 1e-6);
    }
  });

  it('passes no gradient through a window of −∞ or NaN values, as cpu does', async () => {
    await tf.setBackend('cpu');
    const c: Case = { shape: [1, 2, 4, 1], filter: 2, stride: 2, pad: 'valid' };
    // Window 1 (columns 0–1) holds only −∞ and NaN; window 2 has its maximum 2 at row 1, column 2.
    const xv = Float32Array.from([-Infinity, NaN, NaN, 1, NaN, -Infinity, 2, NaN]);
    const { dx: expected, dyUsed } = cpuMaxPoolGrad(xv, Float32Array.from([5, 7]), c);
    const dx = new Float32Array(xv.length);
    maxPoolBackward(xv, dyUsed, dx, poolGeometry(c.shape, c.filter, c.stride, c.pad));
    expect(Array.from(dx)).toEqual(Array.from(expected));
    expect(Array.from(dx)).toEqual([0, 0, 0, 0, 0, 0, 7, 0]);
  });

  it('is what tf.grad uses on wasm, and agrees there with cpu autodiff', async () => {
    for (const c of CASES.slice(0, 3)) {
      const n = c.shape.reduce((a, b) => a * b, 1);
      const xv = lcgArray(n, 3);
      const results: Float32Array[] = [];
      for (const backend of ['wasm', 'cpu'] as const) {
        await initBackend(backend, { threads: 1 });
        const out = tf.tidy(() => {
          const x = tf.tensor4d(xv, c.shape);
          const y = tf.maxPool(x, c.filter, c.stride, c.pad);
          const w = tf.tensor(lcgArray(y.size, 5), y.shape);
          return tf.grad((t: tf.Tensor) => tf.sum(tf.mul(tf.maxPool(t as tf.Tensor4D, c.filter, c.stride, c.pad), w)))(x).dataSync() as Float32Array;
        });
        results.push(out);
      }
      expectAllClose(results[0]!, results[1]!, 1e-6);
    }
    await initBackend('wasm', { threads: 1 });
    const profile = await tf.profile(() =>
      tf.tidy(() => {
        tf.grad((t: tf.Tensor) => tf.sum(tf.maxPool(t as tf.Tensor4D, 2, 2, 'valid')))(tf.ones([1, 4, 4, 2])).dataSync();
      }),
    );
    expect(profile.kernelNames).toContain(WASM_MAX_POOL_GRAD_KERNEL);
    expect(profile.kernelNames).not.toContain('MaxPoolGrad');
  });
});
