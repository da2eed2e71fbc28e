import { describe, expect, it } from 'vitest';
import { macroPrecision, perClassPrecision, predictionCounts } from '../../src/eval/macro-precision.js';

describe('macro precision', () => {
  // Rows: true class, columns: predicted. Class 2 has one test sample and is never predicted.
  const m = [
    [5, 1, 0],
    [2, 2, 0],
    [1, 0, 0],
  ];

  it('divides the diagonal by the column sums (golden values)', () => {
    // numpy: tp = diag(m) = [5, 2, 0]; m.sum(0) = [8, 3, 0]; precision = [0.625, 0.6667, 0 (never predicted)].
    expect(predictionCounts(m)).toEqual([8, 3, 0]);
    const p = perClassPrecision(m);
    expect(p[0]).toBeCloseTo(0.625, 12);
    expect(p[1]).toBeCloseTo(2 / 3, 12);
    expect(p[2]).toBe(0);
    // mean([0.625, 0.666667, 0]) = 0.4305555…
    expect(macroPrecision(m)).toBeCloseTo(0.4305555555555555, 12);
  });

  it('counts a class with test samples that is never predicted as precision 0 (scikit-learn zero_division=0)', () => {
    expect(perClassPrecision([[3, 0], [2, 0]])).toEqual([0.6, 0]);
    expect(macroPrecision([[3, 0], [2, 0]])).toBeCloseTo(0.3, 12);
  });

  it('skips a class absent from both labels and predictions', () => {
    const withAbsent = [
      [5, 1, 0, 0],
      [2, 2, 0, 0],
      [1, 0, 0, 0],
      [0, 0, 0, 0],
    ];
    expect(perClassPrecision(withAbsent)[3]).toBeNull();
    expect(macroPrecision(withAbsent)).toBeCloseTo(macroPrecision(m)!, 12);
  });

  it('is null for an empty matrix and 1 for a perfect classifier', () => {
    expect(macroPrecision([[0, 0], [0, 0]])).toBeNull();
    expect(macroPrecision([[4, 0], [0, 1]])).toBe(1);
  });
});
