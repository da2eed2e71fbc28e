import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../src/backend/index.js';
import { WASM_SIMD_FILTER_GRADIENT_KERNEL, simdFilterGradient } from '../../../src/backend/simd/filter-gradient-kernel.js';
import { simdKernelThreads } from '../../../src/backend/simd/simd-kernels.js';
import { filterGradientTile } from '../../../src/backend/simd/filter-gradient-wat.js';
import { expectAllClose, lcgArray } from '../close.js';

type Pad = 'same' | 'valid' | tf.backend_util.ExplicitPadding;
type Case = { x: [number, number, number, number]; f: [number, number, number, number]; stride: number | [number, number]; pad: Pad };

// Every tile shape (C divisible by 4, 2 or only 1; O by 8 or only 4), strides 1, 2 and (2, 3), same, valid
// and lopsided explicit padding, 1×1 to 5×3 filters, batch 1, odd sizes, a ResNet-sized image, and taps
// that fall wholly in the padding.
const cases: Case[] = [
  { x: [2, 7, 5, 4], f: [3, 3, 4, 16], stride: 1, pad: 'same' },
  { x: [3, 9, 8, 8], f: [3, 3, 8, 32], stride: 2, pad: 'same' },
  { x: [1, 5, 6, 3], f: [3, 3, 3, 8], stride: 1, pad: 'valid' },
  { x: [2, 6, 6, 6], f: [1, 1, 6, 12], stride: 2, pad: 'valid' },
  { x: [2, 11, 9, 4], f: [5, 3, 4, 4], stride: [2, 3], pad: [[0, 0], [2, 1], [0, 3], [0, 0]] },
  { x: [1, 7, 7, 1], f: [3, 3, 1, 4], stride: 2, pad: 'same' },
  { x: [2, 8, 8, 2], f: [2, 2, 2, 8], stride: 2, pad: 'valid' },
  { x: [4, 32, 32, 16], f: [3, 3, 16, 16], stride: 1, pad: 'same' },
  { x: [3, 16, 16, 16], f: [3, 3, 16, 32], stride: 2, pad: 'same' },
  // Taps that no output row or column reaches (a one-row and a one-column image under a 3×3 filter).
  { x: [2, 1, 3, 4], f: [3, 3, 4, 8], stride: 1, pad: 'same' },
  { x: [1, 2, 1, 4], f: [3, 3, 4, 4], stride: 2, pad: 'same' },
];

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

/** The filter gradient of sum(conv2d(x, f) · dy) through whatever Conv2D gradient the backend has, and the kernels it ran. */
const filterGrad = async (c: Case) => {
  let grad: Float32Array = new Float32Array();
  const info = await tf.profile(() => {
    tf.tidy(() => {
      const x = tf.tensor4d(lcgArray(size(c.x), 1, -0.5, 0.5), c.x);
      const f = tf.tensor4d(lcgArray(size(c.f), 2, -0.5, 0.5), c.f);
      const outShape = tf.conv2d(x, f, c.stride, c.pad).shape;
      const dy = tf.tensor4d(lcgArray(size(outShape), 3, -0.5, 0.5), outShape);
      const g = tf.grad((w: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(x, w as tf.Tensor4D, c.stride, c.pad), dy)))(f);
      grad = Float32Array.from(g.dataSync());
    });
  });
  return { grad, kernels: info.kernelNames };
};

