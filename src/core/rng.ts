/**
 * A seeded, splittable, immutable random number generator over pure-rand's xoroshiro128+.
 *
 * Intuition: an `Rng` is a frozen position in a random sequence. Nothing ever advances it in
 * place: `draw` runs a function on a private mutable copy and hands back the value together with
 * the advanced `Rng`; `derive(key)` gives an independent child for a stable key (an epoch, a batch
 * index, a component name), so the same seed always yields the same batches wherever they are
 * built, and a resumed run can rebuild any step's randomness from `(seed, keys)` alone.
 *
 * @example
 * ```ts
 * import { core } from 'tailstream';
 * const root = core.createRng(42);
 * const [order] = core.draw(root.derive('epoch', 0), (g) => g.permutation(10));
 * ```
 */
import { xoroshiro128plus, xoroshiro128plusFromState } from 'pure-rand/generator/xoroshiro128plus';
import { uniformInt } from 'pure-rand/distribution/uniformInt';
import { uniformFloat64 } from 'pure-rand/distribution/uniformFloat64';

/** An immutable position in a random sequence. */
export interface Rng {
  /** The generator state (four 32-bit words); enough to rebuild this exact `Rng`. */
  readonly state: readonly number[];
  /** An independent child for a stable key path, e.g. `derive('epoch', 3)`. Pure: same keys → same child. */
  derive(...keys: ReadonlyArray<string | number>): Rng;
  /** Two independent generators: this position and one 2^64 draws further (a jump). */
  split(): readonly [Rng, Rng];
}

/** Mutable draws on a private copy of an `Rng`; only valid inside the `draw` callback that received it. */
export interface Draws {
  /** Uniform float in [0, 1). */
  uniform(): number;
  /** Uniform integer in [lo, hi] (both included). */
  int(lo: number, hi: number): number;
  /** Standard normal (Box–Muller). */
  normal(): number;
  /** Gamma(shape, 1) by Marsaglia–Tsang (shape < 1 boosted). */
  gamma(shape: number): number;
  /** Beta(a, b) as a ratio of gammas. */
  beta(a: number, b: number): number;
  /** A uniformly random permutation of 0..n-1 (Fisher–Yates). */
  permutation(n: number): Int32Array;
  /** Shuffles `xs` in place (Fisher–Yates) and returns it. */
  shuffle<T extends { length: number; [i: number]: number }>(xs: T): T;
  /** An index drawn with probability proportional to `weights` (non-negative, not all zero). */
  categorical(weights: ArrayLike<number>): number;
}

type Generator = ReturnType<typeof xoroshiro128plus>;

const FNV_OFFSET = 0x811c9dc5;
const FNV_PRIME = 0x01000193;

/** 32-bit FNV-1a over a string, used to turn derivation keys into seeds. */
const hashString = (s: string, h = FNV_OFFSET): number => {
  let x = h;
  for (let i = 0; i < s.length; i++) {
    x ^= s.charCodeAt(i);
    x = Math.imul(x, FNV_PRIME);
  }
  return x >>> 0;
};

class FrozenRng implements Rng {
  readonly state: readonly number[];
  constructor(state: readonly number[]) {
    this.state = Object.freeze([...state]);
  }

  derive(...keys: ReadonlyArray<string | number>): Rng {
    let h = FNV_OFFSET;
    for (const w of this.state) h = hashString(w.toString(16), h);
    for (const k of keys) h = hashString(`${typeof k}:${String(k)}/`, h);
    // Mix the parent's first draw with the key hash; xoroshiro's seeding spreads both.
    const g = xoroshiro128plusFromState(this.state);
    const mixed = (g.next() ^ h) | 0;
    return new FrozenRng(xoroshiro128plus(mixed).getState());
  }

  split(): readonly [Rng, Rng] {
    const g = xoroshiro128plusFromState(this.state);
    g.jump();
    return [this, new FrozenRng(g.getState())];
  }
}

class MutableDraws implements Draws {
  private spareNormal: number | undefined;
  constructor(readonly g: Generator) {}

