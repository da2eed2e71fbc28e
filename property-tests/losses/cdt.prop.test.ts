import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { initBackend } from '../../src/backend/index.js';
import { cdt, cdtTemperatures } from '../../src/losses/cdt.js';
import { countsForClassesArb } from '../arbitraries/class-counts.js';
import {
  checkEqualsCrossEntropyOf,
  checkNonNegativeFinite,
  checkPermutationInvariant,
  checkTrueLogitMonotone,
  nonIncreasingInCounts,
} from './helpers.js';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('CDT properties', () => {
  it('CDT with γ = 0 equals CE', () => checkEqualsCrossEntropyOf(cdt, { gamma: 0 }));

  it('CDT temperatures are ≥ 1, non-increasing in n, and 1 for the largest class', () =>
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }).chain((c) => countsForClassesArb(c)), fc.double({ min: 0, max: 1, noNaN: true }), (counts, gamma) => {
        const a = cdtTemperatures(counts, gamma);
        expect(a.every((v) => v >= 1)).toBe(true);
        expect(a[counts.indexOf(Math.max(...counts))]).toBe(1);
        expect(nonIncreasingInCounts(counts, a)).toBe(true);
      }),
    ));

  it('CDT is non-negative and finite, per-example shape [N]', () => checkNonNegativeFinite(cdt, cdt.defaults));
  it('raising the true-class logit never raises CDT', () => checkTrueLogitMonotone(cdt, cdt.defaults));
  it('a permutation of classes leaves CDT unchanged', () => checkPermutationInvariant(cdt, cdt.defaults));
});
