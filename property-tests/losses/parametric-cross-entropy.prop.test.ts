import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { initBackend } from '../../src/backend/index.js';
import { parametricCrossEntropy } from '../../src/losses/parametric-cross-entropy.js';
import { vsLoss } from '../../src/losses/vs-loss.js';
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

const RAW_ONES = { parametrisation: 'raw', dyInit: 'ones', lyInit: 'zeros', gamma: 0.3, tau: 1, values: null } as const;

beforeAll(async () => {
  await initBackend('cpu');
});

describe('AutoBalance parametric CE properties', () => {
  it('parametric CE with raw dy = 1, ly = 0 equals CE', () => checkEqualsCrossEntropyOf(parametricCrossEntropy, RAW_ONES));
  it('parametric CE with its defaults equals CE on sigmoid(1)·z', () =>
    checkEqualsCrossEntropyOf(parametricCrossEntropy, parametricCrossEntropy.defaults, (z) => z.map((row) => row.map((v) => v / (1 + Math.exp(-1))))));

  it('parametric CE with raw CDT and logit-adjustment initialisation equals the VS loss', () =>
    fc.assert(
      fc.property(lossProblemArb(), fc.double({ min: 0, max: 1, noNaN: true }), fc.double({ min: 0, max: 2, noNaN: true }), ({ logits, labels, counts }, gamma, tau) => {
        const cfg = { parametrisation: 'raw', dyInit: 'cdt', lyInit: 'logit-adjustment', gamma, tau, values: null } as const;
        const a = lossValues(parametricCrossEntropy, parametricCrossEntropy.prepare(cfg, counts), logits, labels);
        const b = lossValues(vsLoss, vsLoss.prepare({ gamma, tau }, counts), logits, labels);
        expect(closeRelative(a, b, 1e-5)).toBe(true);
      }),
      TENSOR_RUNS,
    ));

  it('parametric CE is non-negative and finite, per-example shape [N]', () =>
    checkNonNegativeFinite(parametricCrossEntropy, { ...parametricCrossEntropy.defaults, lyInit: 'logit-adjustment' }));
  it('parametric CE with sigmoid(dy) and uniform scale is shift invariant', () => checkShiftInvariant(parametricCrossEntropy, parametricCrossEntropy.defaults));
  it('raising the true-class logit never raises parametric CE', () => checkTrueLogitMonotone(parametricCrossEntropy, parametricCrossEntropy.defaults));
  it('a permutation of classes leaves parametric CE unchanged', () =>
    checkPermutationInvariant(parametricCrossEntropy, { parametrisation: 'raw', dyInit: 'cdt', lyInit: 'logit-adjustment', gamma: 0.3, tau: 1, values: null }));
});
