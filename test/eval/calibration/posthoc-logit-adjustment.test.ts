import { describe, expect, it } from 'vitest';
import { posthocAdjustLogits, posthocAdjustProbabilities, posthocAdjustments } from '../../../src/eval/calibration/posthoc-logit-adjustment.js';
import { argmaxRows, softmaxRows } from '../../../src/eval/calibration/host-matrix.js';
import { expectClose } from '../../helpers/expect-close.js';

const logits = Float32Array.from([2, 1, 0, 0.5, 0.4, 0.3]);

describe('posthocAdjustLogits', () => {
  it('subtracts log(π^τ + 1e-12) per class', () => {
    const counts = [90, 9, 1];
    const a = [0.9, 0.09, 0.01].map((p) => Math.log(p + 1e-12));
    expectClose(posthocAdjustments(counts), a, 1e-12);
    expectClose(posthocAdjustLogits(logits, counts), Array.from(logits, (z, i) => z - a[i % 3]!), 1e-6);
  });

  it('τ = 0 subtracts log(1 + 1e-12) ≈ 0: the identity', () => {
    expectClose(posthocAdjustLogits(logits, [90, 9, 1], 0), logits, 1e-7);
  });

  it('a uniform prior shifts every logit by the same amount: probabilities and predictions do not change', () => {
    const adjusted = posthocAdjustLogits(logits, [5, 5, 5]);
    expectClose(Array.from(adjusted, (z, i) => z - logits[i]!), new Array(6).fill(Math.log(3)), 1e-6);
    expectClose(softmaxRows(adjusted, 3), softmaxRows(logits, 3), 1e-7);
    expect(Array.from(argmaxRows(adjusted, 3))).toEqual(Array.from(argmaxRows(logits, 3)));
  });

  it('moves a prediction from the head to the tail class when the margin is smaller than the prior gap', () => {
    // Row 1: 0.5 vs 0.3 favours the head class 0; log(0.9/0.01) ≈ 4.5 reverses it.
    expect(Array.from(argmaxRows(posthocAdjustLogits(logits, [90, 9, 1]), 3))).toEqual([2, 2]);
  });

  it('keeps classes without training samples finite', () => {
    expect(Array.from(posthocAdjustLogits(logits, [3, 0, 1])).every(Number.isFinite)).toBe(true);
  });

  it('refuses empty or negative counts and a negative τ', () => {
    expect(() => posthocAdjustments([0, 0])).toThrow('posthocAdjustments: every class count is 0');
    expect(() => posthocAdjustments([1, -1])).toThrow('posthocAdjustments: counts must be finite and ≥ 0, got [1, -1]');
    expect(() => posthocAdjustments([1, 1], -0.5)).toThrow('posthocAdjustments: τ must be a finite number ≥ 0, got -0.5');
  });
});

describe('posthocAdjustProbabilities', () => {
  it('equals the softmax of the adjusted logits', () => {
    const counts = [90, 9, 1];
    expectClose(posthocAdjustProbabilities(softmaxRows(logits, 3), counts), softmaxRows(posthocAdjustLogits(logits, counts), 3), 1e-6);
  });

  it('handles a probability that underflowed to 0', () => {
    const p = posthocAdjustProbabilities(Float32Array.from([1, 0, 0.5, 0.5]), [9, 1]);
    expectClose(p, [1, 0, 0.1, 0.9], 1e-6);
  });
});
