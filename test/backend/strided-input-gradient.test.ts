import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { conv2dInputGradient } from '../../src/backend/conv-gradients.js';
import { depthToSpaceFast, depthToSpaceOnHeap } from '../../src/backend/heap-kernels.js';
import { expectAllClose, lcgArray } from './close.js';

type Shape4 = [number, number, number, number];
const size = (s: readonly number[]) => s.reduce((a, b) => a * b, 1);

/** tfjs's own Conv2DBackpropInput on the cpu backend. */
const cpuInputGradient = (xShape: Shape4, dy: Float32Array, dyShape: number[], f: Float32Array, fShape: Shape4, stride: number, pad: 'same' | 'valid') =>
  tf.tidy(() => {
    const dyT = tf.tensor4d(dy, dyShape as Shape4);
    const fT = tf.tensor4d(f, fShape);
    return tf.conv2dTranspose(dyT, fT, xShape, stride, pad).dataSync() as Float32Array;
  });

describe('input gradient of strided convolutions in phase form (wasm)', () => {
  it('equals the cpu kernel where the phase form applies and where it falls back', async () => {
    const cases: Array<{ x: Shape4; f: Shape4; stride: number; pad: 'same' | 'valid' }> = [
      { x: [2, 8, 8, 3], f: [3, 3, 3, 4], stride: 2, pad: 'same' }, // ResNet's downsampling conv: phase form
      { x: [1, 12, 12, 2], f: [5, 5, 2, 3], stride: 3, pad: 'same' }, // stride 3: 9 phases
      { x: [2, 8, 8, 4], f: [1, 1, 4, 6], stride: 2, pad: 'valid' }, // 1×1: zero dilation (no taps to save)
      { x: [2, 7, 7, 3], f: [3, 3, 3, 4], stride: 2, pad: 'same' }, // odd size: zero dilation
      { x: [1, 8, 8, 2], f: [3, 3, 2, 2], stride: 2, pad: 'valid' },
    ];
    for (const c of cases) {
      await initBackend('cpu');
      const dyShape = tf.tidy(() => tf.conv2d(tf.zeros(c.x) as tf.Tensor4D, tf.zeros(c.f) as tf.Tensor4D, c.stride, c.pad).shape);
      const dy = lcgArray(size(dyShape), 1);
      const f = lcgArray(size(c.f), 2);
      const expected = cpuInputGradient(c.x, dy, dyShape, f, c.f, c.stride, c.pad);
      for (const backend of ['wasm', 'cpu'] as const) {
        await initBackend(backend, { threads: 1 });
        const got = tf.tidy(() => conv2dInputGradient(c.x, tf.tensor(dy, dyShape) as tf.Tensor4D, tf.tensor(f, c.f) as tf.Tensor4D, c.stride, c.pad).dataSync());
        expectAllClose(got, expected, 1e-5);
      }
    }
  });

  it('interleaves phases with a heap kernel equal to tf.depthToSpace', async () => {
    const shape: Shape4 = [2, 3, 4, 2 * 2 * 5];
    const xv = lcgArray(size(shape), 4);
    await initBackend('cpu');
    const expected = tf.tidy(() => tf.depthToSpace(tf.tensor4d(xv, shape), 2).dataSync() as Float32Array);
    const out = new Float32Array(xv.length);
    depthToSpaceOnHeap(xv, out, 2, 3, 4, 5, 2);
    expect(Array.from(out)).toEqual(Array.from(expected));
    await initBackend('wasm', { threads: 1 });
    const onWasm = tf.tidy(() => depthToSpaceFast(tf.tensor4d(xv, shape), 2));
    expect(onWasm.shape).toEqual([2, 6, 8, 5]);
    expect(Array.from(onWasm.dataSync())).toEqual(Array.from(expected));
  });
});
