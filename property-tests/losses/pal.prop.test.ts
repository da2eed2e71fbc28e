import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { initBackend } from '../../src/backend/index.js';
import { pal } from '../../src/losses/pal.js';
import { ldam } from '../../src/losses/ldam.js';
import { lossProblemArb } from '../arbitraries/loss-problem.js';
import {
  TENSOR_RUNS,
  checkEqualsCrossEntropyOf,
  checkNonNegativeFinite,
  checkPermutationInvariant,
  checkShiftInvariant,
  checkTrueLogitMonotone,
  lossValues,
} from './helpers.js';

/** PAL's logits are cosines to the anchored prototypes: |z| ≤ 1. */
const COSINE = { bound: 1 } as const;

beforeAll(async () => {
  await initBackend('cpu');
});

describe('PAL properties', () => {
  it("PAL with base 'ce' equals CE on s·z", () =>
    checkEqualsCrossEntropyOf(pal, { base: 'ce', maxMargin: 0.5, scale: 30 }, (z) => z.map((row) => row.map((v) => 30 * v)), COSINE));

  it("PAL with base 'ldam' equals LDAM with the same margin and scale", () =>
    fc.assert(
      fc.property(lossProblemArb(COSINE), ({ logits, labels, counts }) => {
        const a = lossValues(pal, pal.prepare(pal.defaults, counts), logits, labels);
        const b = lossValues(ldam, ldam.prepare({ maxMargin: 0.5, scale: 30 }, counts), logits, labels);
        expect(a).toEqual(b);
      }),
      TENSOR_RUNS,
    ));

  it('PAL is non-negative and finite, per-example shape [N]', () => checkNonNegativeFinite(pal, pal.defaults, { bound: 1e3 }));
  it('PAL is shift invariant', () => checkShiftInvariant(pal, { ...pal.defaults, scale: 1 }));
  it('raising the true-class logit never raises PAL', () => checkTrueLogitMonotone(pal, pal.defaults, COSINE));
  it('a permutation of classes leaves PAL unchanged', () => checkPermutationInvariant(pal, pal.defaults, COSINE));
});
