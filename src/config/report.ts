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

/** The dotted path of an io-ts error (`a.b.0.c`), from its context; union branch indices are left out. */
export const errorPath = (e: t.ValidationError, root = ''): string => {
  const keys = e.context.filter((c, i) => c.key !== '' && !(i > 0 && e.context[i - 1]!.type instanceof t.UnionType)).map((c) => c.key);
  return [root, ...keys].filter((k) => k !== '').join('.');
};

/**
 * One sentence for the most specific error (and how many more there were). A value that fails every
 * branch of a union reports the branch it got furthest into, e.g. `classWeights.beta` rather than
 * "expected null" for `classWeights: null | {beta, fromEpoch}`.
 */
export const reportErrors = (errors: t.Errors, root = ''): string => {
  const first = [...errors].sort((a, b) => b.context.length - a.context.length)[0];
  if (first === undefined) return `${root || 'config'}: invalid value`;
  const path = errorPath(first, root) || 'config';
  const last = first.context[first.context.length - 1];
  const expected = first.message ?? `expected ${last?.type.name ?? 'a valid value'}`;
  // Other branches of the same union fail at a prefix of this path: they are not further problems.
  const others = new Set(errors.map((e) => errorPath(e, root)).filter((p) => p !== path && !path.startsWith(`${p}.`))).size;
  const more = others > 0 ? ` (and ${others} more problem${others > 1 ? 's' : ''})` : '';
  return `${path}: ${expected}, got ${show(first.value)}${more}`;
};

/** Decodes `input` with `codec`; Left is the one-sentence report. */
export const decodeWith = <A>(codec: t.Decoder<unknown, A>, input: unknown, root = ''): E.Either<string, A> =>
  E.mapLeft((errs: t.Errors) => reportErrors(errs, root))(codec.decode(input));
