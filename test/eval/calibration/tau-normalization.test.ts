import { describe, expect, it } from 'vitest';
import { selectTau, tauNormalizeKernel, tauNormalizedLogits, TAU_GRID } from '../../../src/eval/calibration/tau-normalization.js';
import { columnNorms, linearLogits } from '../../../src/eval/calibration/host-matrix.js';
import { expectClose } from '../../helpers/expect-close.js';

// A [D = 2, C = 2] kernel: class 0's weights (3, 4) have norm 5, class 1's (0, 1) norm 1.
const kernel = Float32Array.from([3, 0, 4, 1]);

describe('tauNormalizeKernel', () => {
  it('τ = 0 is the identity', () => {
    expect(Array.from(tauNormalizeKernel(kernel, 2, 0))).toEqual(Array.from(kernel));
  });

  it('τ = 1 makes every class weight vector unit-norm', () => {
    const w = tauNormalizeKernel(kernel, 2, 1);
    expectClose(w, [0.6, 0, 0.8, 1], 1e-7);
    expectClose(columnNorms(w, 2), [1, 1], 1e-7);
  });

  it('τ = 0.5 divides by the square root of the norm', () => {
    expectClose(tauNormalizeKernel(kernel, 2, 0.5), [3 / Math.sqrt(5), 0, 4 / Math.sqrt(5), 1], 1e-6);
  });

  it('keeps an all-zero class weight vector', () => {
    expect(Array.from(tauNormalizeKernel([1, 0, 1, 0], 2, 1))).toEqual([Math.SQRT1_2, 0, Math.SQRT1_2, 0].map(Math.fround));
  });

  it('refuses a negative τ and a kernel that does not fit the classes', () => {
    expect(() => tauNormalizeKernel(kernel, 2, -1)).toThrow('tauNormalizeKernel: τ must be a finite number ≥ 0, got -1');
    expect(() => tauNormalizeKernel(kernel, 3, 1)).toThrow('tauNormalizeKernel: 4 values do not make rows of 3');
  });
});

describe('tauNormalizedLogits', () => {
  it('drops the bias and uses the normalised weights', () => {
    const features = Float32Array.from([1, 1, 2, 0]);
    expectClose(tauNormalizedLogits(features, kernel, 2, 0), linearLogits(features, kernel, 2), 0);
    // τ = 1: x·(0.6, 0.8) and x·(0, 1).
    expectClose(tauNormalizedLogits(features, kernel, 2, 1), [1.4, 1, 1.2, 0], 1e-6);
  });
});

describe('selectTau', () => {
  it('searches Decoupling’s grid 0, 0.1, …, 2', () => {
    expect(TAU_GRID).toHaveLength(21);
    expect(TAU_GRID[0]).toBe(0);
    expect(TAU_GRID[20]).toBe(2);
  });

  it('finds the τ that removes a head class’s norm advantage on a known case', () => {
    // The head class 0 has weight (10, 0), the tail class 1 weight (0, 1): with τ = 0 every point
    // with x0 > x1/10 goes to class 0. Tail points (0.3, 1) are only recognised once τ ≥ 0.6
    // (10^(1−τ)·0.3 < 1 ⇔ τ > 1 − log10(1/0.3) ≈ 0.477, so 0.5 is the first grid point).
    const k = Float32Array.from([10, 0, 0, 1]);
    const features = Float32Array.from([1, 0.2, 0.3, 1, 1, 0.1, 0.3, 1]);
    const labels = Int32Array.from([0, 1, 0, 1]);
    const s = selectTau(features, labels, k, 2);
    expect(s.tau).toBe(0.5);
    expect(s.balancedAccuracy).toBe(1);
    expect(s.candidates.find((c) => c.tau === 0)!.balancedAccuracy).toBe(0.5);
  });

  it('refuses an empty grid and mismatched labels', () => {
    expect(() => selectTau([1, 0], [0], kernel, 2, [])).toThrow('selectTau: the grid of τ values is empty');
    expect(() => selectTau([1, 0], [0, 1], kernel, 2)).toThrow('selectTau: 1 feature rows but 2 labels');
  });
});
