import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { initBackend } from '../../src/backend/index.js';
import { balancedSoftmax } from '../../src/losses/balanced-softmax.js';
import { logitAdjusted } from '../../src/losses/logit-adjusted.js';
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

describe('balanced softmax properties', () => {
  it('balanced softmax with uniform counts equals CE', () =>
    fc.assert(
      fc.property(lossProblemArb(), fc.integer({ min: 1, max: 5000 }), ({ logits, labels }, n) => {
        const counts = new Array<number>(logits[0]!.length).fill(n);
        const got = lossValues(balancedSoftmax, balancedSoftmax.prepare({}, counts), logits, labels);
        const ce = lossValues(logitAdjusted, logitAdjusted.prepare({ tau: 0 }, counts), logits, labels);
        expect(closeRelative(got, ce, 1e-4)).toBe(true);
      }),
      TENSOR_RUNS,
    ));

  it('balanced softmax equals CE on z + log n', () =>
    fc.assert(
      fc.property(lossProblemArb(), ({ logits, labels, counts }) => {
        const got = lossValues(balancedSoftmax, balancedSoftmax.prepare({}, counts), logits, labels);
        const expected = logits.map((row, i) => {
          const adj = row.map((v, j) => v + Math.log(counts[j]!));
          const m = Math.max(...adj);
          return m + Math.log(adj.reduce((s, v) => s + Math.exp(v - m), 0)) - adj[labels[i]!]!;
        });
        expect(closeRelative(got, expected, 1e-4)).toBe(true);
      }),
      TENSOR_RUNS,
    ));

  it('balanced softmax equals logit adjustment with τ = 1', () =>
    fc.assert(
      fc.property(lossProblemArb(), ({ logits, labels, counts }) => {
        const a = lossValues(balancedSoftmax, balancedSoftmax.prepare({}, counts), logits, labels);
        const b = lossValues(logitAdjusted, logitAdjusted.prepare({ tau: 1 }, counts), logits, labels);
        expect(closeRelative(a, b, 1e-4)).toBe(true);
      }),
      TENSOR_RUNS,
    ));

  it('balanced softmax is non-negative and finite, per-example shape [N]', () => checkNonNegativeFinite(balancedSoftmax, {}));
  it('balanced softmax is shift invariant', () => checkShiftInvariant(balancedSoftmax, {}));
  it('raising the true-class logit never raises balanced softmax', () => checkTrueLogitMonotone(balancedSoftmax, {}));
  it('a permutation of classes leaves balanced softmax unchanged', () => checkPermutationInvariant(balancedSoftmax, {}));
});
