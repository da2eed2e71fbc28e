/**
 * Shared io-ts codecs for numeric configuration: the refinements every loss, sampler and run config reuses.
 */
import * as t from 'io-ts';

/** A finite number (rejects NaN and ±Infinity). */
export const FiniteNumber = new t.Type<number, number, unknown>(
  'FiniteNumber',
  (u): u is number => typeof u === 'number' && Number.isFinite(u),
  (u, c) => (typeof u === 'number' && Number.isFinite(u) ? t.success(u) : t.failure(u, c, 'expected a finite number')),
  t.identity,
);

const refineNumber = (name: string, ok: (n: number) => boolean, expected: string) =>
  new t.Type<number, number, unknown>(
    name,
    (u): u is number => typeof u === 'number' && Number.isFinite(u) && ok(u),
    (u, c) => (typeof u === 'number' && Number.isFinite(u) && ok(u) ? t.success(u) : t.failure(u, c, expected)),
    t.identity,
  );

/** A number > 0. */
export const Positive = refineNumber('Positive', (n) => n > 0, 'expected a positive number');
/** A number ≥ 0. */
export const NonNegative = refineNumber('NonNegative', (n) => n >= 0, 'expected a number ≥ 0');
/** A number in [0, 1]. */
export const Probability = refineNumber('Probability', (n) => n >= 0 && n <= 1, 'expected a number in [0, 1]');
/** An integer > 0. */
export const PositiveInt = refineNumber('PositiveInt', (n) => Number.isInteger(n) && n > 0, 'expected a positive integer');
/** An integer ≥ 0. */
export const NonNegativeInt = refineNumber('NonNegativeInt', (n) => Number.isInteger(n) && n >= 0, 'expected an integer ≥ 0');
/** A number ≥ 1 (e.g. an imbalance ratio). */
export const AtLeastOne = refineNumber('AtLeastOne', (n) => n >= 1, 'expected a number ≥ 1');
/** Any integer (unbranded, so plain numbers type-check as configs). */
export const Integer = refineNumber('Integer', (n) => Number.isInteger(n), 'expected an integer');
