import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { averagePrecision, meanAveragePrecision } from '../../src/eval/mean-average-precision.js';

describe('average precision and mAP', () => {
  it('sums precision × recall gain down the ranking (golden value)', () => {
    // Ranked: P (precision 1, recall 0.5), N, P (precision 2/3, recall 1), N, N → 0.5·1 + 0.5·2/3 = 0.833333.
    expect(averagePrecision([0.9, 0.8, 0.7, 0.6, 0.5], [1, 0, 1, 0, 0])).toBeCloseTo(5 / 6, 12);
  });

  it('lets tied scores enter at one threshold (as scikit-learn average_precision_score)', () => {
    // Thresholds 0.9: tp 0 / 1; 0.5: tp 1 / 3 (recall 0.5, precision 1/3); 0.1: tp 2 / 4 (recall 1, precision 1/2).
    // AP = 0.5·1/3 + 0.5·1/2 = 0.416667 — the same whatever order the tied samples come in.
    expect(averagePrecision([0.9, 0.5, 0.5, 0.1], [0, 1, 0, 1])).toBeCloseTo(5 / 12, 12);
    expect(averagePrecision([0.9, 0.5, 0.5, 0.1], [0, 0, 1, 1])).toBeCloseTo(5 / 12, 12);
  });

  it('is 1 for a perfect ranking and null without positives', () => {
    expect(averagePrecision([3, 2, 1], [1, 1, 0])).toBe(1);
    expect(averagePrecision([3, 2, 1], [0, 0, 0])).toBeNull();
  });

  it('averages per-class AP over classes with positives (score and label matrices, row-major)', () => {
    // 4 samples × 3 classes; class 2 has no positive and is skipped.
    const scores = [0.9, 0.1, 0.3, 0.8, 0.7, 0.2, 0.2, 0.6, 0.9, 0.1, 0.4, 0.5];
    const labels = [1, 0, 0, 0, 1, 0, 1, 0, 0, 0, 1, 0];
    // Class 0: scores [0.9, 0.8, 0.2, 0.1], positives [1, 0, 1, 0] → 0.5·1 + 0.5·2/3 = 5/6.
    // Class 1: scores [0.1, 0.7, 0.6, 0.4], positives [0, 1, 0, 1] → 0.5·1 + 0.5·2/3 = 5/6.
    const r = meanAveragePrecision(scores, labels, 3);
    expect(r.perClass[0]).toBeCloseTo(5 / 6, 12);
    expect(r.perClass[1]).toBeCloseTo(5 / 6, 12);
    expect(r.perClass[2]).toBeNull();
    expect(r.mAP).toBeCloseTo(5 / 6, 12);
  });

  it('rejects malformed input with the function name', () => {
    expect(() => meanAveragePrecision([0.5, 0.5], [1], 2)).toThrow('meanAveragePrecision: 2 scores and 1 labels do not both fill rows of 2 classes');
    expect(() => meanAveragePrecision([0.5, 0.5], [1, 2], 2)).toThrow('meanAveragePrecision: label 2 at row 0, class 1 is not 0 or 1');
    expect(() => averagePrecision([1], [])).toThrow('averagePrecision: 1 scores but 0 labels');
  });

  it('lies in (0, 1] whenever a class has a positive', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.double({ min: -5, max: 5, noNaN: true }), fc.boolean()), { minLength: 1, maxLength: 50 }), (xs) => {
        const ap = averagePrecision(xs.map((x) => x[0]), xs.map((x) => x[1]));
        return xs.some((x) => x[1]) ? ap !== null && ap > 0 && ap <= 1 + 1e-12 : ap === null;
      }),
    );
  });
});