describe('the SIMD filter-gradient kernel', () => {
  const reference: Float32Array[] = [];
  beforeAll(async () => {
    await initBackend('cpu'); // tfjs's own Conv2DBackpropFilter
    for (const c of cases) reference.push((await filterGrad(c)).grad);
  });
  afterAll(async () => {
    await initBackend('wasm');
  });

  it.each(cases.map((c, i) => [i, c] as const))('runs and matches cpu with 2 threads and with 1 (case %i)', async (i, c) => {
    const ref = reference[i]!;
    // Sums of up to 4·32·32·9 products of values below 0.5: float32 rounding stays far below 1e-4.
    const scale = Math.max(1, ...Array.from(ref, Math.abs));
    const runs: Float32Array[] = [];
    for (const threads of [2, 1]) {
      await initBackend('wasm', { threads });
      expect(simdKernelThreads()).toBe(threads);
      const got = await filterGrad(c);
      expect(got.kernels).toContain(WASM_SIMD_FILTER_GRADIENT_KERNEL);
      expectAllClose(got.grad, ref, 2e-6 * scale);
      runs.push(got.grad);
    }
    // Threads own whole tiles, so every sum runs in the same order whatever the thread count.
    expect(Array.from(runs[0]!)).toEqual(Array.from(runs[1]!));
  });

  it('gives the same bits for any pass size: passes that split an image, span images, or hold the whole batch', async () => {
    await initBackend('wasm', { threads: 2 });
    for (const i of [1, 4, 7]) {
      const c = cases[i]!;
      const ref = reference[i]!;
      const scale = Math.max(1, ...Array.from(ref, Math.abs));
      const runs = tf.tidy(() => {
        const x = tf.tensor4d(lcgArray(size(c.x), 1, -0.5, 0.5), c.x);
        const f = tf.tensor4d(lcgArray(size(c.f), 2, -0.5, 0.5), c.f);
        const info = tf.backend_util.computeConv2DInfo(c.x, c.f, c.stride, 1, c.pad);
        const outShape = tf.conv2d(x, f, c.stride, c.pad).shape;
        const dy = tf.tensor4d(lcgArray(size(outShape), 3, -0.5, 0.5), outShape);
        const attrs = { filterShape: c.f, strideH: info.strideHeight, strideW: info.strideWidth, top: info.padInfo.top, left: info.padInfo.left };
        return [undefined, 1, 2, 3, 5, 7, 10_000].map((rowsPerPass) =>
          Array.from(simdFilterGradient(x, dy, rowsPerPass === undefined ? attrs : { ...attrs, rowsPerPass })!.dataSync()),
        );
      });
      expectAllClose(Float32Array.from(runs[0]!), ref, 2e-6 * scale);
      for (const run of runs.slice(1)) expect(run).toEqual(runs[0]);
    }
  });

  it('refuses a pass size that is not a whole number of at least 1', async () => {
    await initBackend('wasm', { threads: 2 });
    tf.tidy(() => {
      const x = tf.ones([1, 4, 4, 4]) as tf.Tensor4D;
      const dy = tf.ones([1, 4, 4, 4]) as tf.Tensor4D;
      for (const rowsPerPass of [0, 1.5, -2]) {
        expect(() => simdFilterGradient(x, dy, { filterShape: [3, 3, 4, 4], strideH: 1, strideW: 1, top: 1, left: 1, rowsPerPass })).toThrow(
          /rowsPerPass must be a whole number of at least 1/,
        );
      }
    });
  });

  it('is not used when the output channels are not a multiple of 4, and the conv-based gradient still matches', async () => {
    const c: Case = { x: [2, 6, 6, 4], f: [3, 3, 4, 5], stride: 1, pad: 'same' };
    await initBackend('cpu');
    const ref = (await filterGrad(c)).grad;
    await initBackend('wasm');
    const got = await filterGrad(c);
    expect(got.kernels).not.toContain(WASM_SIMD_FILTER_GRADIENT_KERNEL);
    expectAllClose(got.grad, ref, 1e-5);
  });

  it('picks the widest tile that divides the channels', () => {
    expect(filterGradientTile(16, 16)).toEqual([4, 2]);
    expect(filterGradientTile(6, 16)).toEqual([2, 2]);
    expect(filterGradientTile(3, 8)).toEqual([1, 2]);
    expect(filterGradientTile(8, 12)).toEqual([4, 1]);
    expect(filterGradientTile(3, 4)).toEqual([1, 1]);
    expect(filterGradientTile(16, 6)).toBeUndefined();
  });

  it('leaves no tensors behind', async () => {
    await initBackend('wasm');
    await filterGrad(cases[0]!);
    const before = tf.memory().numTensors;
    await filterGrad(cases[1]!);
    expect(tf.memory().numTensors).toBe(before);
  });
});
