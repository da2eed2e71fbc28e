import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { macroF1, perClassF1 } from '../../src/eval/macro-f1.js';
import { perClassPrecision } from '../../src/eval/macro-precision.js';
import { perClassAccuracy } from '../../src/eval/per-class-accuracy.js';

describe('macro-F1', () => {
  const m = [
    [5, 1, 0],
    [2, 2, 0],
    [1, 0, 0],
  ];

  it('is the mean of 2TP / (2TP + FP + FN) per class (golden values)', () => {
    // numpy: predicted = m.sum(0) = [8, 3, 0], support = m.sum(1) = [6, 4, 1];
    // F1 = 2·tp / (predicted + support) = [10/14, 4/7, 0/1] = [0.714286, 0.571429, 0]; mean = 0.428571.
    const f1 = perClassF1(m);
    expect(f1[0]).toBeCloseTo(10 / 14, 12);
    expect(f1[1]).toBeCloseTo(4 / 7, 12);
    expect(f1[2]).toBe(0);
    expect(macroF1(m)).toBeCloseTo(0.42857142857142855, 12);
  });

  it('equals the harmonic mean of per-class precision and recall where both are positive', () => {
    const p = perClassPrecision(m);
    const r = perClassAccuracy(m);
    for (const c of [0, 1]) expect(perClassF1(m)[c]).toBeCloseTo((2 * p[c]! * r[c]!) / (p[c]! + r[c]!), 12);
  });

  it('skips a class absent from labels and predictions, and is null when every class is', () => {
    expect(perClassF1([[2, 0], [0, 0]])).toEqual([1, null]);
    expect(macroF1([[2, 0], [0, 0]])).toBe(1);
    expect(macroF1([[0]])).toBeNull();
  });

  it('lies in [0, 1] for any confusion matrix', () => {
    const matrices = fc.integer({ min: 1, max: 8 }).chain((c) => fc.array(fc.array(fc.nat({ max: 50 }), { minLength: c, maxLength: c }), { minLength: c, maxLength: c }));
    fc.assert(
      fc.property(matrices, (mat) => {
        const f = macroF1(mat);
        const empty = mat.every((row) => row.every((v) => v === 0));
        return empty ? f === null : f !== null && f >= 0 && f <= 1 + 1e-12;
      }),
    );
  });
});
