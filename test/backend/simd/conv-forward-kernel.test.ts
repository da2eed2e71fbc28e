import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../../src/backend/index.js';
import { simdConv2DCount } from '../../../src/backend/simd/conv-forward-kernel.js';
import { convForwardTile } from '../../../src/backend/simd/conv-forward-wat.js';
import { simdKernelThreads } from '../../../src/backend/simd/simd-kernels.js';
import { expectAllClose, lcgArray } from '../close.js';

type Pad = 'same' | 'valid' | tf.backend_util.ExplicitPadding;
type Case = { x: [number, number, number, number]; f: [number, number, number, number]; stride: number | [number, number]; pad: Pad };

// Output channels divisible by 8 and only by 4; widths that leave a partial group of 4 pixels; strides 1, 2
// and (2, 3); same, valid and lopsided explicit padding; 1×1 to 5×3 filters; one input channel; batch 1.
const cases: Case[] = [
  { x: [2, 7, 5, 4], f: [3, 3, 4, 16], stride: 1, pad: 'same' },
  { x: [3, 9, 8, 3], f: [3, 3, 3, 8], stride: 2, pad: 'same' },
  { x: [1, 5, 6, 3], f: [3, 3, 3, 4], stride: 1, pad: 'valid' },
  { x: [2, 6, 7, 5], f: [1, 1, 5, 12], stride: 2, pad: 'valid' },
  { x: [2, 11, 9, 4], f: [5, 3, 4, 4], stride: [2, 3], pad: [[0, 0], [2, 1], [0, 3], [0, 0]] },
  { x: [1, 28, 28, 1], f: [3, 3, 1, 32], stride: 1, pad: 'same' },
  { x: [4, 32, 32, 16], f: [3, 3, 16, 16], stride: 1, pad: 'same' },
  { x: [3, 16, 16, 16], f: [1, 1, 16, 32], stride: 2, pad: 'same' },
  // Stride 2 over a wide row: pixel groups whose windows all lie inside the row, and groups at both edges.
  { x: [2, 9, 37, 8], f: [3, 3, 8, 8], stride: 2, pad: 'same' },
];

const size = (shape: readonly number[]) => shape.reduce((a, b) => a * b, 1);

const convOf = (c: Case, dilation = 1): Float32Array =>
  tf.tidy(() => {
    const x = tf.tensor4d(lcgArray(size(c.x), 1, -0.5, 0.5), c.x);
    const f = tf.tensor4d(lcgArray(size(c.f), 2, -0.5, 0.5), c.f);
    return Float32Array.from(tf.conv2d(x, f, c.stride, c.pad, 'NHWC', dilation).dataSync());
  });

describe('the SIMD forward convolution', () => {
  const reference: Float32Array[] = [];
  beforeAll(async () => {
    await initBackend('cpu');
    for (const c of cases) reference.push(convOf(c));
  });
  afterAll(async () => {
    await initBackend('wasm');
  });

  it.each(cases.map((c, i) => [i, c] as const))('computes wasm Conv2D as cpu does, with 2 threads and with 1 (case %i)', async (i, c) => {
    const ref = reference[i]!;
    const runs: Float32Array[] = [];
    for (const threads of [2, 1]) {
      await initBackend('wasm', { threads });
      expect(simdKernelThreads()).toBe(threads);
      const before = simdConv2DCount();
      const got = convOf(c);
      expect(simdConv2DCount()).toBe(before + 1);
      // Sums of at most 5·3·16 products of values below 0.5.
      expectAllClose(got, ref, 2e-6);
      runs.push(got);
    }
    // Each output element is one thread's sum in one order, whatever the thread count.
    expect(Array.from(runs[0]!)).toEqual(Array.from(runs[1]!));
  });

  it("leaves to wasm's own kernel what it does not cover: output channels not a multiple of 4, dilation", async () => {
    const odd: Case = { x: [2, 6, 6, 4], f: [3, 3, 4, 5], stride: 1, pad: 'same' };
    const dilated: Case = { x: [2, 9, 9, 4], f: [3, 3, 4, 8], stride: 1, pad: 'valid' };
    await initBackend('cpu');
    const refOdd = convOf(odd);
    const refDilated = convOf(dilated, 2);
    await initBackend('wasm');
    const before = simdConv2DCount();
    expectAllClose(convOf(odd), refOdd, 1e-5);
    expectAllClose(convOf(dilated, 2), refDilated, 1e-5);
    expect(simdConv2DCount()).toBe(before);
    expect(convForwardTile(16)).toBe(2);
    expect(convForwardTile(12)).toBe(1);
    expect(convForwardTile(6)).toBeUndefined();
  });

  it('leaves no tensors behind (its zero row included)', async () => {
    await initBackend('wasm');
    convOf(cases[0]!);
    const before = tf.memory();
    convOf(cases[1]!);
    const after = tf.memory();
    expect(after.numTensors).toBe(before.numTensors);
    expect(after.numBytes).toBe(before.numBytes);
  });
});
