/**
 * Turns io-ts decoding errors into one sentence with the dotted path of the bad field.
 *
 * Intuition: `loss.ldam.maxMargin: expected a positive number, got -1` — the path a user can find in
 * their config file, what was expected, and what they wrote.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';

const show = (v: unknown): string => {
  if (typeof v === 'number') return Number.isNaN(v) ? 'NaN' : String(v);
  if (v === undefined) return 'nothing';
  try {
    return JSON.stringify(v) ?? String(v);
  } catch {
    return String(v);
  }
};

/** The dotted path of an io-ts error (`a.b.0.c`), from its context. */
export const errorPath = (e: t.ValidationError, root = ''): string => {
  const keys = e.context.map((c) => c.key).filter((k) => k !== '');
  return [root, ...keys].filter((k) => k !== '').join('.');
};

/** One sentence for the first error (and how many more there were). */
export const reportErrors = (errors: t.Errors, root = ''): string => {
  const first = errors[0];
  if (first === undefined) return `${root || 'config'}: invalid value`;
  const path = errorPath(first, root) || 'config';
  const last = first.context[first.context.length - 1];
  const expected = first.message ?? `expected ${last?.type.name ?? 'a valid value'}`;
  const more = errors.length > 1 ? ` (and ${errors.length - 1} more problem${errors.length > 2 ? 's' : ''})` : '';
  return `${path}: ${expected}, got ${show(first.value)}${more}`;
};

/** Decodes `input` with `codec`; Left is the one-sentence report. */
export const decodeWith = <A>(codec: t.Decoder<unknown, A>, input: unknown, root = ''): E.Either<string, A> =>
  E.mapLeft((errs: t.Errors) => reportErrors(errs, root))(codec.decode(input));
