import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { conv2dFilterGradient, conv2dInputGradient } from '../../src/backend/conv-gradients.js';
import { expectClose } from '../helpers/expect-close.js';

type Case = { x: [number, number, number, number]; f: [number, number, number, number]; stride: number; pad: 'same' | 'valid' };
const cases: Case[] = [
  { x: [2, 7, 7, 3], f: [3, 3, 3, 4], stride: 1, pad: 'same' },
  { x: [2, 7, 7, 3], f: [3, 3, 3, 4], stride: 1, pad: 'valid' },
  { x: [2, 8, 8, 3], f: [3, 3, 3, 4], stride: 2, pad: 'same' },
  { x: [2, 7, 7, 3], f: [3, 3, 3, 4], stride: 2, pad: 'same' },
  { x: [2, 8, 8, 3], f: [3, 3, 3, 4], stride: 2, pad: 'valid' },
  { x: [1, 9, 9, 2], f: [5, 5, 2, 3], stride: 2, pad: 'valid' },
  { x: [2, 8, 8, 4], f: [1, 1, 4, 8], stride: 2, pad: 'same' },
  { x: [3, 6, 5, 2], f: [3, 2, 2, 5], stride: 1, pad: 'same' },
];

/** Deterministic pseudo-random values (no Math.random, no tf RNG, so both backends see the same inputs). */
const values = (n: number, seed: number): Float32Array => {
  const out = new Float32Array(n);
  let s = seed;
  for (let i = 0; i < n; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = s / 2 ** 32 - 0.5;
  }
  return out;
};
const size = (shape: number[]) => shape.reduce((a, b) => a * b, 1);

/** Gradients of sum(conv2d(x, f) * dy) with respect to x and f, with whatever Conv2D gradient is registered. */
const gradsOf = (c: Case) =>
  tf.tidy(() => {
    const x = tf.tensor4d(values(size(c.x), 1), c.x);
    const f = tf.tensor4d(values(size(c.f), 2), c.f);
    const outShape = tf.conv2d(x, f, c.stride, c.pad).shape;
    const dy = tf.tensor4d(values(size(outShape), 3), outShape);
    const [gx, gf] = tf.grads((a: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(tf.conv2d(a as tf.Tensor4D, b as tf.Tensor4D, c.stride, c.pad), dy)))([x, f]);
    return { gx: gx!.dataSync().slice(), gf: gf!.dataSync().slice(), dy: dy.dataSync().slice(), outShape };
  });

describe('conv gradients rebuilt from forward convolutions', () => {
  const reference: Array<ReturnType<typeof gradsOf>> = [];
  beforeAll(async () => {
    await initBackend('cpu');
    for (const c of cases) reference.push(gradsOf(c));
  });

  it.each(cases.map((c, i) => [i, c] as const))('match the cpu kernels on the cpu backend (case %i)', async (i, c) => {
    await initBackend('cpu');
    const ref = reference[i]!;
    tf.tidy(() => {
      const x = tf.tensor4d(values(size(c.x), 1), c.x);
      const f = tf.tensor4d(values(size(c.f), 2), c.f);
      const dy = tf.tensor4d(ref.dy, ref.outShape);
      expectClose(conv2dInputGradient(c.x, dy, f, c.stride, c.pad).dataSync(), ref.gx, 2e-6);
      expectClose(conv2dFilterGradient(x, dy, c.f, c.stride, c.pad).dataSync(), ref.gf, 2e-6);
    });
  });

  it.each(cases.map((c, i) => [i, c] as const))('are the gradients tfjs uses on wasm and match cpu (case %i)', async (i, c) => {
    await initBackend('wasm');
    const ref = reference[i]!;
    const got = gradsOf(c);
    expectClose(got.gx, ref.gx, 1e-5);
    expectClose(got.gf, ref.gf, 1e-5);
  });

  it('leave no tensors behind', async () => {
    await initBackend('wasm');
    const before = tf.memory().numTensors;
    gradsOf(cases[2]!);
    expect(tf.memory().numTensors).toBe(before);
  });
});
