/**
 * DBN-Mix's bilateral mixup: a batch of the uniform (instance) sampler and a batch of a re-balancing
 * sampler are blended into two inputs, one per branch of a dual-branch network, with opposite weights.
 *
 * Intuition: the conventional branch mostly sees head-heavy uniform samples with a little of the
 * re-balanced ones mixed in, the re-balancing branch the reverse; both learn from every pair.
 *
 * Formula (one λ and one permutation π of the uniform batch per step; u = uniform, b = re-balancing):
 *   λ ~ Beta(α, α),  λ ← max(λ, 1 − λ)  (so λ ∈ [0.5, 1]; `clampLambda`)
 *   conventional branch:  x̃₁ = λ·x_u[π] + (1 − λ)·x_b,   target λ·y_u[π] + (1 − λ)·y_b
 *   re-balancing branch:  x̃₂ = (1 − λ)·x_u[π] + λ·x_b,   target (1 − λ)·y_u[π] + λ·y_b
 * carried as conventional `{y: y_u[π], mix: {y: y_b, lambda: λ}}` and re-balancing
 * `{y: y_b, mix: {y: y_u[π], lambda: λ}}` (each branch's first label is its dominant sample; the
 * same targets as the paper's). The loss is then ½·(L(cb(x̃₁), t₁) + L(rb(x̃₂), t₂)) in the model.
 *
 * Paper: Baik, Yoon, Choi, "DBN-Mix: Training Dual Branch Network Using Bilateral Mixup Augmentation
 * for Long-Tailed Visual Recognition", Pattern Recognition 147 (2024) 110107; arXiv 2207.02173.
 * Defaults: `soony1213/DBN-Mix: losses.py` (`mixup` with `--use-experts`): α = 1 (λ ~ Uniform(0, 1)),
 * λ ← max(λ, 1 − λ), `randperm` applied to the uniform batch only. The official re-balancing loader is
 * `balance` (class uniform, `streams.classBalancedSampler`); BBN's `streams.reversedSampler` also fits.
 *
 * Wiring: `streams.bilateralBatches(subset, {conventional: {sampler: instanceSampler, …}, rebalancing:
 * {sampler: classBalancedSampler, …}, …})` piped through `bilateralMixupPairs(config, rng, 0, ctx)`.
 *
 * @see mixup, streams.bilateralBatches
 */
import * as t from 'io-ts';
import { map, defer, type OperatorFunction } from 'rxjs';
import { Positive } from '../config/codecs.js';
import { draw, type Rng } from '../core/rng.js';
import type { HostBatch } from '../core/host-batch.js';
import type { BilateralBatch } from '../streams/bilateral-batches.js';
import type { TransformContext } from './batch-transform.js';
import type { PairedTransform } from './paired-transform.js';
import { defineTransform, type BilateralTransformSpec } from './transform-spec.js';
import { checkBatch, checkSameShape, checkUnmixed, filledLambda, gatherRowFields } from './internal.js';

/** Bilateral mixup's config. */
export const BilateralMixupConfig = t.type({
  /** Beta(α, α) of λ. */
  alpha: Positive,
  /** λ ← max(λ, 1 − λ), so the conventional branch is dominated by the uniform sample (as the official code does). */
  clampLambda: t.boolean,
});
/** Bilateral mixup's config type. */
export type BilateralMixupConfig = t.TypeOf<typeof BilateralMixupConfig>;

/** Defaults of `soony1213/DBN-Mix: losses.py` (`mixup`, α = 1, λ ← max(λ, 1 − λ)). */
export const bilateralMixupDefaults: BilateralMixupConfig = Object.freeze({ alpha: 1, clampLambda: true });

/**
 * The bilateral mixup of a uniform batch and a re-balancing batch of the same size.
 * @throws Error when α is not positive, the batches differ in size or sample shape, or either already carries mixed targets
 */
export const bilateralMixup = (config: BilateralMixupConfig): PairedTransform<BilateralBatch> => {
  const { alpha, clampLambda } = config;
  if (!(Number.isFinite(alpha) && alpha > 0)) throw new Error(`bilateralMixup: alpha must be a positive finite number, got ${alpha}`);
  return (uniform: HostBatch, rebalancing: HostBatch, rng): BilateralBatch => {
    const per = checkBatch(uniform, 'bilateralMixup');
    checkBatch(rebalancing, 'bilateralMixup');
    checkSameShape(uniform.shape, rebalancing.shape, 'bilateralMixup');
    checkUnmixed(uniform, 'bilateralMixup');
    checkUnmixed(rebalancing, 'bilateralMixup');
    const n = uniform.y.length;
    if (rebalancing.y.length !== n) throw new Error(`bilateralMixup: batch sizes differ (${n} uniform, ${rebalancing.y.length} re-balancing)`);
    const [{ lambda, partner }] = draw(rng, (d) => {
      const l = d.beta(alpha, alpha);
      return { lambda: Math.fround(clampLambda ? Math.max(l, 1 - l) : l), partner: d.permutation(n) };
    });
    const rest = 1 - lambda;
    const x1 = new Float32Array(uniform.x.length);
    const x2 = new Float32Array(uniform.x.length);
    for (let i = 0; i < n; i++) {
      const u = partner[i]! * per;
      const b = i * per;
      for (let j = 0; j < per; j++) {
        const xu = uniform.x[u + j]!;
        const xb = rebalancing.x[b + j]!;
        x1[b + j] = lambda * xu + rest * xb;
        x2[b + j] = rest * xu + lambda * xb;
      }
    }
    const permuted = gatherRowFields(uniform, partner);
    const lambdas = filledLambda(n, lambda);
    return {
      conventional: { ...permuted, x: x1, shape: uniform.shape, mix: { y: rebalancing.y.slice(), lambda: lambdas } },
      rebalancing: { ...rebalancing, x: x2, mix: { y: permuted.y.slice(), lambda: lambdas.slice() } },
    };
  };
};

/**
 * Bilateral mixup on a stream of (conventional, re-balancing) pairs such as `streams.bilateralBatches`
 * yields; pair k uses `rng.derive(firstIndex + k)`.
 */
export const bilateralMixupPairs =
  (config: BilateralMixupConfig, rng: Rng, firstIndex = 0, ctx?: TransformContext): OperatorFunction<BilateralBatch, BilateralBatch> =>
  (source) =>
    defer(() => {
      const transform = bilateralMixup(config);
      let k = firstIndex;
      return source.pipe(map((pair) => transform(pair.conventional, pair.rebalancing, rng.derive(k++), ctx)));
    });

/** Bilateral mixup as a registered transform. */
export const bilateralMixupSpec = defineTransform<BilateralTransformSpec<BilateralMixupConfig>>({
  name: 'bilateral-mixup',
  mixesTargets: true,
  kind: 'bilateral',
  summary: "DBN-Mix: blend a uniform batch (permuted) with a re-balancing batch into two branch inputs with weights λ and 1 − λ, λ = max(λ, 1 − λ)",
  source: 'Baik et al., Pattern Recognition 2024 (DBN-Mix); defaults soony1213/DBN-Mix losses.py mixup (alpha 1, λ ≥ 0.5)',
  configCodec: BilateralMixupConfig,
  defaults: bilateralMixupDefaults,
  create: (config) => bilateralMixup(config),
});
