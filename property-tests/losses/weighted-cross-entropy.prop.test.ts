import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { initBackend } from '../../src/backend/index.js';
import { inverseFrequencyWeights, weightedCrossEntropy } from '../../src/losses/weighted-cross-entropy.js';
import { countsForClassesArb } from '../arbitraries/class-counts.js';
import { lossProblemArb } from '../arbitraries/loss-problem.js';
import {
  TENSOR_RUNS,
  checkEqualsCrossEntropyOf,
  checkNonNegativeFinite,
  checkPermutationInvariant,
  checkShiftInvariant,
  checkTrueLogitMonotone,
  closeRelative,
  lossValues,
  nll64,
  nonIncreasingInCounts,
} from './helpers.js';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('weighted cross-entropy properties', () => {
  it('inverse-frequency weights sum to C and are non-increasing in n', () =>
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }).chain((c) => countsForClassesArb(c)), fc.double({ min: 0, max: 3, noNaN: true }), (counts, q) => {
        const w = inverseFrequencyWeights(counts, q);
        expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(counts.length, 9);
        expect(nonIncreasingInCounts(counts, w, 1e-12)).toBe(true);
      }),
    ));

  it('weighted CE with exponent 0 equals CE', () => checkEqualsCrossEntropyOf(weightedCrossEntropy, { weights: 'inverse-frequency', exponent: 0 }));

  it('weighted CE equals w_y times CE for custom weights', () =>
    fc.assert(
      fc.property(
        lossProblemArb().chain((p) => fc.array(fc.double({ min: 0, max: 10, noNaN: true }), { minLength: p.counts.length, maxLength: p.counts.length }).map((w) => [p, w] as const)),
        ([{ logits, labels, counts }, w]) => {
          const got = lossValues(weightedCrossEntropy, weightedCrossEntropy.prepare({ weights: w, exponent: 1 }, counts), logits, labels);
          expect(closeRelative(got, logits.map((row, i) => w[labels[i]!]! * nll64(row, labels[i]!)), 1e-4)).toBe(true);
        },
      ),
      TENSOR_RUNS,
    ));

  it('weighted CE is non-negative and finite, per-example shape [N]', () => checkNonNegativeFinite(weightedCrossEntropy, weightedCrossEntropy.defaults));
  it('weighted CE is shift invariant', () => checkShiftInvariant(weightedCrossEntropy, weightedCrossEntropy.defaults));
  it('raising the true-class logit never raises weighted CE', () => checkTrueLogitMonotone(weightedCrossEntropy, weightedCrossEntropy.defaults));
  it('a permutation of classes leaves inverse-frequency weighted CE unchanged', () =>
    checkPermutationInvariant(weightedCrossEntropy, { weights: 'inverse-frequency', exponent: 1.2 }));
});
