import { beforeAll, describe, it } from 'vitest';
import fc from 'fast-check';
import { expect } from 'vitest';
import { initBackend } from '../../src/backend/index.js';
import { dbnMixLoss, dbnMixTemperatures } from '../../src/losses/dbn-mix.js';
import { checkNonNegativeFinite, checkPermutationInvariant, checkTrueLogitMonotone, closeRelative, lossValues, nonIncreasingInCounts, TENSOR_RUNS } from './helpers.js';
import { lossProblemArb } from '../arbitraries/loss-problem.js';
import { positiveCountsArb } from '../arbitraries/class-counts.js';

beforeAll(async () => {
  await initBackend('cpu');
});

/** CE plus the negative term −Σ_{k≠y} log(1 − p_k) on untempered logits, in float64. */
const untempered = (row: readonly number[], y: number): number => {
  const m = Math.max(...row);
  const lse = m + Math.log(row.reduce((s, v) => s + Math.exp(v - m), 0));
  return row.reduce((s, v, k) => {
    if (k === y) return s + (lse - v);
    const others = row.filter((_, j) => j !== k);
    const mo = Math.max(...others);
    return s + (lse - (mo + Math.log(others.reduce((a, w) => a + Math.exp(w - mo), 0))));
  }, 0);
};

describe('dbn-mix loss properties', () => {
  it('is non-negative and finite, up to |z| = 1e3', () => {
    checkNonNegativeFinite(dbnMixLoss, dbnMixLoss.defaults);
    checkNonNegativeFinite(dbnMixLoss, dbnMixLoss.defaults, { bound: 1e3 });
  });

  it('raising the true-class logit never raises the loss', () => {
    checkTrueLogitMonotone(dbnMixLoss, dbnMixLoss.defaults);
  });

  it('a permutation of classes (logits, labels and counts together) leaves the loss unchanged', () => {
    checkPermutationInvariant(dbnMixLoss, dbnMixLoss.defaults);
  });

  it('with ε = 0 (all φ = 1) equals CE plus the negative term on the raw logits', () => {
    fc.assert(
      fc.property(lossProblemArb(), ({ logits, labels, counts }) => {
        const got = lossValues(dbnMixLoss, dbnMixLoss.prepare({ epsilon: 0, eta: 3 }, counts), logits, labels);
        expect(closeRelative(got, logits.map((row, i) => untempered(row, labels[i]!)), 1e-4)).toBe(true);
      }),
      TENSOR_RUNS,
    );
  });

  it('temperatures are ≥ 1, equal 1 for the largest class, and are non-increasing in n', () => {
    fc.assert(
      fc.property(positiveCountsArb(6), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0.5, max: 10, noNaN: true }), (counts, eps, eta) => {
        const phi = dbnMixTemperatures(counts, eps, eta);
        expect(phi.every((v) => v >= 1 - 1e-12)).toBe(true);
        expect(phi[counts.indexOf(Math.max(...counts))]).toBeCloseTo(1, 12);
        expect(nonIncreasingInCounts(counts, phi, 1e-12)).toBe(true);
      }),
    );
  });
});
