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
/** A number in (0, 1] (a rate that must move, e.g. a moving-average weight). */
export const PositiveFraction = refineNumber('PositiveFraction', (n) => n > 0 && n <= 1, 'expected a number in (0, 1]');
/** A finite number other than 0 (e.g. ABSGD's λ, whose sign chooses up- or down-weighting). */
export const NonZero = refineNumber('NonZero', (n) => n !== 0, 'expected a non-zero number');
/** Any integer (unbranded, so plain numbers type-check as configs). */
export const Integer = refineNumber('Integer', (n) => Number.isInteger(n), 'expected an integer');

/**
 * `codec` or null, where a missing field also decodes as null: for optional parts of a config that
 * were added after run folders were recorded (their config.json has no such field and still decodes).
 */
export const NullWhenMissing = <C extends t.Mixed>(codec: C): t.Type<t.TypeOf<C> | null, t.OutputOf<C> | null, unknown> =>
  new t.Type<t.TypeOf<C> | null, t.OutputOf<C> | null, unknown>(
    `${codec.name} | null`,
    (u): u is t.TypeOf<C> | null => u === null || codec.is(u),
    (u, c) => (u === undefined || u === null ? t.success(null) : codec.validate(u, c)),
    (a) => (a === null ? null : (codec.encode(a) as t.OutputOf<C>)),
  );

/**
 * `codec`, where a missing field decodes as `fallback`: for settings added after run folders were
 * recorded that have a default rather than an "off" (their config.json has no such field and still decodes).
 */
export const DefaultWhenMissing = <C extends t.Mixed>(codec: C, fallback: t.TypeOf<C>): t.Type<t.TypeOf<C>, t.OutputOf<C>, unknown> =>
  new t.Type<t.TypeOf<C>, t.OutputOf<C>, unknown>(
    codec.name,
    (u): u is t.TypeOf<C> => codec.is(u),
    (u, c) => (u === undefined ? t.success(fallback) : codec.validate(u, c)),
    (a) => codec.encode(a) as t.OutputOf<C>,
  );
