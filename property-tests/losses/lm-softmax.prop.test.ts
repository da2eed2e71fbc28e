import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { initBackend } from '../../src/backend/index.js';
import { lmSoftmax } from '../../src/losses/lm-softmax.js';
import { lossProblemArb } from '../arbitraries/loss-problem.js';
import {
  TENSOR_RUNS,
  checkPermutationInvariant,
  checkShiftInvariant,
  checkTrueLogitMonotone,
  closeRelative,
  lossValues,
  nll64,
} from './helpers.js';

/** LM-Softmax expects cosine logits: |z| ≤ 1. */
const COSINE = { bound: 1 } as const;
const BOTH = { ...lmSoftmax.defaults, sampleMarginWeight: 0.5, zeroCentroidWeight: 2 };
const softplus = (x: number): number => (x > 0 ? x + Math.log1p(Math.exp(-x)) : Math.log1p(Math.exp(x)));
const maxOtherGap = (row: readonly number[], y: number): number => Math.max(...row.filter((_, j) => j !== y)) - row[y]!;

beforeAll(async () => {
  await initBackend('cpu');
});

describe('LM-Softmax properties', () => {
  it('putting the target term back gives CE: softplus(s·ℓ) = CE(s·z)', () =>
    fc.assert(
      fc.property(lossProblemArb(), fc.integer({ min: 1, max: 64 }), ({ logits, labels, counts }, s) => {
        const got = lossValues(lmSoftmax, lmSoftmax.prepare({ ...lmSoftmax.defaults, scale: s }, counts), logits, labels);
        const ce = logits.map((row, i) => nll64(row.map((v) => s * v), labels[i]!));
        expect(closeRelative(got.map((v) => softplus(s * v)), ce, 1e-4)).toBe(true);
      }),
      TENSOR_RUNS,
    ));

  it('max_{j≠y}(z_j − z_y) ≤ ℓ ≤ max_{j≠y}(z_j − z_y) + log(C − 1)/s (the 1/s form tends to minus the sample margin)', () =>
    fc.assert(
      fc.property(lossProblemArb(COSINE), fc.integer({ min: 1, max: 64 }), ({ logits, labels, counts }, s) => {
        const got = lossValues(lmSoftmax, lmSoftmax.prepare({ ...lmSoftmax.defaults, scale: s }, counts), logits, labels);
        got.forEach((v, i) => {
          const gap = maxOtherGap(logits[i]!, labels[i]!);
          expect(v).toBeGreaterThanOrEqual(gap - 1e-5);
          expect(v).toBeLessThanOrEqual(gap + Math.log(counts.length - 1) / s + 1e-5);
        });
      }),
      TENSOR_RUNS,
    ));

  it('the sample-margin weight adds exactly λ·(max_{j≠y} z_j − z_y)', () =>
    fc.assert(
      fc.property(lossProblemArb(), ({ logits, labels, counts }) => {
        const plain = lossValues(lmSoftmax, lmSoftmax.prepare(lmSoftmax.defaults, counts), logits, labels);
        const withSm = lossValues(lmSoftmax, lmSoftmax.prepare({ ...lmSoftmax.defaults, sampleMarginWeight: 0.5 }, counts), logits, labels);
        const expected = plain.map((v, i) => v + 0.5 * maxOtherGap(logits[i]!, labels[i]!));
        expect(closeRelative(withSm, expected, 1e-5)).toBe(true);
      }),
      TENSOR_RUNS,
    ));

  it('with the zero-centroid weight, shifting a row by c changes ℓ by exactly λ_w·((μ + c)² − μ²), μ the row mean', () =>
    fc.assert(
      fc.property(lossProblemArb(COSINE), fc.integer({ min: -3, max: 3 }), ({ logits, labels, counts }, c) => {
        const config = { ...lmSoftmax.defaults, zeroCentroidWeight: 2 };
        const prepared = lmSoftmax.prepare(config, counts);
        const before = lossValues(lmSoftmax, prepared, logits, labels);
        const after = lossValues(lmSoftmax, prepared, logits.map((row) => row.map((v) => v + c)), labels);
        const expected = before.map((v, i) => {
          const mu = logits[i]!.reduce((a, b) => a + b, 0) / logits[i]!.length;
          return v + 2 * ((mu + c) ** 2 - mu ** 2);
        });
        expect(closeRelative(after, expected, 1e-4)).toBe(true);
      }),
      TENSOR_RUNS,
    ));

  it('LM-Softmax with both regularisers is finite for |z| up to 1e3, per-example shape [N]', () =>
    fc.assert(
      fc.property(lossProblemArb({ bound: 1e3 }), ({ logits, labels, counts }) => {
        const values = lossValues(lmSoftmax, lmSoftmax.prepare({ ...BOTH, divideByScale: false }, counts), logits, labels);
        expect(values.every(Number.isFinite)).toBe(true);
      }),
      TENSOR_RUNS,
    ));

  it('LM-Softmax is shift invariant (with the sample-margin term)', () =>
    checkShiftInvariant(lmSoftmax, { ...lmSoftmax.defaults, scale: 1, sampleMarginWeight: 0.5 }));
  it('raising the true-class logit never raises LM-Softmax (with the sample-margin term)', () =>
    checkTrueLogitMonotone(lmSoftmax, { ...lmSoftmax.defaults, sampleMarginWeight: 0.5 }, COSINE));
  it('a permutation of classes leaves LM-Softmax unchanged (both regularisers)', () => checkPermutationInvariant(lmSoftmax, BOTH, COSINE));
});
