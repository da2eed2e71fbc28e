import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { sinkhorn } from '../../src/train/sinkhorn.js';
import { otWeightUpdate } from '../../src/train/ot-reweighting.js';

/** Runs `f` on the cost as a tensor, then frees it (otWeightUpdate keeps nothing itself). */
const withCost = <T>(cost: number[][], f: (c: tf.Tensor2D) => T): T => {
  const c = tf.tensor2d(cost);
  try {
    return f(c);
  } finally {
    c.dispose();
  }
};

beforeAll(async () => {
  await initBackend('cpu');
});

/** An m×n cost in [0, 1.5] with 1 ≤ m ≤ 5, 1 ≤ n ≤ 8, and raw weights for its n columns. */
const problemArb = fc
  .record({ m: fc.integer({ min: 1, max: 5 }), n: fc.integer({ min: 1, max: 8 }) })
  .chain(({ m, n }) =>
    fc.record({
      cost: fc.array(fc.array(fc.double({ min: 0, max: 1.5, noNaN: true }), { minLength: n, maxLength: n }), { minLength: m, maxLength: m }),
      raw: fc.array(fc.double({ min: -2, max: 2, noNaN: true }), { minLength: n, maxLength: n }),
    }),
  );

describe('Sinkhorn and OT re-weighting properties', () => {
  it('the plan is non-negative, its columns sum to ν, and the cost lies between the smallest and largest C', () =>
    fc.assert(
      fc.property(problemArb, ({ cost, raw }) => {
        const { plan, value } = tf.tidy(() => {
          const m = cost.length;
          const r = sinkhorn(tf.tensor2d(cost), tf.fill([m], 1 / m) as tf.Tensor1D, tf.softmax(tf.tensor1d(raw)) as tf.Tensor1D);
          return { plan: r.plan.arraySync(), value: r.cost.dataSync()[0]! };
        });
        const e = raw.map((x) => Math.exp(x - Math.max(...raw)));
        const nu = e.map((x) => x / e.reduce((a, b) => a + b, 0));
        plan.flat().forEach((p) => expect(p).toBeGreaterThanOrEqual(0));
        nu.forEach((v, j) => expect(plan.reduce((s, row) => s + row[j]!, 0)).toBeCloseTo(v, 5));
        const total = plan.flat().reduce((a, b) => a + b, 0);
        expect(total).toBeCloseTo(1, 5);
        expect(value).toBeGreaterThanOrEqual(Math.min(...cost.flat()) * total - 1e-5);
        expect(value).toBeLessThanOrEqual(Math.max(...cost.flat()) * total + 1e-5);
      }),
      { numRuns: 40 },
    ));

  it('the batch distribution after a step is non-negative and sums to 1; the raw weights stay finite', () =>
    fc.assert(
      fc.property(problemArb, ({ cost, raw }) => {
        const s = withCost(cost, (c) => otWeightUpdate(Float32Array.from(raw), c));
        s.distribution.forEach((p) => expect(p).toBeGreaterThanOrEqual(0));
        expect(s.distribution.reduce((a, b) => a + b, 0)).toBeCloseTo(1, 5);
        expect(s.weights.every(Number.isFinite)).toBe(true);
      }),
      { numRuns: 40 },
    ));

  it('a balanced batch with symmetric (circulant) costs keeps equal weights equal', () =>
    fc.assert(
      fc.property(
        fc.integer({ min: 2, max: 7 }).chain((n) =>
          fc.record({ row: fc.array(fc.double({ min: 0, max: 1.5, noNaN: true }), { minLength: n, maxLength: n }), w0: fc.double({ min: -2, max: 2, noNaN: true }) }),
        ),
        ({ row, w0 }) => {
          // C_ij = c((j − i) mod n): every batch sample stands to the meta set as every other does.
          const n = row.length;
          const cost = row.map((_, i) => row.map((__, j) => row[(j - i + n) % n]!));
          const s = withCost(cost, (c) => otWeightUpdate(new Float32Array(n).fill(w0), c, { lr: 1, threshold: 0, maxIterations: 30 }));
          s.weights.forEach((w) => expect(w).toBeCloseTo(s.weights[0]!, 5));
          s.distribution.forEach((p) => expect(p).toBeCloseTo(1 / n, 5));
        },
      ),
      { numRuns: 40 },
    ));
});
