/**
 * A frozen name → descriptor table with "did you mean …" for unknown names.
 *
 * Intuition: datasets, samplers, losses, models and recipes are chosen by name from the CLI and
 * recipes; a registry is the one place a name is resolved, so every kind answers a typo the same way.
 */
import { UserError } from './errors.js';

/** Anything a registry holds: it has a unique name and a one-line summary. */
export interface Named {
  readonly name: string;
  readonly summary: string;
}

/** A read-only set of descriptors, looked up by name. */
export interface Registry<T extends Named> {
  /** What the registry holds, e.g. `dataset` (used in messages). */
  readonly kind: string;
  /** Every descriptor, in registration order. */
  list(): readonly T[];
  /** The descriptor called `name`; a `UserError` naming the closest match otherwise. */
  get(name: string): T;
  /** True when `name` is registered. */
  has(name: string): boolean;
}

/** Levenshtein distance, for suggestions. */
export const editDistance = (a: string, b: string): number => {
  const prev = Array.from({ length: b.length + 1 }, (_, j) => j);
  for (let i = 1; i <= a.length; i++) {
    let diag = prev[0]!;
    prev[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const up = prev[j]!;
      prev[j] = Math.min(up + 1, prev[j - 1]! + 1, diag + (a[i - 1] === b[j - 1] ? 0 : 1));
      diag = up;
    }
  }
  return prev[b.length]!;
};

/** The candidate closest to `name` when it is close enough to be a typo. */
export const closestName = (name: string, candidates: readonly string[]): string | undefined => {
  const lower = name.toLowerCase();
  const prefixed = candidates.filter((c) => c.toLowerCase().startsWith(lower) || lower.startsWith(c.toLowerCase()));
  if (lower.length >= 3 && prefixed.length === 1) return prefixed[0];
  // Several names start with it ('fmnist' → fmnist-lt, fmnist-mlt): the closest of them.
  const pool = lower.length >= 3 && prefixed.length > 1 ? prefixed : candidates;
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const c of pool) {
    const d = editDistance(name.toLowerCase(), c.toLowerCase());
    if (d < bestDistance) {
      best = c;
      bestDistance = d;
    }
  }
  if (pool === prefixed && pool !== candidates) return best;
  return best !== undefined && bestDistance <= Math.max(2, Math.floor(name.length / 3)) ? best : undefined;
};

/** Builds a registry; duplicate names are a programmer error. */
export const createRegistry = <T extends Named>(kind: string, entries: readonly T[]): Registry<T> => {
  const byName = new Map<string, T>();
  for (const e of entries) {
    if (byName.has(e.name)) throw new Error(`createRegistry: duplicate ${kind} '${e.name}'`);
    byName.set(e.name, Object.freeze(e));
  }
  const names = [...byName.keys()];
  return Object.freeze({
    kind,
    list: () => [...byName.values()],
    has: (name: string) => byName.has(name),
    get: (name: string): T => {
      const found = byName.get(name);
      if (found !== undefined) return found;
      const guess = closestName(name, names);
      const hint = guess !== undefined ? ` Did you mean '${guess}'?` : '';
      throw new UserError('bad-argument', `Unknown ${kind} '${name}'; known: ${names.join(', ')}.${hint}`);
    },
  });
};
