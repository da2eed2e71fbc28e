import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { initBackend } from '../../src/backend/index.js';
import { cri } from '../../src/losses/cri.js';
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

/** CRI's LDAM part expects cosine logits: |z| ≤ 1. */
const COSINE = { bound: 1 } as const;

beforeAll(async () => {
  await initBackend('cpu');
});

describe('CRI properties', () => {
  it('CRI with γ = 0, no margin, s = 1 and no cap equals CE', () =>
    checkEqualsCrossEntropyOf(cri, { maxMargin: 0, scale: 1, gamma: 0, outlierCap: null }));

  it('CRI with γ = 0 and no cap equals LDAM with the same margin and scale', () =>
    fc.assert(
      fc.property(lossProblemArb(COSINE), ({ logits, labels, counts }) => {
        const a = lossValues(cri, cri.prepare({ maxMargin: 0.5, scale: 30, gamma: 0, outlierCap: null }, counts), logits, labels);
        const b = lossValues(ldam, ldam.prepare({ maxMargin: 0.5, scale: 30 }, counts), logits, labels);
        expect(a).toEqual(b);
      }),
      TENSOR_RUNS,
    ));

  it('CRI never exceeds the cap κ nor the uncapped focal-LDAM loss', () =>
    fc.assert(
      fc.property(lossProblemArb(), fc.double({ min: 0.5, max: 50, noNaN: true }), ({ logits, labels, counts }, cap) => {
        const capped = lossValues(cri, cri.prepare({ ...cri.defaults, outlierCap: cap }, counts), logits, labels);
        const uncapped = lossValues(cri, cri.prepare({ ...cri.defaults, outlierCap: null }, counts), logits, labels);
        capped.forEach((v, i) => {
          expect(v).toBeLessThanOrEqual(cap * (1 + 1e-6));
          expect(v).toBeLessThanOrEqual(uncapped[i]! * (1 + 1e-5) + 1e-6);
        });
      }),
      TENSOR_RUNS,
    ));

  it('CRI is non-negative and finite, per-example shape [N]', () => checkNonNegativeFinite(cri, cri.defaults, { bound: 1e3 }));
  it('CRI is shift invariant', () => checkShiftInvariant(cri, { ...cri.defaults, scale: 1 }));
  it('raising the true-class logit never raises CRI', () => checkTrueLogitMonotone(cri, cri.defaults, COSINE));
  it('a permutation of classes leaves CRI unchanged', () => checkPermutationInvariant(cri, cri.defaults, COSINE));
});
