import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { initBackend } from '../../src/backend/index.js';
import { zeroCentroid } from '../../src/losses/zero-centroid.js';
import { lossProblemArb } from '../arbitraries/loss-problem.js';
import {
  TENSOR_RUNS,
  checkEqualsCrossEntropyOf,
  checkNonNegativeFinite,
  checkPermutationInvariant,
  closeRelative,
  lossValues,
  nll64,
} from './helpers.js';

const COSINE = { bound: 1 } as const;
const rowMean = (row: readonly number[]): number => row.reduce((a, b) => a + b, 0) / row.length;

beforeAll(async () => {
  await initBackend('cpu');
});

describe('zero-centroid properties', () => {
  it('zero-centroid with λ_w = 0 equals CE on s·z', () =>
    checkEqualsCrossEntropyOf(zeroCentroid, { scale: 10, weight: 0 }, (z) => z.map((row) => row.map((v) => 10 * v)), COSINE));

  it('on rows with zero mean (prototypes centred at the origin) the penalty vanishes: CE on s·z', () =>
    fc.assert(
      fc.property(lossProblemArb(COSINE), ({ logits, labels, counts }) => {
        const centred = logits.map((row) => row.map((v) => v - rowMean(row)));
        const got = lossValues(zeroCentroid, zeroCentroid.prepare({ scale: 10, weight: 5 }, counts), centred, labels);
        const expected = centred.map((row, i) => nll64(row.map((v) => 10 * v), labels[i]!));
        expect(closeRelative(got, expected, 1e-4)).toBe(true);
      }),
      TENSOR_RUNS,
    ));

  it('the logit-form penalty is λ_w·(row mean)²: loss − CE(s·z) matches it', () =>
    fc.assert(
      fc.property(lossProblemArb(COSINE), ({ logits, labels, counts }) => {
        const got = lossValues(zeroCentroid, zeroCentroid.prepare({ scale: 10, weight: 3 }, counts), logits, labels);
        const expected = logits.map((row, i) => nll64(row.map((v) => 10 * v), labels[i]!) + 3 * rowMean(row) ** 2);
        expect(closeRelative(got, expected, 1e-4)).toBe(true);
      }),
      TENSOR_RUNS,
    ));

  it('zero-centroid is non-negative and finite, per-example shape [N]', () => checkNonNegativeFinite(zeroCentroid, zeroCentroid.defaults, { bound: 1e3 }));
  it('a permutation of classes leaves zero-centroid unchanged', () => checkPermutationInvariant(zeroCentroid, zeroCentroid.defaults, COSINE));
});
