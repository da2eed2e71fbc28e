import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { initBackend } from '../../src/backend/index.js';
import { sampleMargin } from '../../src/losses/sample-margin.js';
import { lossProblemArb } from '../arbitraries/loss-problem.js';
import {
  TENSOR_RUNS,
  checkEqualsCrossEntropyOf,
  checkPermutationInvariant,
  checkShiftInvariant,
  checkTrueLogitMonotone,
  lossValues,
} from './helpers.js';

const COSINE = { bound: 1 } as const;

beforeAll(async () => {
  await initBackend('cpu');
});

describe('sample-margin properties', () => {
  it('sample-margin with λ = 0 equals CE on s·z', () =>
    checkEqualsCrossEntropyOf(sampleMargin, { scale: 10, weight: 0 }, (z) => z.map((row) => row.map((v) => 10 * v)), COSINE));

  it('sample-margin is finite and at least λ·(max_{j≠y} z_j − z_y) (CE ≥ 0), for |z| up to 1e3', () =>
    fc.assert(
      fc.property(lossProblemArb({ bound: 1e3 }), ({ logits, labels, counts }) => {
        const values = lossValues(sampleMargin, sampleMargin.prepare(sampleMargin.defaults, counts), logits, labels);
        values.forEach((v, i) => {
          const row = logits[i]!;
          const penalty = Math.max(...row.filter((_, j) => j !== labels[i])) - row[labels[i]!]!;
          expect(Number.isFinite(v)).toBe(true);
          expect(v).toBeGreaterThanOrEqual(penalty - 1e-5 * (1 + Math.abs(penalty)));
        });
      }),
      TENSOR_RUNS,
    ));

  it('sample-margin is shift invariant', () => checkShiftInvariant(sampleMargin, { scale: 1, weight: 1 }));
  it('raising the true-class logit never raises sample-margin', () => checkTrueLogitMonotone(sampleMargin, sampleMargin.defaults, COSINE));
  it('a permutation of classes leaves sample-margin unchanged', () => checkPermutationInvariant(sampleMargin, sampleMargin.defaults, COSINE));
});
