/** Integer class labels for property tests: exactly `rows` labels in [0, classes). */
import fc from 'fast-check';

/** `rows` labels in [0, classes). */
export const labelsArb = (rows: number, classes: number): fc.Arbitrary<number[]> =>
  fc.array(fc.integer({ min: 0, max: classes - 1 }), { minLength: rows, maxLength: rows });
