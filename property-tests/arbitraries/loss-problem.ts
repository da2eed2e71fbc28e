/**
 * A whole loss input for property tests: logits, labels and class counts of matching sizes,
 * dimensions drawn first so that failures shrink to a small batch with few classes.
 */
import fc from 'fast-check';
import { logitsOfShape } from './logits.js';
import { labelsArb } from './labels.js';
import { countsForClassesArb } from './class-counts.js';

/** Logits [N][C], labels [N], counts [C]. */
export interface LossProblem {
  readonly logits: number[][];
  readonly labels: number[];
  readonly counts: number[];
}

/** Options for `lossProblemArb`. */
export interface LossProblemOptions {
  readonly maxRows?: number;
  readonly maxClasses?: number;
  /** |z| ≤ bound (default 20). */
  readonly bound?: number;
}

/** Logits, labels and counts of matching sizes. */
export const lossProblemArb = (options: LossProblemOptions = {}): fc.Arbitrary<LossProblem> =>
  fc
    .record({ rows: fc.integer({ min: 1, max: options.maxRows ?? 5 }), classes: fc.integer({ min: 2, max: options.maxClasses ?? 6 }) })
    .chain(({ rows, classes }) =>
      fc.record({
        logits: logitsOfShape(rows, classes, options.bound),
        labels: labelsArb(rows, classes),
        counts: countsForClassesArb(classes),
      }),
    );
