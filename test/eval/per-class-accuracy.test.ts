import { describe, expect, it } from 'vitest';
import { balancedAccuracy, overallAccuracy, perClassAccuracy } from '../../src/eval/per-class-accuracy.js';

describe('per-class, balanced and overall accuracy', () => {
  const m = [
    [8, 2, 0],
    [1, 1, 0],
    [0, 0, 0],
  ];

  it('gives recall per class and null for a class without test samples', () => {
    expect(perClassAccuracy(m)).toEqual([0.8, 0.5, null]);
  });

  it('averages classes equally (balanced) and samples equally (overall)', () => {
    expect(balancedAccuracy(m)).toBeCloseTo(0.65, 12);
    expect(overallAccuracy(m)).toBeCloseTo(9 / 12, 12);
  });

  it('has no accuracy for an empty matrix', () => {
    expect(balancedAccuracy([[0]])).toBeNull();
    expect(overallAccuracy([[0]])).toBeNull();
  });
});
