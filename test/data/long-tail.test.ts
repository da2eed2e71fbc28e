import { describe, expect, it } from 'vitest';
import { indicesByClass, longTailCounts, selectPerClass } from '../../src/data/long-tail.js';
import { createRng } from '../../src/core/rng.js';

describe('longTailCounts', () => {
  it('matches LDAM-DRW CIFAR-10-LT counts (ρ = 100, 50, 10)', () => {
    expect(longTailCounts(5000, 10, 100)).toEqual([5000, 2997, 1796, 1077, 645, 387, 232, 139, 83, 50]);
    expect(longTailCounts(5000, 10, 50)).toEqual([5000, 3237, 2096, 1357, 878, 568, 368, 238, 154, 100]);
    expect(longTailCounts(5000, 10, 10)).toEqual([5000, 3871, 2997, 2320, 1796, 1391, 1077, 834, 645, 500]);
  });

  it('matches the CIFAR-100-LT totals', () => {
    const sum = (xs: number[]) => xs.reduce((a, b) => a + b, 0);
    expect(sum(longTailCounts(500, 100, 100))).toBe(10847);
    expect(sum(longTailCounts(500, 100, 50))).toBe(12608);
    expect(sum(longTailCounts(500, 100, 10))).toBe(19573);
  });

  it('builds the step profile', () => {
    expect(longTailCounts(100, 4, 10, 'step')).toEqual([100, 100, 10, 10]);
  });

  it('rejects a ratio below 1', () => {
    expect(() => longTailCounts(100, 4, 0.5)).toThrow('longTailCounts: ratio must be ≥ 1, got 0.5');
  });
});

describe('selectPerClass', () => {
  const labels = Int32Array.from({ length: 60 }, (_, i) => i % 3);
  const pool = Int32Array.from({ length: 60 }, (_, i) => i);

  it('keeps the requested number of each class, deterministically for a seed', () => {
    const a = selectPerClass(labels, pool, [10, 5, 1], createRng(0));
    const b = selectPerClass(labels, pool, [10, 5, 1], createRng(0));
    const c = selectPerClass(labels, pool, [10, 5, 1], createRng(1));
    expect([...a]).toEqual([...b]);
    expect([...a]).not.toEqual([...c]);
    expect([...a].map((i) => labels[i])).toEqual([...Array(10).fill(0), ...Array(5).fill(1), 2]);
    expect(new Set(a).size).toBe(16);
  });

  it('says which class is short', () => {
    expect(() => selectPerClass(labels, pool, [21, 0, 0], createRng(0))).toThrow('selectPerClass: class 0 has 20 images, 21 requested');
  });

  it('groups indices by class', () => {
    expect(indicesByClass([1, 0, 1, 2], 3).map((a) => [...a])).toEqual([[1], [0, 2], [3]]);
  });
});
