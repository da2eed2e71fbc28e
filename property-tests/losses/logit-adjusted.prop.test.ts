import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { initBackend } from '../../src/backend/index.js';
import { logitAdjusted } from '../../src/losses/logit-adjusted.js';
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
} from './helpers.js';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('logit-adjusted properties', () => {
  it('logit adjustment with τ = 0 equals CE', () => checkEqualsCrossEntropyOf(logitAdjusted, { tau: 0 }));

  it('logit adjustment with uniform counts equals CE for any τ', () =>
    fc.assert(
      fc.property(lossProblemArb(), fc.double({ min: 0, max: 3, noNaN: true }), fc.integer({ min: 1, max: 5000 }), ({ logits, labels }, tau, n) => {
        const counts = new Array<number>(logits[0]!.length).fill(n);
        const got = lossValues(logitAdjusted, logitAdjusted.prepare({ tau }, counts), logits, labels);
        expect(closeRelative(got, logits.map((row, i) => nll64(row, labels[i]!)), 1e-4)).toBe(true);
      }),
      TENSOR_RUNS,
    ));

  it('logit adjustment is non-negative and finite, per-example shape [N]', () => checkNonNegativeFinite(logitAdjusted, { tau: 2 }));
  it('logit adjustment is shift invariant', () => checkShiftInvariant(logitAdjusted, logitAdjusted.defaults));
  it('raising the true-class logit never raises the logit-adjusted loss', () => checkTrueLogitMonotone(logitAdjusted, logitAdjusted.defaults));
  it('a permutation of classes leaves the logit-adjusted loss unchanged', () => checkPermutationInvariant(logitAdjusted, logitAdjusted.defaults));
});
