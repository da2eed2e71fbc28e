/**
 * fast-check arbitraries for loss inputs, shared by `verifyLoss` and the project's property tests:
 * logits, labels and class counts of matching sizes, dimensions drawn first so that a failure shrinks
 * to a small batch with few classes and small values.
 */
import fc from 'fast-check';

/** Logits [N][C], labels [N], counts [C], and features [N][D] for losses that read them. */
export interface LossProblem {
  readonly logits: number[][];
  readonly labels: number[];
  readonly counts: number[];
  readonly features?: number[][];
}

/** Options for `lossProblemArb`. */
export interface LossProblemOptions {
  readonly maxRows?: number;
  readonly maxClasses?: number;
  /** |z| ≤ bound (default 20). */
  readonly bound?: number;
  /** Also draw [N, featureDim] features in ±bound (for losses that declare `needs: ['features']`). */
  readonly featureDim?: number;
}

/** Rows × classes logits (float32-representable, finite, in ±bound), given the dimensions. */
export const logitsOfShape = (rows: number, classes: number, bound = 20): fc.Arbitrary<number[][]> =>
  fc
    .float32Array({
      min: Math.fround(-bound),
      max: Math.fround(bound),
      noNaN: true,
      noDefaultInfinity: true,
      minLength: rows * classes,
      maxLength: rows * classes,
    })
    .map((flat) => Array.from({ length: rows }, (_, i) => Array.from(flat.subarray(i * classes, (i + 1) * classes), (v) => v + 0)));

/** `rows` labels in [0, classes). */
export const labelsArb = (rows: number, classes: number): fc.Arbitrary<number[]> =>
  fc.array(fc.integer({ min: 0, max: classes - 1 }), { minLength: rows, maxLength: rows });

/** Exponential long-tailed counts n_i = max(1, ⌊n_max · ρ^(−i/(C−1))⌋) for `classes` classes, head first. */
export const longTailedCountsArb = (classes: number): fc.Arbitrary<number[]> =>
  fc
    .record({ nMax: fc.integer({ min: 1, max: 5000 }), ratio: fc.integer({ min: 1, max: 200 }) })
    .map(({ nMax, ratio }) =>
      Array.from({ length: classes }, (_, i) => Math.max(1, Math.floor(nMax * ratio ** (classes === 1 ? 0 : -i / (classes - 1))))),
    );

/** Any positive counts, one per class (not necessarily sorted). */
export const positiveCountsArb = (classes: number): fc.Arbitrary<number[]> =>
  fc.array(fc.integer({ min: 1, max: 5000 }), { minLength: classes, maxLength: classes });

/** Long-tailed or arbitrary positive counts for exactly `classes` classes (what the losses' properties use). */
export const countsForClassesArb = (classes: number): fc.Arbitrary<number[]> =>
  fc.oneof(longTailedCountsArb(classes), positiveCountsArb(classes));

/** A permutation of [0, n), drawn as shrinkable sort keys (no filtering). */
export const permutationArb = (n: number): fc.Arbitrary<number[]> =>
  fc
    .array(fc.integer(), { minLength: n, maxLength: n })
    .map((keys) => keys.map((k, i) => [k, i] as const).sort((a, b) => a[0] - b[0] || a[1] - b[1]).map(([, i]) => i));

/** Logits, labels and counts of matching sizes (1–maxRows rows, 2–maxClasses classes). */
export const lossProblemArb = (options: LossProblemOptions = {}): fc.Arbitrary<LossProblem> =>
  fc
    .record({ rows: fc.integer({ min: 1, max: options.maxRows ?? 5 }), classes: fc.integer({ min: 2, max: options.maxClasses ?? 6 }) })
    .chain(({ rows, classes }) =>
      fc.record({
        logits: logitsOfShape(rows, classes, options.bound),
        labels: labelsArb(rows, classes),
        counts: countsForClassesArb(classes),
        ...(options.featureDim !== undefined ? { features: logitsOfShape(rows, options.featureDim, options.bound) } : {}),
      }),
    );

/** Permutes the classes of a problem: new class k is old class perm[k] (logits, labels and counts together). */
export const permuteClasses = (p: LossProblem, perm: readonly number[]): LossProblem => {
  const inverse = new Array<number>(perm.length);
  perm.forEach((old, k) => (inverse[old] = k));
  return {
    ...p,
    logits: p.logits.map((row) => perm.map((old) => row[old]!)),
    labels: p.labels.map((y) => inverse[y]!),
    counts: perm.map((old) => p.counts[old]!),
  };
};
