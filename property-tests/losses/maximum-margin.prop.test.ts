import { beforeAll, describe, it } from 'vitest';
import { initBackend } from '../../src/backend/index.js';
import { maximumMargin } from '../../src/losses/maximum-margin.js';
import {
  checkEqualsCrossEntropyOf,
  checkNonNegativeFinite,
  checkPermutationInvariant,
  checkShiftInvariant,
  checkTrueLogitMonotone,
} from './helpers.js';

/** MM expects cosine logits: |z| ≤ 1. */
const COSINE = { bound: 1 } as const;

beforeAll(async () => {
  await initBackend('cpu');
});

describe('MM loss properties', () => {
  it('MM with a huge boundary margin (shift e^−M ≈ 0) equals scaled CE', () =>
    checkEqualsCrossEntropyOf(maximumMargin, { variant: 'hmm', maxMargin: 200, gamma: 1, scale: 19 }, (z) => z.map((row) => row.map((v) => 19 * v)), COSINE));
  for (const variant of ['hmm', 'hmm-ldam'] as const) {
    const config = { ...maximumMargin.defaults, variant };
    it(`MM (${variant}) is non-negative and finite, per-example shape [N]`, () => checkNonNegativeFinite(maximumMargin, config, COSINE));
    it(`a permutation of classes leaves MM (${variant}) unchanged`, () => checkPermutationInvariant(maximumMargin, config, COSINE));
  }
  // Exact shifts only: Δ jumps at d = 0 (the official formula), so a rounding that turns d = −1e-45 into 0 changes the loss.
  it('MM is shift invariant', () =>
    checkShiftInvariant(maximumMargin, { variant: 'hmm', maxMargin: 0.5, gamma: 2, scale: 1 }, { exactShift: true }));
  it('raising the true-class logit by at least 1 never raises MM (the shift is at most 1)', () =>
    checkTrueLogitMonotone(maximumMargin, maximumMargin.defaults, COSINE));
});
