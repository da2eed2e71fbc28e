/** Element-wise |actual − expected| ≤ tolerance (1e-12 unless given), reporting the worst index. */
import { expect } from 'vitest';

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
