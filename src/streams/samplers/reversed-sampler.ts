/**
 * BBN's reversed sampler (Zhou et al., CVPR 2020, §3.2; `lib/dataset/imbalance_cifar.py` in
 * Megvii-Nanjing/BBN): class weight w_j = n_max / n_j, P_j = w_j / Σ_i w_i; a class by P_j, then one
 * of its samples uniformly, N independent draws per epoch with replacement. Feeds the re-balancing branch.
 */
import type { Sampler } from './sampler.js';
import { drawClassThenMember, normalise } from './class-draws.js';

/** P_j ∝ n_max / n_j over the non-empty classes (so the rarest class is the most likely). */
const probabilities = (counts: readonly number[]): number[] => {
  const nMax = Math.max(0, ...counts);
  return normalise(counts.map((c) => (c > 0 ? nMax / c : 0)));
};

/** Class j drawn with probability ∝ n_max/n_j, then a sample of it uniformly (BBN's re-balancing branch). */
export const reversedSampler: Sampler = {
  name: 'reversed',
  summary: "class j with probability ∝ n_max/n_j, then one of its samples uniformly; N draws per epoch (BBN's re-balancing branch)",
  classProbabilities: probabilities,
  epochOrder: (ctx, rng) => drawClassThenMember(ctx, probabilities(ctx.counts), rng),
};
