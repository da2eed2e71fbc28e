import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { initBackend } from '../../src/backend/index.js';
import { siameseBalancedSoftmax } from '../../src/losses/siamese-balanced-softmax.js';
import { balancedSoftmax } from '../../src/losses/balanced-softmax.js';
import { lossProblemArb } from '../arbitraries/loss-problem.js';
import {
  TENSOR_RUNS,
  checkNonNegativeFinite,
  checkPermutationInvariant,
  checkShiftInvariant,
  checkTrueLogitMonotone,
  closeRelative,
  lossValues,
} from './helpers.js';

beforeAll(async () => {
  await initBackend('cpu');
});

describe('siamese balanced softmax properties', () => {
  it('siamese balanced softmax equals balanced softmax when no class is empty', () =>
    fc.assert(
      fc.property(lossProblemArb(), ({ logits, labels, counts }) => {
        const got = lossValues(siameseBalancedSoftmax, siameseBalancedSoftmax.prepare({}, counts), logits, labels);
        const bs = lossValues(balancedSoftmax, balancedSoftmax.prepare({}, counts), logits, labels);
        expect(closeRelative(got, bs, 1e-4)).toBe(true);
      }),
      TENSOR_RUNS,
    ));
  it('siamese balanced softmax is non-negative and finite up to |z| = 1e3, per-example shape [N]', () =>
    checkNonNegativeFinite(siameseBalancedSoftmax, {}, { bound: 1e3 }));
  it('siamese balanced softmax is shift invariant', () => checkShiftInvariant(siameseBalancedSoftmax, {}));
  it('raising the true-class logit never raises siamese balanced softmax', () => checkTrueLogitMonotone(siameseBalancedSoftmax, {}));
  it('a permutation of classes leaves siamese balanced softmax unchanged', () => checkPermutationInvariant(siameseBalancedSoftmax, {}));
});
