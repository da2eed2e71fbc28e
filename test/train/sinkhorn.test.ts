import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { sinkhorn, type SinkhornOptions } from '../../src/train/sinkhorn.js';
import { expectClose } from '../helpers/expect-close.js';
import { referenceSinkhorn } from './helpers/sinkhorn-reference.js';

const run = (cost: number[][], mu: number[], nu: number[], options: SinkhornOptions = {}) =>
  tf.tidy(() => {
    const r = sinkhorn(tf.tensor2d(cost), tf.tensor1d(mu), tf.tensor1d(nu), options);
    return { plan: r.plan.arraySync(), u: Array.from(r.u.dataSync()), v: Array.from(r.v.dataSync()), cost: r.cost.dataSync()[0]!, iterations: r.iterations };
  });
const rowSums = (p: number[][]) => p.map((r) => r.reduce((a, b) => a + b, 0));
const colSums = (p: number[][]) => p[0]!.map((_, j) => p.reduce((s, r) => s + r[j]!, 0));

/** A fixed 4×5 cost in [0, 1.2] and a non-uniform ν. */
const C = [
  [0.1, 0.9, 0.4, 1.2, 0.3],
  [0.8, 0.2, 0.5, 0.6, 1.0],
  [0.4, 0.7, 0.05, 0.9, 0.6],
  [1.1, 0.3, 0.8, 0.15, 0.7],
];
const mu = [0.25, 0.25, 0.25, 0.25];
const nu = [0.1, 0.3, 0.2, 0.15, 0.25];

describe('sinkhorn (log domain)', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('matches the float64 reference: same stopping iteration, plan, potentials and cost (default ε 0.1, threshold 0.1)', () => {
    const ref = referenceSinkhorn(C, mu, nu);
    const got = run(C, mu, nu);
    expect(got.iterations).toBe(ref.iterations);
    expectClose(got.plan.flat(), ref.plan.flat(), 1e-6);
    expectClose(got.u, ref.u, 1e-5);
    expectClose(got.v, ref.v, 1e-5);
    expect(got.cost).toBeCloseTo(ref.cost, 6);
  });

  it('satisfies both marginals when run to convergence, the columns exactly after the last v-update', () => {
    const got = run(C, mu, nu, { threshold: 1e-6, maxIterations: 2000 });
    expectClose(colSums(got.plan), nu, 1e-6);
    expectClose(rowSums(got.plan), mu, 1e-5);
    // The official stopping rule (Σ|Δu| < 0.1, with u moving in steps of order ε) stops after two
    // iterations here: the columns are exact, the rows as far from μ as the reference's (0.32 for 0.25).
    const loose = run(C, mu, nu);
    const ref = referenceSinkhorn(C, mu, nu);
    expect([loose.iterations, ref.iterations]).toEqual([2, 2]);
    expectClose(colSums(loose.plan), nu, 1e-6);
    expectClose(rowSums(loose.plan), rowSums(ref.plan), 1e-6);
    expect(Math.max(...rowSums(ref.plan).map((r, i) => Math.abs(r - mu[i]!)))).toBeGreaterThan(0.07);
  });

  it('hand-computed cases: one meta point takes ν as the plan; a symmetric 2×2 puts 1/(2(1 + e^{−1/ε})) on the diagonal', () => {
    const one = run([[0.3, 0.9, 0.5]], [1], [0.2, 0.5, 0.3], { threshold: 0, maxIterations: 5 });
    expectClose(one.plan[0]!, [0.2, 0.5, 0.3], 1e-6);
    expect(one.cost).toBeCloseTo(0.2 * 0.3 + 0.5 * 0.9 + 0.3 * 0.5, 6);
    for (const epsilon of [1, 0.5]) {
      const a = 1 / (2 * (1 + Math.exp(-1 / epsilon))); // ε = 1: 0.3655293, ε = 0.5: 0.4403985
      const two = run(
        [
          [0, 1],
          [1, 0],
        ],
        [0.5, 0.5],
        [0.5, 0.5],
        { epsilon, threshold: 1e-7, maxIterations: 1000 },
      );
      expectClose(two.plan.flat(), [a, 0.5 - a, 0.5 - a, a], 1e-6);
      expect(two.cost).toBeCloseTo(1 - 2 * a, 6);
    }
  });

  it('is differentiable through the iterations: ∂cost/∂ν matches central differences of the float64 reference', () => {
    const iterations = 30;
    const grad = tf.tidy(() =>
      Array.from(
        tf.grad((x: tf.Tensor) => sinkhorn(tf.tensor2d(C), tf.tensor1d(mu), x as tf.Tensor1D, { threshold: 0, maxIterations: iterations }).cost)(tf.tensor1d(nu)).dataSync(),
      ),
    );
    const h = 1e-6;
    const fd = nu.map((_, j) => {
      const at = (d: number) => referenceSinkhorn(C, mu, nu.map((x, k) => (k === j ? x + d : x)), 0.1, iterations, 0).cost;
      return (at(h) - at(-h)) / (2 * h);
    });
    expectClose(grad, fd, 2e-3);
    expect(fd.some((g) => Math.abs(g) > 0.05)).toBe(true);
  });

  it('stays finite for a small ε where exp(−C/ε) underflows float32, and leaks nothing', () => {
    const before = tf.memory().numTensors;
    const got = run(C, mu, nu, { epsilon: 0.001, threshold: 0, maxIterations: 50 });
    expect(tf.memory().numTensors).toBe(before);
    expect(got.plan.flat().every(Number.isFinite)).toBe(true);
    expectClose(colSums(got.plan), nu, 1e-5);
  });

  it('refuses mismatched shapes and bad settings', () => {
    tf.tidy(() => {
      const c = tf.tensor2d(C);
      expect(() => sinkhorn(c, tf.tensor1d([1]), tf.tensor1d(nu))).toThrow('sinkhorn: the cost is [4, 5] but μ has 1 and ν 5 entries');
      expect(() => sinkhorn(c, tf.tensor1d(mu), tf.tensor1d(nu), { epsilon: 0 })).toThrow('sinkhorn: ε must be a positive number, got 0');
      expect(() => sinkhorn(c, tf.tensor1d(mu), tf.tensor1d(nu), { maxIterations: 0 })).toThrow('sinkhorn: maxIterations must be a positive integer, got 0');
    });
  });
});
