/**
 * Progressively-balanced sampling (Kang et al., Decoupling, ICLR 2020, §3):
 * p_j(t) = (1 − t/T)·p_j^IB + (t/T)·p_j^CB, with t the 0-based epoch and T the total epochs, so the
 * first epoch draws as instance-balanced and the schedule moves linearly towards class-balanced
 * (the last epoch, t = T − 1, is (T−1)/T of the way). N i.i.d. draws per epoch with replacement.
 */
import type { Sampler } from './sampler.js';
import { drawClassThenMember, normalise, powerProbabilities } from './class-draws.js';

/** The weight t/T of the class-balanced term, clamped to [0, 1]. */
const progress = (epoch: number, epochs: number): number => {
  if (!(Number.isFinite(epochs) && epochs > 0)) {
    throw new Error(`progressiveSampler: epochs must be a positive number, got ${epochs}`);
  }
  return Math.min(1, Math.max(0, epoch / epochs));
};

/** p_j(t) for counts `counts` at 0-based epoch `epoch` of `epochs`. */
const probabilities = (counts: readonly number[], epoch: number, epochs: number): number[] => {
  const t = progress(epoch, epochs);
  const instance = powerProbabilities(counts, 1);
  const balanced = powerProbabilities(counts, 0);
  return normalise(instance.map((p, j) => (1 - t) * p + t * balanced[j]!));
};

/** Instance-balanced at epoch 0, moving linearly towards class-balanced as t/T grows (Decoupling's PB). */
export const progressiveSampler: Sampler = {
  name: 'progressive',
  summary: 'p_j = (1 − t/T)·n_j/N + (t/T)·1/C: instance- to class-balanced over the epochs (Decoupling, PB)',
  classProbabilities: probabilities,
  epochOrder: (ctx, rng) => drawClassThenMember(ctx, probabilities(ctx.counts, ctx.epoch, ctx.epochs), rng),
};
