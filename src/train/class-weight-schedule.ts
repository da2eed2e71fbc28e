/**
 * Class re-weighting as a pure function of the epoch, applied to batches as per-sample loss weights.
 *
 * Intuition: deferred re-weighting (DRW; Cao et al., "Learning Imbalanced Datasets with
 * Label-Distribution-Aware Margin Loss", NeurIPS 2019, §3.3; `kaidic/LDAM-DRW: cifar_train.py`) trains
 * with uniform weights, then from a given epoch (160 of 200) weights each class by its effective
 * number, w_j ∝ (1 − β)/(1 − β^{n_j}) with β = 0.9999, normalised to sum to C; `fromEpoch: 0` is the
 * plain class-balanced re-weighting ("CB Reweight"). Combine with the `weighted-mean` reduction to
 * get PyTorch's `F.cross_entropy(weight=…)`.
 */
import type { HostBatch } from '../core/host-batch.js';
import { classBalancedWeights } from '../losses/class-balanced.js';
import { linearRamp } from './schedules/linear-ramp.js';

/** Class weights at an epoch, or undefined for uniform weights. */
export type ClassWeightSchedule = (epoch: number) => readonly number[] | undefined;

/** Effective-number weights (β) from 0-based epoch `fromEpoch` on; uniform before. */
export const deferredReweighting = (counts: readonly number[], config: { readonly beta: number; readonly fromEpoch: number }): ClassWeightSchedule => {
  const weights = classBalancedWeights(counts, config.beta);
  return (epoch) => (epoch >= config.fromEpoch ? weights : undefined);
};

/**
 * Progressive re-weighting: w_j(e) = (1 − t(e))·1 + t(e)·w_j^CB with t the linear ramp from 0 at
 * `startEpoch` to 1 at `endEpoch` (`linearRamp`) and w^CB the effective-number weights (β), so the
 * emphasis moves smoothly from instance-balanced to class-balanced training instead of DRW's switch.
 * Both ends sum to C, so every epoch's weights do. Uniform (undefined) while t = 0.
 *
 * Use: the phased progressive learning schedule (PPL) of Xu et al., arXiv 2205.12117, whose exact form
 * is not available to us: this is the conjectured reading of our methods sheet (methods-A §10).
 * @throws Error when `endEpoch` < `startEpoch`
 */
export const rampedReweighting = (
  counts: readonly number[],
  config: { readonly beta: number; readonly startEpoch: number; readonly endEpoch: number },
): ClassWeightSchedule => {
  const balanced = classBalancedWeights(counts, config.beta);
  const t = linearRamp({ from: 0, to: 1, startEpoch: config.startEpoch, endEpoch: config.endEpoch });
  return (epoch) => {
    const k = t(epoch);
    return k === 0 ? undefined : balanced.map((w) => 1 - k + k * w);
  };
};

/** The batch with each sample's loss weight set to its class weight (multiplying any weight it already has). */
export const applyClassWeights = (batch: HostBatch, weights: readonly number[]): HostBatch => {
  const weight = new Float32Array(batch.y.length);
  for (let i = 0; i < weight.length; i++) weight[i] = weights[batch.y[i]!]! * (batch.weight?.[i] ?? 1);
  return { ...batch, weight };
};
