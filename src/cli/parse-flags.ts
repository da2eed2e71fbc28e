/**
 * Parsers for command-line values that fail with one sentence naming the flag.
 */
import { UserError } from '../core/errors.js';

const fail = (flag: string, expected: string, got: string): never => {
  throw new UserError('bad-argument', `${flag}: expected ${expected}, got '${got}'.`);
};

/** An integer ≥ `min`. */
export const parseInteger =
  (flag: string, min = Number.MIN_SAFE_INTEGER) =>
  (s: string): number => {
    const n = Number(s);
    if (s.trim() === '' || !Number.isInteger(n)) return fail(flag, 'an integer', s);
    if (n < min) return fail(flag, `an integer ≥ ${min}`, s);
    return n;
  };

/** `auto`, or an integer ≥ `min`. */
export const parseAutoOrInteger =
  (flag: string, min: number) =>
  (s: string): 'auto' | number => {
    if (s === 'auto') return 'auto';
    const n = Number(s);
    return s.trim() !== '' && Number.isInteger(n) && n >= min ? n : fail(flag, `auto or an integer ≥ ${min}`, s);
  };

/** A finite number ≥ `min` (or > `min` when `strict`). */
export const parseNumber =
  (flag: string, min: number, strict = false) =>
  (s: string): number => {
    const n = Number(s);
    if (s.trim() === '' || !Number.isFinite(n)) return fail(flag, 'a number', s);
    if (strict ? n <= min : n < min) return fail(flag, `a number ${strict ? '>' : '≥'} ${min}`, s);
    return n;
  };

/** One of `choices`. */
export const parseChoice =
  <T extends string>(flag: string, choices: readonly T[]) =>
  (s: string): T =>
    (choices as readonly string[]).includes(s) ? (s as T) : fail(flag, `one of ${choices.join(', ')}`, s);

/** A JSON object (`'{"gamma": 2}'`). */
export const parseJsonObject =
  (flag: string) =>
  (s: string): Record<string, unknown> => {
    let v: unknown;
    try {
      v = JSON.parse(s);
    } catch {
      return fail(flag, 'a JSON object such as \'{"gamma": 2}\'', s);
    }
    return typeof v === 'object' && v !== null && !Array.isArray(v) ? (v as Record<string, unknown>) : fail(flag, 'a JSON object', s);
  };

/** A comma-separated list of `choices` (at least one). */
export const parseChoiceList =
  <T extends string>(flag: string, choices: readonly T[]) =>
  (s: string): T[] => {
    const items = s.split(',').map((x) => x.trim()).filter((x) => x !== '');
    if (items.length === 0) return fail(flag, `a comma-separated list of ${choices.join(', ')}`, s);
    return items.map(parseChoice(flag, choices));
  };
