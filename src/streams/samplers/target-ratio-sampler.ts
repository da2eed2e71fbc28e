/**
 * Partial balancing to a target imbalance ratio (the "force a ratio" request of
 * ufoym/imbalanced-dataset-sampler#56, with imbalanced-learn's float `sampling_strategy` semantics
 * extended to many classes): every class smaller than n_max/ρ′ is oversampled up to n_max/ρ′, larger
 * classes keep their count, so p_j ∝ max(n_j, n_max/ρ′) and the resulting max/min class ratio is
 * min(ρ, ρ′). ρ′ = 1 is class-balanced; ρ′ ≥ ρ leaves the instance-balanced distribution unchanged.
 */
import type { Sampler } from './sampler.js';
import { drawClassThenMember, normalise } from './class-draws.js';

/** Parameters of `targetRatioSampler`. */
export interface TargetRatioSamplerOptions {
  /** Wanted imbalance ratio ρ′ = max_j p_j / min_j p_j after resampling (≥ 1; default 10). */
  readonly ratio?: number;
}

/**
 * A sampler whose class distribution has imbalance ratio at most `ratio`: p_j ∝ max(n_j, n_max/ratio)
 * over the non-empty classes; a class by p_j, then one of its samples uniformly, N draws per epoch.
 * @throws Error when `ratio` is not ≥ 1 (Infinity is allowed: instance-balanced)
 */
export const targetRatioSampler = (options: TargetRatioSamplerOptions = {}): Sampler => {
  const ratio = options.ratio ?? 10;
  if (!(ratio >= 1)) throw new Error(`targetRatioSampler: ratio must be ≥ 1, got ${ratio}`);
  const probabilities = (counts: readonly number[]): number[] => {
    const floor = Math.max(0, ...counts) / ratio;
    return normalise(counts.map((c) => (c > 0 ? Math.max(c, floor) : 0)));
  };
  return {
    name: 'target-ratio',
    summary: `classes below n_max/${ratio} oversampled up to it (p_j ∝ max(n_j, n_max/${ratio})): imbalance ratio at most ${ratio}; N draws per epoch`,
    classProbabilities: probabilities,
    epochOrder: (ctx, rng) => drawClassThenMember(ctx, probabilities(ctx.counts), rng),
  };
};
