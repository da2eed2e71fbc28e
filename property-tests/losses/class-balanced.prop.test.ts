import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { initBackend } from '../../src/backend/index.js';
import { classBalanced, classBalancedWeights } from '../../src/losses/class-balanced.js';
import { countsForClassesArb } from '../arbitraries/class-counts.js';
import {
  checkEqualsCrossEntropyOf,
  checkNonNegativeFinite,
  checkPermutationInvariant,
  checkShiftInvariant,
  checkTrueLogitMonotone,
  nonIncreasingInCounts,
} from './helpers.js';

const betaArb = fc.oneof(fc.constantFrom(0, 0.9, 0.99, 0.999, 0.9999, 1), fc.double({ min: 0, max: 1, noNaN: true }));
const countsArb = fc.integer({ min: 1, max: 20 }).chain((c) => countsForClassesArb(c));

beforeAll(async () => {
  await initBackend('cpu');
});

describe('class-balanced properties', () => {
  it('class-balanced weights sum to C', () =>
    fc.assert(
      fc.property(countsArb, betaArb, (counts, beta) => {
        const w = classBalancedWeights(counts, beta);
        expect(w.reduce((a, b) => a + b, 0)).toBeCloseTo(counts.length, 9);
      }),
    ));

  it('class-balanced weights are positive and non-increasing in n', () =>
    fc.assert(
      fc.property(countsArb, betaArb, (counts, beta) => {
        const w = classBalancedWeights(counts, beta);
        expect(w.every((v) => v > 0 && Number.isFinite(v))).toBe(true);
        expect(nonIncreasingInCounts(counts, w, 1e-12)).toBe(true);
      }),
    ));

  it('class-balanced with β = 0 equals CE (all weights 1)', () =>
    checkEqualsCrossEntropyOf(classBalanced, { beta: 0, variant: 'softmax', gamma: 1 }));

  it('class-balanced with uniform counts equals CE for any β', () =>
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }), fc.integer({ min: 1, max: 5000 }), betaArb, (c, n, beta) => {
        classBalancedWeights(new Array<number>(c).fill(n), beta).forEach((v) => expect(v).toBeCloseTo(1, 12));
      }),
    ));

  for (const variant of ['softmax', 'sigmoid', 'focal'] as const) {
    it(`class-balanced ${variant} is non-negative and finite, per-example shape [N]`, () =>
      checkNonNegativeFinite(classBalanced, { beta: 0.9999, variant, gamma: 2 }));
    it(`a permutation of classes leaves class-balanced ${variant} unchanged`, () =>
      checkPermutationInvariant(classBalanced, { beta: 0.999, variant, gamma: 1 }));
  }

  it('class-balanced focal with γ = 0 equals class-balanced sigmoid', () =>
    fc.assert(
      fc.property(fc.integer({ min: 2, max: 6 }).chain((c) => countsForClassesArb(c)), (counts) => {
        const a = classBalanced.prepare({ beta: 0.99, variant: 'focal', gamma: 0 }, counts);
        const b = classBalanced.prepare({ beta: 0.99, variant: 'sigmoid', gamma: 0 }, counts);
        expect(a.classWeights).toEqual(b.classWeights);
      }),
    ));

  it('class-balanced softmax is shift invariant', () => checkShiftInvariant(classBalanced, { beta: 0.9999, variant: 'softmax', gamma: 1 }));
  it('raising the true-class logit never raises class-balanced softmax or sigmoid', () => {
    checkTrueLogitMonotone(classBalanced, { beta: 0.9999, variant: 'softmax', gamma: 1 });
    checkTrueLogitMonotone(classBalanced, { beta: 0.9999, variant: 'sigmoid', gamma: 1 });
  });
});
