/** Small helpers shared by the sampler tests. */
import { expect } from 'vitest';

/** Element-wise |actual − expected| ≤ tolerance, naming the worst index. */
export const expectClose = (actual: ArrayLike<number>, expected: ArrayLike<number>, tolerance = 1e-12): void => {
  expect(actual.length).toBe(expected.length);
  let worst = 0;
  let at = -1;
  for (let i = 0; i < actual.length; i++) {
    const d = Math.abs(actual[i]! - expected[i]!);
    if (!(d <= worst)) {
      worst = d;
      at = i;
    }
  }
  expect(worst, `largest difference at index ${at}: ${actual[at]} vs ${expected[at]}`).toBeLessThanOrEqual(tolerance);
};

/** Class-sorted labels realising `counts`. */
export const labelsOf = (counts: readonly number[]): Int32Array =>
  Int32Array.from(counts.flatMap((c, y) => new Array<number>(c).fill(y)));

/** How many positions of `order` fall in each class. */
export const classHits = (order: Int32Array, labels: Int32Array, numClasses: number): number[] => {
  const hits = new Array<number>(numClasses).fill(0);
  for (const i of order) hits[labels[i]!]!++;
  return hits;
};
