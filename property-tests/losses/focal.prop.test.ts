import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { initBackend } from '../../src/backend/index.js';
import { focal } from '../../src/losses/focal.js';
import { lossProblemArb } from '../arbitraries/loss-problem.js';
import {
  TENSOR_RUNS,
  checkEqualsCrossEntropyOf,
  checkNonNegativeFinite,
  checkPermutationInvariant,
  checkShiftInvariant,
  checkTrueLogitMonotone,
  lossValues,
  nll64,
} from './helpers.js';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('focal properties', () => {
  it('focal with γ = 0 equals CE', () => checkEqualsCrossEntropyOf(focal, { ...focal.defaults, gamma: 0 }));
  it('focal is non-negative and finite, per-example shape [N]', () => checkNonNegativeFinite(focal, { ...focal.defaults, gamma: 2 }));
  it('focal is shift invariant', () => checkShiftInvariant(focal, focal.defaults));
  it('raising the true-class logit never raises the focal loss', () => checkTrueLogitMonotone(focal, { ...focal.defaults, gamma: 2 }));
  it('a permutation of classes leaves focal unchanged', () => checkPermutationInvariant(focal, focal.defaults));

  it('focal never exceeds CE (the modulator is at most 1)', () =>
    fc.assert(
      fc.property(lossProblemArb(), fc.integer({ min: 0, max: 5 }), ({ logits, labels, counts }, gamma) => {
        const values = lossValues(focal, focal.prepare({ ...focal.defaults, gamma }, counts), logits, labels);
        values.forEach((v, i) => expect(v).toBeLessThanOrEqual(nll64(logits[i]!, labels[i]!) * (1 + 1e-4) + 1e-5));
      }),
      TENSOR_RUNS,
    ));

  it('without class weights both modulator sources agree', () =>
    fc.assert(
      fc.property(lossProblemArb(), ({ logits, labels, counts }) => {
        const a = lossValues(focal, focal.prepare({ gamma: 2, classWeights: null, modulatorFrom: 'probability' }, counts), logits, labels);
        const b = lossValues(focal, focal.prepare({ gamma: 2, classWeights: null, modulatorFrom: 'weighted-ce' }, counts), logits, labels);
        expect(a).toEqual(b);
      }),
      TENSOR_RUNS,
    ));
});
