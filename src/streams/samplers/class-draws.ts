/**
 * Shared arithmetic of the class-then-member samplers: class weights as powers of the counts,
 * normalisation, and one epoch of i.i.d. draws "a class by its probability, then one of its samples
 * uniformly" (what BBN's reversed sampler, CMO's `WeightedRandomSampler` and Decoupling's
 * class-balanced / square-root / progressive samplers all amount to, with replacement, N draws).
 */
import { draw, type Rng } from '../../core/rng.js';
import { indicesByClass } from '../../data/long-tail.js';
import type { SamplerContext } from './sampler.js';

/**
 * `weights` scaled to sum to 1; empty (count 0) classes must already carry weight 0.
 * All-zero weights (no samples at all) give all zeros rather than NaN.
 */
export const normalise = (weights: readonly number[]): number[] => {
  const total = weights.reduce((s, w) => s + w, 0);
  return total > 0 ? weights.map((w) => w / total) : weights.map(() => 0);
};

/**
 * Decoupling's family p_j = n_j^q / Σ_i n_i^q over the non-empty classes (Kang et al., ICLR 2020, eq. 1):
 * q = 1 instance-balanced, q = ½ square-root, q = 0 class-balanced. Computed in log space, so large
 * counts and large |q| neither overflow nor underflow; empty classes get 0.
 */
export const powerProbabilities = (counts: readonly number[], q: number): number[] => {
  if (!Number.isFinite(q)) throw new Error(`powerProbabilities: exponent must be finite, got ${q}`);
  const logs = counts.map((c) => (c > 0 ? q * Math.log(c) : -Infinity));
  const top = Math.max(...logs);
  if (top === -Infinity) return counts.map(() => 0);
  return normalise(logs.map((l) => (l === -Infinity ? 0 : Math.exp(l - top))));
};

/**
 * The first index whose cumulative sum exceeds `u` (binary search; `u` in [0, total)), so an index
 * of weight 0 is never found: how a uniform draw becomes a draw ∝ the weights.
 */
export const firstAbove = (cumulative: Float64Array, u: number): number => {
  let lo = 0;
  let hi = cumulative.length - 1;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (cumulative[mid]! > u) hi = mid;
    else lo = mid + 1;
  }
  return lo;
};

/**
 * One epoch of `ctx.labels.length` i.i.d. draws: a class with probability `probabilities[c]`, then a
 * sample of that class uniformly. Class choice is a binary search over the cumulative distribution
 * (O(log C) per draw), so a class of probability 0 is never drawn.
 * @throws Error when a class of positive probability has no sample in `ctx.labels`
 */
export const drawClassThenMember = (ctx: SamplerContext, probabilities: readonly number[], rng: Rng): Int32Array => {
  const byClass = indicesByClass(ctx.labels, probabilities.length);
  const cumulative = new Float64Array(probabilities.length);
  let total = 0;
  probabilities.forEach((p, c) => {
    if (p > 0 && byClass[c]!.length === 0) {
      throw new Error(`drawClassThenMember: class ${c} has probability ${p} but no samples`);
    }
    total += p > 0 ? p : 0;
    cumulative[c] = total;
  });
  const n = ctx.labels.length;
  if (n > 0 && !(total > 0)) throw new Error('drawClassThenMember: no class has positive probability');
  return draw(rng, (d) => {
    const out = new Int32Array(n);
    for (let i = 0; i < n; i++) {
      const members = byClass[firstAbove(cumulative, d.uniform() * total)]!;
      out[i] = members[d.int(0, members.length - 1)]!;
    }
    return out;
  })[0];
};
