/**
 * Deferred re-sampling (DRS): one sampler before an epoch, another from it on, as a sampler.
 *
 * Intuition: learn the representation on the natural (instance-balanced) distribution first, then
 * re-balance for the last epochs, when the learning rate is small and mostly the classifier moves.
 * The sampler-side twin of deferred re-weighting (`deferredReweighting`).
 *
 * Paper: Cao, Wei, Gaidon, Arechiga, Ma, "Learning Imbalanced Datasets with Label-Distribution-Aware
 * Margin Loss", NeurIPS 2019, §3.3 (DRS: re-sampling switched on at epoch 160 of 200). The deferred
 * samplers of Zhang et al.'s "Bag of Tricks for Long-Tailed Visual Recognition" (`zhangyongshun/
 * BagofTricks-LT`) and OPeN's class-balanced oversampling from epoch 160 are the same switch.
 *
 * @see deferredReweighting, classBalancedSampler, progressiveSampler
 */
import type { Sampler } from '../../streams/samplers/sampler.js';

/** Which sampler, when. */
export interface DeferredResamplingConfig {
  readonly before: Sampler;
  readonly after: Sampler;
  /** First 0-based epoch that uses `after` (160 of 200 in LDAM-DRW's DRS). */
  readonly fromEpoch: number;
}

/** The sampler in charge at 0-based `epoch`. */
export const samplerAt = (config: DeferredResamplingConfig, epoch: number): Sampler => (epoch >= config.fromEpoch ? config.after : config.before);

/** A sampler that behaves as `before` up to `fromEpoch − 1` and as `after` from `fromEpoch` on. */
export const deferredResampling = (config: DeferredResamplingConfig): Sampler => ({
  name: `deferred-${config.after.name}`,
  summary: `${config.before.name} sampling, then ${config.after.name} from epoch ${config.fromEpoch} (0-based) on`,
  classProbabilities: (counts, epoch, epochs) => samplerAt(config, epoch).classProbabilities(counts, epoch, epochs),
  epochOrder: (ctx, rng) => samplerAt(config, ctx.epoch).epochOrder(ctx, rng),
});
