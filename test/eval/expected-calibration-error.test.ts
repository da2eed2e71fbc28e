import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { expectedCalibrationError } from '../../src/eval/expected-calibration-error.js';
import { reliabilityTable, reliabilityTableOf } from '../../src/eval/reliability-table.js';

/** mulberry32: a tiny seeded generator for synthetic predictors in tests. */
const mulberry32 = (seed: number) => () => {
  let t = (seed = (seed + 0x6d2b79f5) | 0);
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

describe('expected calibration error', () => {
  it('weights each bin |accuracy − confidence| by its share of samples (golden value)', () => {
    // numpy: bins of width 0.2; gaps |0 − 0.3|, |1 − 0.55|, |1 − 0.62|, |0.5 − 0.9| with weights 1, 1, 1, 2 (of 5):
    // (0.3 + 0.45 + 0.38 + 2·0.4) / 5 = 0.386.
    const t = reliabilityTableOf([0.95, 0.85, 0.62, 0.55, 0.3], [1, 0, 1, 1, 0], 5);
    expect(expectedCalibrationError(t)).toBeCloseTo(0.386, 12);
  });

  it('is 0 when every bin is exactly as accurate as it is confident', () => {
    // 10 bins; bin b holds 200 predictions with confidence (b + 0.5)/10, of which (b + 0.5)·20 are correct.
    const conf: number[] = [];
    const correct: number[] = [];
    for (let b = 0; b < 10; b++) {
      const p = (b + 0.5) / 10;
      for (let i = 0; i < 200; i++) {
        conf.push(p);
        correct.push(i < Math.round(p * 200) ? 1 : 0);
      }
    }
    expect(expectedCalibrationError(reliabilityTableOf(conf, correct, 10))).toBeCloseTo(0, 12);
  });

  it('is the confidence gap of an always-wrong or always-right predictor', () => {
    expect(expectedCalibrationError(reliabilityTableOf([0.9, 0.7], [0, 0], 10))).toBeCloseTo(0.8, 12);
    expect(expectedCalibrationError(reliabilityTableOf([0.9, 0.7], [1, 1], 10))).toBeCloseTo(0.2, 12);
  });

  it('is null without predictions', () => {
    expect(expectedCalibrationError(reliabilityTableOf([], []))).toBeNull();
  });

  it('is ≈ 0 for a perfectly calibrated synthetic predictor (labels drawn from its own probabilities)', () => {
    fc.assert(
      fc.property(fc.integer(), fc.integer({ min: 2, max: 6 }), (seed, c) => {
        const rand = mulberry32(seed);
        const n = 20_000;
        const probs = new Float64Array(n * c);
        const labels = new Int32Array(n);
        for (let i = 0; i < n; i++) {
          // A random point of the simplex, sharpened so confidences spread over the bins.
          let sum = 0;
          for (let k = 0; k < c; k++) sum += probs[i * c + k] = rand() ** 3;
          let u = rand() * sum;
          labels[i] = c - 1;
          for (let k = 0; k < c; k++) {
            probs[i * c + k]! /= sum;
            u -= probs[i * c + k]! * sum;
            if (u < 0 && labels[i] === c - 1 && k < c - 1) labels[i] = k;
          }
        }
        const ece = expectedCalibrationError(reliabilityTable(probs, labels, c))!;
        // Sampling noise only: about sqrt(p(1 − p) / n_bin) per bin, weighted; far below 0.03 at n = 20 000.
        return ece >= 0 && ece < 0.03;
      }),
      { numRuns: 8 },
    );
  });

  it('lies in [0, 1]', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: 0, max: 1, noNaN: true }), fc.boolean()), { maxLength: 60 }), fc.integer({ min: 1, max: 20 }), (xs, bins) => {
        const e = expectedCalibrationError(reliabilityTableOf(xs.map((x) => x[0]), xs.map((x) => x[1]), bins));
        return xs.length === 0 ? e === null : e! >= 0 && e! <= 1;
      }),
    );
  });
});
