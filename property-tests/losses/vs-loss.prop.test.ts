import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { initBackend } from '../../src/backend/index.js';
import { vsLoss } from '../../src/losses/vs-loss.js';
import { cdt } from '../../src/losses/cdt.js';
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
} from './helpers.js';

const gammaArb = fc.double({ min: 0, max: 1, noNaN: true });

beforeAll(async () => {
  await initBackend('cpu');
});

describe('VS loss properties', () => {
  it('VS with γ = τ = 0 equals CE', () => checkEqualsCrossEntropyOf(vsLoss, { gamma: 0, tau: 0 }));

  it('VS with τ = 0 equals CDT with the same γ', () =>
    fc.assert(
      fc.property(lossProblemArb(), gammaArb, ({ logits, labels, counts }, gamma) => {
        const a = lossValues(vsLoss, vsLoss.prepare({ gamma, tau: 0 }, counts), logits, labels);
        const b = lossValues(cdt, cdt.prepare({ gamma }, counts), logits, labels);
        expect(closeRelative(a, b, 1e-5)).toBe(true);
      }),
      TENSOR_RUNS,
    ));

  it('VS with γ = 0 equals logit adjustment with the same τ', () =>
    fc.assert(
      fc.property(lossProblemArb(), fc.double({ min: 0, max: 2, noNaN: true }), ({ logits, labels, counts }, tau) => {
        const a = lossValues(vsLoss, vsLoss.prepare({ gamma: 0, tau }, counts), logits, labels);
        const b = lossValues(logitAdjusted, logitAdjusted.prepare({ tau }, counts), logits, labels);
        expect(closeRelative(a, b, 1e-4)).toBe(true);
      }),
      TENSOR_RUNS,
    ));

  it('VS is non-negative and finite, per-example shape [N]', () => checkNonNegativeFinite(vsLoss, vsLoss.defaults));
  it('VS with γ = 0 is shift invariant', () => checkShiftInvariant(vsLoss, { gamma: 0, tau: 1 }));
  it('raising the true-class logit never raises VS', () => checkTrueLogitMonotone(vsLoss, vsLoss.defaults));
  it('a permutation of classes leaves VS unchanged', () => checkPermutationInvariant(vsLoss, vsLoss.defaults));
});