  uniform(): number {
    return uniformFloat64(this.g);
  }
  int(lo: number, hi: number): number {
    return uniformInt(this.g, lo, hi);
  }
  normal(): number {
    if (this.spareNormal !== undefined) {
      const s = this.spareNormal;
      this.spareNormal = undefined;
      return s;
    }
    let u = 0;
    while (u === 0) u = this.uniform();
    const v = this.uniform();
    const r = Math.sqrt(-2 * Math.log(u));
    this.spareNormal = r * Math.sin(2 * Math.PI * v);
    return r * Math.cos(2 * Math.PI * v);
  }
  gamma(shape: number): number {
    if (!(shape > 0)) throw new Error(`gamma: shape must be positive, got ${shape}`);
    if (shape < 1) {
      let u = 0;
      while (u === 0) u = this.uniform();
      return this.gamma(shape + 1) * Math.pow(u, 1 / shape);
    }
    const d = shape - 1 / 3;
    const c = 1 / Math.sqrt(9 * d);
    for (;;) {
      let x: number;
      let v: number;
      do {
        x = this.normal();
        v = 1 + c * x;
      } while (v <= 0);
      v = v * v * v;
      const u = this.uniform();
      if (u < 1 - 0.0331 * x * x * x * x) return d * v;
      if (Math.log(u) < 0.5 * x * x + d * (1 - v + Math.log(v))) return d * v;
    }
  }
  beta(a: number, b: number): number {
    const x = this.gamma(a);
    const y = this.gamma(b);
    return x + y === 0 ? 0.5 : x / (x + y);
  }
  permutation(n: number): Int32Array {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) out[i] = i;
    return this.shuffle(out);
  }
  shuffle<T extends { length: number; [i: number]: number }>(xs: T): T {
    for (let i = xs.length - 1; i > 0; i--) {
      const j = this.int(0, i);
      const t = xs[i]!;
      xs[i] = xs[j]!;
      xs[j] = t;
    }
    return xs;
  }
  categorical(weights: ArrayLike<number>): number {
    let total = 0;
    for (let i = 0; i < weights.length; i++) total += weights[i]!;
    if (!(total > 0)) throw new Error('categorical: weights must have a positive sum');
    let u = this.uniform() * total;
    for (let i = 0; i < weights.length; i++) {
      u -= weights[i]!;
      if (u < 0) return i;
    }
    // Rounding can leave u ≥ 0 after the loop: return the last index with positive weight.
    for (let i = weights.length - 1; i >= 0; i--) if (weights[i]! > 0) return i;
    return weights.length - 1;
  }
}

/** splitmix32 (Steele, Lea, Flood 2014, 32-bit variant): spreads a small seed over all 32 bits. */
const splitmix32 = (x: number): number => {
  let z = (x + 0x9e3779b9) | 0;
  z = Math.imul(z ^ (z >>> 16), 0x85ebca6b);
  z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35);
  return (z ^ (z >>> 16)) >>> 0;
};

/**
 * A root `Rng` for an integer seed. The four state words come from splitmix32 of the seed (as the
 * xoroshiro authors recommend): seeding xoroshiro128+ with a small integer directly gives a first
 * draw near 1 and draws correlated across neighbouring seeds.
 */
export const createRng = (seed: number): Rng => {
  if (!Number.isInteger(seed)) throw new Error(`createRng: seed must be an integer, got ${seed}`);
  const words: number[] = [];
  let x = seed | 0;
  for (let i = 0; i < 4; i++) {
    x = splitmix32(x);
    words.push(x | 0);
  }
  return new FrozenRng(xoroshiro128plusFromState(words).getState());
};

/** Rebuilds an `Rng` from its `state` (e.g. read from a checkpoint). */
export const rngFromState = (state: readonly number[]): Rng => new FrozenRng(state);

/**
 * Runs `f` with mutable draws on a private copy of `rng`; returns `f`'s value and the advanced `Rng`.
 * `rng` itself is never changed, so drawing twice from the same `rng` gives the same value.
 */
export const draw = <T>(rng: Rng, f: (d: Draws) => T): readonly [T, Rng] => {
  const g = xoroshiro128plusFromState(rng.state);
  const value = f(new MutableDraws(g));
  return [value, new FrozenRng(g.getState())];
};
