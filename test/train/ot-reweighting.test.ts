import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { initialOtWeights, otCost, otWeightUpdate } from '../../src/train/ot-reweighting.js';
import { expectClose } from '../helpers/expect-close.js';
import { referenceSinkhorn, softmax64 } from './helpers/sinkhorn-reference.js';

/** Runs `f` on the cost as a tensor, then frees it (otWeightUpdate keeps nothing itself). */
const withCost = <T>(cost: number[][], f: (c: tf.Tensor2D) => T): T => {
  const c = tf.tensor2d(cost);
  try {
    return f(c);
  } finally {
    c.dispose();
  }
};

const metaFeatures = [
  [1, 0, 0],
  [0, 2, 0],
];
const batchFeatures = [
  [3, 0, 0],
  [1, 1, 0],
  [0, 0, 1],
  [0, -1, 0.5],
];
const metaLabels = Int32Array.from([0, 1]);
const batchLabels = Int32Array.from([0, 0, 2, 1]);
const cos = (a: number[], b: number[]) => a.reduce((s, x, i) => s + x * b[i]!, 0) / (Math.hypot(...a) * Math.hypot(...b));
/** C_ij = 0.5·(1 − cos) + 0.5·(2/K if the labels differ), K = 3. */
const expectedCost = metaFeatures.map((m, i) => batchFeatures.map((b, j) => 0.5 * (1 - cos(m, b)) + 0.5 * (metaLabels[i] === batchLabels[j] ? 0 : 2 / 3)));

const costOf = (kind?: 'combined' | 'feature' | 'label') =>
  tf.tidy(() =>
    otCost({ features: tf.tensor2d(metaFeatures), labels: metaLabels }, { features: tf.tensor2d(batchFeatures), labels: batchLabels }, 3, kind).arraySync(),
  );

describe('otCost', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('is 0.5·(1 − cosine) + 0.5·mean_k (one-hot difference)², meta rows by batch columns (--cost combined)', () => {
    expectClose(costOf().flat(), expectedCost.flat(), 1e-6);
    expectClose(costOf('label').flat(), expectedCost.map((r, i) => r.map((_, j) => (metaLabels[i] === batchLabels[j] ? 0 : 2 / 3))).flat(), 1e-7);
    expectClose(costOf('feature').flat(), metaFeatures.map((m) => batchFeatures.map((b) => 1 - cos(m, b))).flat(), 1e-6);
  });

  it('refuses labels outside the classes and features of different widths', () => {
    tf.tidy(() => {
      const meta = { features: tf.tensor2d(metaFeatures), labels: metaLabels };
      expect(() => otCost(meta, { features: tf.tensor2d(batchFeatures), labels: Int32Array.from([0, 0, 3, 1]) }, 3)).toThrow('otCost: label 3 is outside 0..2');
      expect(() => otCost(meta, { features: tf.zeros([4, 2]) as tf.Tensor2D, labels: batchLabels }, 3)).toThrow('otCost: meta features have width 3, batch features 2');
    });
  });
});

describe('otWeightUpdate', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('takes w − lr·(∂OT/∂w + weightDecay·w), the gradient through softmax and every Sinkhorn iteration (float64 finite differences)', () => {
    const raw = [1.2, 0.4, 0.9, 0.7];
    const options = { lr: 0.5, weightDecay: 0.01, threshold: 0, maxIterations: 40 };
    const step = withCost(expectedCost, (c) => otWeightUpdate(Float32Array.from(raw), c, options));
    const ot = (w: number[]) => referenceSinkhorn(expectedCost, [0.5, 0.5], softmax64(w), 0.1, 40, 0).cost;
    const h = 1e-6;
    const grad = raw.map((_, j) => (ot(raw.map((x, k) => (k === j ? x + h : x))) - ot(raw.map((x, k) => (k === j ? x - h : x)))) / (2 * h));
    expect(step.otLoss).toBeCloseTo(ot(raw), 5);
    expectClose(step.weights, raw.map((w, j) => w - 0.5 * (grad[j]! + 0.01 * w)), 2e-4);
    expectClose(step.distribution, softmax64(Array.from(step.weights)), 1e-6);
    expect(step.iterations).toBe(40);
    expect(grad.some((g) => Math.abs(g) > 0.01)).toBe(true);
  });

  it('moves mass toward the samples the balanced meta set needs: a lone class-1 sample among three of class 0 rises toward 1/2', () => {
    // Label cost only: meta = one prototype of class 0 and one of class 1.
    const cost = [
      [0, 0, 0, 1],
      [1, 1, 1, 0],
    ];
    let w: Float32Array = new Float32Array(4);
    let before = 0;
    const options = { lr: 4, weightDecay: 0, threshold: 1e-4, maxIterations: 60 };
    for (let t = 0; t < 30; t++) {
      const s = withCost(cost, (c) => otWeightUpdate(w, c, options));
      if (t === 0) before = s.otLoss;
      w = s.weights;
    }
    const last = withCost(cost, (c) => otWeightUpdate(w, c, options));
    expect(last.distribution[3]).toBeGreaterThan(0.4);
    expect(last.distribution[3]).toBeLessThan(0.55);
    expectClose(Array.from(last.distribution.subarray(0, 3)), [1, 1, 1].map(() => (1 - last.distribution[3]!) / 3), 1e-6);
    expect(last.otLoss).toBeLessThan(before / 5);
  });

  it('leaks nothing and refuses a weight count that does not fit the cost', () => {
    const cost = tf.tensor2d(expectedCost);
    const before = tf.memory().numTensors;
    otWeightUpdate(new Float32Array(4), cost);
    expect(tf.memory().numTensors).toBe(before);
    expect(() => otWeightUpdate(new Float32Array(3), cost)).toThrow('otWeightUpdate: 3 weights for a cost with 4 columns');
    cost.dispose();
  });
});

describe('initialOtWeights', () => {
  it('gives each sample its class-balanced weight (β 0.9999), the class weights summing to K', () => {
    const counts = [100, 10, 1];
    const raw = counts.map((n) => (1 - 0.9999) / (1 - 0.9999 ** n));
    const perClass = raw.map((r) => (3 * r) / raw.reduce((a, b) => a + b, 0));
    expectClose(initialOtWeights(Int32Array.from([2, 0, 1, 0]), counts), [perClass[2]!, perClass[0]!, perClass[1]!, perClass[0]!], 1e-6);
    expect(perClass.reduce((a, b) => a + b, 0)).toBeCloseTo(3, 12);
    expect(() => initialOtWeights(Int32Array.from([3]), counts)).toThrow('initialOtWeights: label 3 has no class count');
  });
});
