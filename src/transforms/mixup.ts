/**
 * mixup: each image is blended with a partner from the same batch, and so is its target.
 *
 * Intuition: training on convex combinations of pairs makes the model behave linearly between
 * samples; with long-tailed data it is the baseline every re-balancing paper compares with.
 *
 * Formula (one λ per batch, partner π = a uniform permutation of the batch):
 *   λ ~ Beta(α, α)  (λ = 1 when α = 0)
 *   x̃_i = λ·x_i + (1 − λ)·x_π(i),   target λ·y_i + (1 − λ)·y_π(i)
 * carried as `mix = {y: y_π, lambda: λ}`, so every loss is consumed as λ·L(y) + (1 − λ)·L(y_π).
 * The same float32 λ is used for the pixels and stored in `mix.lambda`.
 *
 * Paper: Zhang, Cisse, Dauphin, Lopez-Paz, "mixup: Beyond Empirical Risk Minimization", ICLR 2018 (eq. 1).
 * Defaults: `facebookresearch/mixup-cifar10: train.py` (`mixup_data`, `--alpha` default 1.0; λ = 1 for
 * α ≤ 0; one λ and one `randperm` per batch; loss `mixup_criterion` = λ·CE(y_a) + (1 − λ)·CE(y_b)).
 *
 * `index`, `weight` and `noise` stay those of row i (the sample contributing λ).
 *
 * @see cutMix (a pasted box instead of a blend), bilateralMixup (DBN-Mix)
 */
import * as t from 'io-ts';
import { NonNegative } from '../config/codecs.js';
import { draw } from '../core/rng.js';
import type { HostBatch } from '../core/host-batch.js';
import type { BatchTransform } from './batch-transform.js';
import { defineTransform, type BatchTransformSpec } from './transform-spec.js';
import { checkBatch, checkUnmixed, filledLambda, gatherInt32 } from './internal.js';

/** mixup's config. */
export const MixupConfig = t.type({
  /** Beta(α, α) concentration; 0 gives λ = 1 (no mixing). */
  alpha: NonNegative,
});
/** mixup's config type. */
export type MixupConfig = t.TypeOf<typeof MixupConfig>;

/** Defaults of `facebookresearch/mixup-cifar10: train.py` (`--alpha 1.`). */
export const mixupDefaults: MixupConfig = Object.freeze({ alpha: 1 });

/**
 * The mixup operator for `config`.
 * @throws Error when α is negative or not finite, or the batch already carries mixed targets
 */
export const mixup = (config: MixupConfig): BatchTransform => {
  const { alpha } = config;
  if (!(Number.isFinite(alpha) && alpha >= 0)) throw new Error(`mixup: alpha must be a finite number ≥ 0, got ${alpha}`);
  return (batch: HostBatch, rng): HostBatch => {
    const per = checkBatch(batch, 'mixup');
    checkUnmixed(batch, 'mixup');
    const n = batch.y.length;
    const [{ lambda, partner }] = draw(rng, (d) => ({
      lambda: Math.fround(alpha > 0 ? d.beta(alpha, alpha) : 1),
      partner: d.permutation(n),
    }));
    const rest = 1 - lambda;
    const x = new Float32Array(batch.x.length);
    for (let i = 0; i < n; i++) {
      const a = i * per;
      const b = partner[i]! * per;
      for (let j = 0; j < per; j++) x[a + j] = lambda * batch.x[a + j]! + rest * batch.x[b + j]!;
    }
    return { ...batch, x, mix: { y: gatherInt32(batch.y, partner), lambda: filledLambda(n, lambda) } };
  };
};

/** mixup as a registered transform. */
export const mixupSpec = defineTransform<BatchTransformSpec<MixupConfig>>({
  name: 'mixup',
  mixesTargets: true,
  kind: 'batch',
  summary: 'blend each image and target with a partner of the batch: λ·x + (1 − λ)·x_π, λ ~ Beta(α, α)',
  source: 'Zhang et al., ICLR 2018, eq. 1; defaults facebookresearch/mixup-cifar10 train.py (alpha 1.0)',
  configCodec: MixupConfig,
  defaults: mixupDefaults,
  create: (config) => mixup(config),
});
