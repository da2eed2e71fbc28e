/** Closeness assertions for the backend tests: worst absolute difference, with the index that has it. */
import { expect } from 'vitest';

/** Largest |actual − expected| over two arrays of the same length, and where it is. */
export const worstDifference = (actual: ArrayLike<number>, expected: ArrayLike<number>): { readonly diff: number; readonly at: number } => {
  expect(actual.length).toBe(expected.length);
  let diff = 0;
  let at = -1;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (!(d <= diff)) {
      diff = d;
      at = i;
    }
  }
  return { diff, at };
};

/** Asserts every |actual − expected| ≤ tolerance. */
export const expectAllClose = (actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance: number): void => {
  const { diff, at } = worstDifference(actual, expected);
  expect(diff, `largest difference at index ${at}: ${actual[at]} vs ${expected[at]}`).toBeLessThanOrEqual(tolerance);
};

/** A deterministic pseudo-random Float32Array in [lo, hi) (a small LCG; tests need no real randomness). */
export const lcgArray = (length: number, seed: number, lo = -1, hi = 1): Float32Array => {
  const out = new Float32Array(length);
  let s = seed >>> 0;
  for (let i = 0; i < length; i++) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    out[i] = lo + ((hi - lo) * s) / 2 ** 32;
  }
  return out;
};
