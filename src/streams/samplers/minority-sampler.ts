/**
 * CMO's minority (foreground) sampler (Park et al., CVPR 2022; `cifar_train.py` in naver-ai/cmo):
 * a `WeightedRandomSampler` with per-sample weight 1/n_y^α (`--weighted_alpha`, default 1), N draws
 * with replacement. Class k then has probability ∝ n_k · n_k^{−α} = n_k^{1−α}: α = 1 is
 * class-balanced, α = 2 inverse-frequency, α = 0 instance-balanced.
 */
import type { Sampler } from './sampler.js';
import { drawClassThenMember, powerProbabilities } from './class-draws.js';

/** Parameters of `minoritySampler`. */
export interface MinoritySamplerOptions {
  /** Exponent α of the per-sample weight 1/n_y^α (CMO's `--weighted_alpha`; default 1). */
  readonly alpha?: number;
}

/**
 * A CMO minority sampler for exponent α: per-sample weight 1/n_y^α, so class k has probability
 * n_k^{1−α} / Σ_i n_i^{1−α}. Drawing a class by that probability and then one of its samples uniformly
 * has exactly the distribution of the per-sample weighted draw.
 * @throws Error when α is not a finite number
 */
export const minoritySampler = (options: MinoritySamplerOptions = {}): Sampler => {
  const alpha = options.alpha ?? 1;
  if (!Number.isFinite(alpha)) throw new Error(`minoritySampler: alpha must be a finite number, got ${alpha}`);
  const probabilities = (counts: readonly number[]): number[] => powerProbabilities(counts, 1 - alpha);
  return {
    name: 'minority',
    summary: `per-sample weight 1/n_y^α with α = ${alpha}: class k with probability ∝ n_k^(1−α); N draws per epoch (CMO's foreground sampler)`,
    classProbabilities: probabilities,
    epochOrder: (ctx, rng) => drawClassThenMember(ctx, probabilities(ctx.counts), rng),
  };
};
