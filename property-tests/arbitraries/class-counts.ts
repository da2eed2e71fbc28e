/**
 * Class counts for property tests: long-tailed profiles as the papers build them
 * (n_i = ⌊n_max · ρ^(−i/(C−1))⌋, at least 1), then optionally shuffled, or arbitrary positive counts.
 */
import fc from 'fast-check';

/** Exponential long-tailed counts for `classes` classes, head first. */
export const longTailedCountsArb = (classes: number): fc.Arbitrary<number[]> =>
  fc
    .record({ nMax: fc.integer({ min: 1, max: 5000 }), ratio: fc.integer({ min: 1, max: 200 }) })
    .map(({ nMax, ratio }) =>
      Array.from({ length: classes }, (_, i) =>
        Math.max(1, Math.floor(nMax * ratio ** (classes === 1 ? 0 : -i / (classes - 1)))),
      ),
    );

/** Any positive counts, one per class (not necessarily sorted). */
export const positiveCountsArb = (classes: number): fc.Arbitrary<number[]> =>
  fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: classes, maxLength: classes });

/** Long-tailed or arbitrary positive counts. */
export const classCountsArb = (classes: number): fc.Arbitrary<number[]> =>
  fc.oneof(longTailedCountsArb(classes), positiveCountsArb(classes));

/** A permutation of [0, n), drawn as shrinkable sort keys (no filtering). */
export const permutationArb = (n: number): fc.Arbitrary<number[]> =>
  fc
    .array(fc.integer(), { minLength: n, maxLength: n })
    .map((keys) => keys.map((k, i) => [k, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i));
