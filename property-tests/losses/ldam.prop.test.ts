import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { initBackend } from '../../src/backend/index.js';
import { ldam, ldamMargins } from '../../src/losses/ldam.js';
import { countsForClassesArb } from '../arbitraries/class-counts.js';
import {
  checkEqualsCrossEntropyOf,
  checkNonNegativeFinite,
  checkPermutationInvariant,
  checkShiftInvariant,
  checkTrueLogitMonotone,
  nonIncreasingInCounts,
} from './helpers.js';

/** LDAM expects cosine logits: |z| ≤ 1. */
const COSINE = { bound: 1 } as const;

beforeAll(async () => {
  await initBackend('cpu');
});

describe('LDAM properties', () => {
  it('LDAM margins are non-increasing in n, the largest equal to maxMargin', () =>
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 20 }).chain((c) => countsForClassesArb(c)), fc.double({ min: 0, max: 2, noNaN: true }), (counts, maxMargin) => {
        const m = ldamMargins(counts, maxMargin);
        expect(Math.max(...m)).toBeCloseTo(maxMargin, 12);
        expect(m[counts.indexOf(Math.min(...counts))]).toBeCloseTo(maxMargin, 12);
        expect(nonIncreasingInCounts(counts, m, 1e-15)).toBe(true);
      }),
    ));

  it('LDAM with maxMargin = 0 equals scaled CE', () =>
    checkEqualsCrossEntropyOf(ldam, { maxMargin: 0, scale: 30 }, (z) => z.map((row) => row.map((v) => 30 * v)), COSINE));

  it('LDAM with maxMargin = 0 and scale 1 equals CE', () => checkEqualsCrossEntropyOf(ldam, { maxMargin: 0, scale: 1 }));
  it('LDAM is non-negative and finite, per-example shape [N]', () => checkNonNegativeFinite(ldam, ldam.defaults, COSINE));
  it('LDAM is shift invariant', () => checkShiftInvariant(ldam, { maxMargin: 0.5, scale: 1 }));
  it('raising the true-class logit never raises LDAM', () => checkTrueLogitMonotone(ldam, ldam.defaults, COSINE));
  it('a permutation of classes leaves LDAM unchanged', () => checkPermutationInvariant(ldam, ldam.defaults, COSINE));
});
