import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { cosineLogits } from '../../src/models/cosine-head.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const features = [
  [3, 4, 0],
  [0, 0, 0], // a feature vector whose ReLUs are all off
  [-1, 2, 2],
];
const kernel = [
  [1, 0],
  [0, 2],
  [0, 0],
];

describe('cosineLogits', () => {
  it('golden: cos(x_i, w_j) in float64; an all-zero feature row gives logits 0', () => {
    const got = tf.tidy(() => cosineLogits(tf.tensor2d(features), tf.tensor2d(kernel)).arraySync());
    const expected = features.map((x) => {
      const nx = Math.max(Math.hypot(...x), 1e-12);
      return [0, 1].map((j) => {
        const w = kernel.map((row) => row[j]!);
        return x.reduce((s, v, k) => s + v * w[k]!, 0) / (nx * Math.hypot(...w));
      });
    });
    got.forEach((row, i) => row.forEach((v, j) => expect(v).toBeCloseTo(expected[i]![j]!, 6)));
    expect(got[1]).toEqual([0, 0]);
  });

  it('has finite gradients for an all-zero feature row (√ of 0 would give NaN)', () => {
    const [gx, gw] = tf.tidy(() => {
      const g = tf.grads((x: tf.Tensor, w: tf.Tensor) => tf.sum(tf.square(cosineLogits(x as tf.Tensor2D, w as tf.Tensor2D))));
      return g([tf.tensor2d(features), tf.tensor2d(kernel)]).map((t) => Array.from(t.dataSync()));
    });
    expect([...gx!, ...gw!].every(Number.isFinite)).toBe(true);
    expect(gx!.slice(3, 6)).toEqual([0, 0, 0]);
  });
});
