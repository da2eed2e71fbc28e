/**
 * Shared fast-check arbitraries for class counts and the labels that realise them, as the samplers,
 * losses and metrics see them: long-tailed profiles as the papers build them
 * (n_i = ⌊n_max · ρ^(−i/(C−1))⌋), arbitrary counts with empty and single-sample classes.
 */
import fc from 'fast-check';

/** Options of `classCountsArb`. */
export interface ClassCountsOptions {
  readonly minClasses?: number;
  readonly maxClasses?: number;
  readonly maxCount?: number;
  /** Fewest non-empty classes (default 1). */
  readonly minNonEmpty?: number;
}

/** Per-class counts, some possibly 0, at least `minNonEmpty` positive; mixes tiny and large counts. */
export const classCountsArb = (options: ClassCountsOptions = {}): fc.Arbitrary<number[]> => {
  const { minClasses = 1, maxClasses = 20, maxCount = 10_000, minNonEmpty = 1 } = options;
  const count = fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: maxCount }));
  return fc
    .array(count, { minLength: Math.max(minClasses, minNonEmpty), maxLength: Math.max(maxClasses, minNonEmpty) })
    .filter((cs) => cs.filter((c) => c > 0).length >= minNonEmpty);
};

/**
 * Counts with a large total (≥ `minTotal`, default 5000), so empirical frequencies over one epoch
 * are tight: one head class of at least `minTotal` placed at a random index, the others mixed.
 */
export const largeClassCountsArb = (minTotal = 5000, maxClasses = 12): fc.Arbitrary<number[]> =>
  fc
    .tuple(
      fc.integer({ min: minTotal, max: minTotal + 3000 }),
      fc.array(fc.oneof(fc.constant(0), fc.integer({ min: 1, max: 20 }), fc.integer({ min: 0, max: 4000 })), {
        minLength: 1,
        maxLength: maxClasses - 1,
      }),
      fc.nat(),
    )
    .map(([head, rest, at]) => {
      const out = [...rest];
      out.splice(at % (rest.length + 1), 0, head);
      return out;
    })
    .filter((cs) => cs.filter((c) => c > 0).length >= 2);

/** Labels realising `counts`, class-sorted (class 0's samples first), as a long-tailed subset lists them. */
export const labelsFromCounts = (counts: readonly number[]): Int32Array => {
  const out = new Int32Array(counts.reduce((s, c) => s + c, 0));
  let k = 0;
  counts.forEach((c, y) => {
    out.fill(y, k, k + c);
    k += c;
  });
  return out;
};

/** An epoch position: `epochs` ≥ 1 and a 0-based `epoch` < `epochs`. */
export const epochArb: fc.Arbitrary<{ epoch: number; epochs: number }> = fc
  .integer({ min: 1, max: 400 })
  .chain((epochs) => fc.record({ epoch: fc.integer({ min: 0, max: epochs - 1 }), epochs: fc.constant(epochs) }));

/** A seed for `createRng`. */
export const seedArb: fc.Arbitrary<number> = fc.integer({ min: -(2 ** 31), max: 2 ** 31 - 1 });

export {
  countsForClassesArb,
  longTailedCountsArb,
  permutationArb,
  positiveCountsArb,
} from '../../src/losses/verification/loss-problem-arbitrary.js';
