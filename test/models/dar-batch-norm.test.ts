import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { darBatchNormTraining, type NoiseGradient } from '../../src/models/dar-batch-norm.js';
import { batchNormTraining, type BatchNormState } from '../../src/models/batch-norm.js';
import { createRng, draw } from '../../src/core/rng.js';
import { expectClose } from '../helpers/expect-close.js';

const [n, h, w, c] = [4, 2, 3, 2];
const xValues = draw(createRng(1), (d) => Float32Array.from({ length: n * h * w * c }, () => d.normal() * 2 + 1))[0];
const rValues = draw(createRng(2), (d) => Float32Array.from({ length: n * h * w * c }, () => d.normal()))[0];
const noise = [0, 1, 0, 1];
const freshState = (): BatchNormState => ({ runningMean: tf.variable(tf.zeros([c]), false), runningVar: tf.variable(tf.ones([c]), false), epsilon: 1e-5, momentum: 0.1 });
const free = (s: BatchNormState) => {
  s.runningMean.dispose();
  s.runningVar.dispose();
};
const gamma = () => tf.tensor1d([1.5, 0.5]);
const beta = () => tf.tensor1d([0.2, -0.3]);
const rowsOf = (t: tf.Tensor, rows: number[]) => {
  const v = t.dataSync();
  const len = h * w * c;
  return rows.flatMap((r) => Array.from(v.subarray(r * len, (r + 1) * len)));
};

describe('darBatchNormTraining', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('normalises natural rows as batch norm on them alone and noise rows with their own statistics', () => {
    const routed = freshState();
    const alone = freshState();
    tf.tidy(() => {
      const x = tf.tensor4d(xValues, [n, h, w, c]);
      const y = darBatchNormTraining(x, noise, gamma(), beta(), routed);
      const natural = tf.gather(x, [0, 2]) as tf.Tensor4D;
      expectClose(rowsOf(y, [0, 2]), Array.from(batchNormTraining(natural, gamma(), beta(), alone).dataSync()), 1e-5);
      const z = tf.gather(x, [1, 3]);
      const { mean, variance } = tf.moments(z, [0, 1, 2]);
      const expected = tf.add(tf.mul(tf.div(tf.sub(z, mean), tf.sqrt(tf.add(variance, 1e-5))), gamma()), beta());
      expectClose(rowsOf(y, [1, 3]), Array.from(expected.dataSync()), 1e-5);
    });
    // Running statistics come from the natural rows only.
    expectClose(routed.runningMean.dataSync(), alone.runningMean.dataSync(), 1e-6);
    expectClose(routed.runningVar.dataSync(), alone.runningVar.dataSync(), 1e-6);
    free(routed);
    free(alone);
  });

  it('without noise marks (or all zeros) is plain batch norm', () => {
    const a = freshState();
    const b = freshState();
    tf.tidy(() => {
      const x = tf.tensor4d(xValues, [n, h, w, c]);
      const plain = Array.from(batchNormTraining(x, gamma(), beta(), a).dataSync());
      expect(Array.from(darBatchNormTraining(x, [0, 0, 0, 0], gamma(), beta(), b).dataSync())).toEqual(plain);
    });
    expect(Array.from(b.runningMean.dataSync())).toEqual(Array.from(a.runningMean.dataSync()));
    free(a);
    free(b);
  });

  it('an all-noise batch leaves the running statistics alone', () => {
    const s = freshState();
    tf.tidy(() => {
      darBatchNormTraining(tf.tensor4d(xValues, [n, h, w, c]), [1, 1, 1, 1], gamma(), beta(), s);
    });
    expect(Array.from(s.runningMean.dataSync())).toEqual([0, 0]);
    expect(Array.from(s.runningVar.dataSync())).toEqual([1, 1]);
    free(s);
  });

  /** Gradients of Σ y·r with respect to x, γ and β, and the loss as a function of x (for finite differences). */
  const gradients = (mode: NoiseGradient) => {
    const state = freshState();
    const loss = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) =>
      tf.sum(tf.mul(darBatchNormTraining(x as tf.Tensor4D, noise, g as tf.Tensor1D, b as tf.Tensor1D, state, mode), tf.tensor4d(rValues, [n, h, w, c])));
    let grads: number[][] = [];
    tf.tidy(() => {
      grads = tf.grads(loss)([tf.tensor4d(xValues, [n, h, w, c]), gamma(), beta()]).map((t) => Array.from(t.dataSync()));
    });
    const [dx, dg, db] = grads;
    const value = (x: Float32Array): number => tf.tidy(() => loss(tf.tensor4d(x, [n, h, w, c]), gamma(), beta()).dataSync()[0]!);
    return { dx: dx!, dg: dg!, db: db!, value, state };
  };

  it('gradients flow through the routing to natural and noise inputs, γ and β (finite differences)', () => {
    const g = gradients('full');
    const value = g.value;
    const eps = 1e-2;
    const len = h * w * c;
    for (const index of [1, len + 3, 2 * len + 5, 3 * len + 7]) {
      const up = xValues.slice();
      const down = xValues.slice();
      up[index]! += eps;
      down[index]! -= eps;
      expect(g.dx[index]!).toBeCloseTo((value(up) - value(down)) / (2 * eps), 2);
    }
    expect(g.dx.slice(len, 2 * len).some((v) => Math.abs(v) > 1e-3)).toBe(true);
    // β's gradient is Σ r over every position, natural and noise rows alike.
    const sumR = [0, 1].map((ch) => rValues.reduce((s, v, i) => (i % c === ch ? s + v : s), 0));
    expectClose(g.db, sumR, 1e-4);
    free(g.state);
  });

  it('noiseGradient "none" (the reproduction’s no_grad) stops every gradient through the noise rows', () => {
    const g = gradients('none');
    const len = h * w * c;
    expect(g.dx.slice(len, 2 * len).every((v) => v === 0)).toBe(true);
    expect(g.dx.slice(3 * len).every((v) => v === 0)).toBe(true);
    // β now only sees the natural rows.
    const natural = (i: number) => Math.floor(i / len) % 2 === 0;
    const sumR = [0, 1].map((ch) => rValues.reduce((s, v, i) => (i % c === ch && natural(i) ? s + v : s), 0));
    expectClose(g.db, sumR, 1e-4);
    free(g.state);
  });

  it('leaks no tensor and refuses marks of the wrong length', () => {
    const s = freshState();
    const x = tf.tensor4d(xValues, [n, h, w, c]);
    const [gm, bt] = [gamma(), beta()];
    const before = tf.memory().numTensors;
    darBatchNormTraining(x, noise, gm, bt, s).dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(() => darBatchNormTraining(x, [1, 0], gm, bt, s)).toThrow('darBatchNormTraining: 2 noise marks for 4 samples');
    tf.dispose([x, gm, bt]);
    free(s);
  });
});
