import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { initBackend } from '../../src/backend/index.js';
import { gmSoftmax } from '../../src/losses/gm-softmax.js';
import { lossProblemArb } from '../arbitraries/loss-problem.js';
import {
  TENSOR_RUNS,
  checkEqualsCrossEntropyOf,
  checkNonNegativeFinite,
  checkPermutationInvariant,
  checkTrueLogitMonotone,
  lossValues,
  nll64,
} from './helpers.js';

/** GM-Softmax is defined on cosine logits: |z| ≤ 1. */
const COSINE = { bound: 1 } as const;
const marginsArb = fc.record({
  angleScale: fc.double({ min: 1, max: 4, noNaN: true }),
  angleMargin: fc.double({ min: 0, max: 1, noNaN: true }),
  cosineMargin: fc.double({ min: 0, max: 0.5, noNaN: true }),
});

beforeAll(async () => {
  await initBackend('cpu');
});

describe('GM-Softmax properties', () => {
  it('GM-Softmax with m = (1, 0, 0) is NormFace: CE on s·z', () =>
    checkEqualsCrossEntropyOf(
      gmSoftmax,
      { angleScale: 1, angleMargin: 0, cosineMargin: 0, scale: 16 },
      (z) => z.map((row) => row.map((v) => 16 * Math.min(Math.max(v, -1 + 1e-7), 1 - 1e-7))),
      COSINE,
    ));

  it('a margin never lowers the loss below CE(s·z) (ψ(θ) ≤ cos θ for m1 ≥ 1, m2, m3 ≥ 0)', () =>
    fc.assert(
      fc.property(lossProblemArb(COSINE), marginsArb, ({ logits, labels, counts }, m) => {
        const got = lossValues(gmSoftmax, gmSoftmax.prepare({ ...m, scale: 16 }, counts), logits, labels);
        got.forEach((v, i) => {
          const ce = nll64(logits[i]!.map((x) => 16 * x), labels[i]!);
          expect(v).toBeGreaterThanOrEqual(ce - 1e-4 * (1 + ce));
        });
      }),
      TENSOR_RUNS,
    ));

  it('raising the true-class cosine never raises GM-Softmax, for any margins', () =>
    fc.assert(
      fc.property(lossProblemArb(COSINE), marginsArb, fc.double({ min: 0.01, max: 1, noNaN: true }), ({ logits, labels, counts }, m, delta) => {
        const prepared = gmSoftmax.prepare({ ...m, scale: 16 }, counts);
        const raised = logits.map((row, i) => row.map((v, j) => (j === labels[i] ? Math.min(v + delta, 1) : v)));
        const before = lossValues(gmSoftmax, prepared, logits, labels);
        const after = lossValues(gmSoftmax, prepared, raised, labels);
        after.forEach((v, i) => expect(v).toBeLessThanOrEqual(before[i]! + 1e-4 * (1 + before[i]!)));
      }),
      TENSOR_RUNS,
    ));

  it('GM-Softmax is non-negative and finite, per-example shape [N]', () => checkNonNegativeFinite(gmSoftmax, gmSoftmax.defaults, { bound: 1e3 }));
  it('raising the true-class logit never raises GM-Softmax (defaults)', () => checkTrueLogitMonotone(gmSoftmax, gmSoftmax.defaults, COSINE));
  it('a permutation of classes leaves GM-Softmax unchanged', () =>
    checkPermutationInvariant(gmSoftmax, { angleScale: 1.5, angleMargin: 0.3, cosineMargin: 0.1, scale: 16 }, COSINE));
});
