/**
 * Logit matrices for property tests: dimensions first (fc.integer), then a float32Array of that
 * size (finite, in ±bound), mapped to rows; shrinks towards few rows, few classes, small values.
 */
import fc from 'fast-check';
import { logitsOfShape } from '../../src/losses/verification/loss-problem-arbitrary.js';

export { logitsOfShape };

/** A batch of logits as float64 rows (values are float32-representable). */
export interface LogitsSample {
  readonly rows: number;
  readonly classes: number;
  readonly logits: number[][];
}

/** Options for `logitsArb`. */
export interface LogitsOptions {
  readonly minRows?: number;
  readonly maxRows?: number;
  readonly minClasses?: number;
  readonly maxClasses?: number;
  /** |z| ≤ bound (default 20). */
  readonly bound?: number;
}

/** Logits with their dimensions drawn first. */
export const logitsArb = (options: LogitsOptions = {}): fc.Arbitrary<LogitsSample> =>
  fc
    .record({
      rows: fc.integer({ min: options.minRows ?? 1, max: options.maxRows ?? 6 }),
      classes: fc.integer({ min: options.minClasses ?? 2, max: options.maxClasses ?? 6 }),
    })
    .chain(({ rows, classes }) => logitsOfShape(rows, classes, options.bound).map((logits) => ({ rows, classes, logits })));
