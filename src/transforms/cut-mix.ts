/**
 * CutMix: a box of each image is replaced by the same box of a partner image of the batch, and the
 * targets are mixed by the area that stayed.
 *
 * Intuition: like mixup, but the partner appears as a natural-looking patch instead of a ghost, so
 * the model must recognise objects from parts and from context.
 *
 * Formula (per batch, with probability p; one λ, one box and one partner permutation π per batch):
 *   λ ~ Beta(β, β);  box = cutMixBox(H, W, λ): cut = ⌊H·√(1−λ)⌋ × ⌊W·√(1−λ)⌋ around a uniform centre, clipped
 *   x̃_i = x_i outside the box, x_π(i) inside it
 *   λ ← 1 − area(box)/(H·W)   (recomputed after clipping, as the official code does)
 *   target λ·y_i + (1 − λ)·y_π(i), carried as `mix = {y: y_π, lambda: λ}`.
 * So the pasted area is exactly (1 − λ)·H·W pixels. Otherwise (probability 1 − p, or β = 0) the
 * batch is returned unchanged, without mixed targets.
 *
 * Paper: Yun, Han, Oh, Chun, Choe, Yoo, "CutMix: Regularization Strategy to Train Strong Classifiers
 * with Localizable Features", ICCV 2019 (eq. 1–2).
 * Defaults: `clovaai/CutMix-PyTorch: train.py` (`rand_bbox`, the per-batch `r < cutmix_prob` coin, λ
 * recomputed from the clipped box); β = 1.0 and p = 0.5 from the repository README's CIFAR command
 * (`--beta 1.0 --cutmix_prob 0.5`); the argparse defaults are 0, i.e. off.
 * Deviation: none in the arithmetic. (`rand_bbox` names dimension 2 of NCHW "W"; here rows use H and
 * columns W, which is the same box for the square images the code was written for.)
 *
 * `index`, `weight` and `noise` stay those of row i (the background).
 *
 * @see mixup, cmo (the partner comes from a minority-sampler stream instead of the batch)
 */
import * as t from 'io-ts';
import { NonNegative, Probability } from '../config/codecs.js';
import { draw } from '../core/rng.js';
import type { HostBatch } from '../core/host-batch.js';
import type { BatchTransform } from './batch-transform.js';
import { defineTransform, type BatchTransformSpec } from './transform-spec.js';
import { boxArea, checkBatch, checkUnmixed, cutMixBox, filledLambda, gatherInt32, pasteBox } from './internal.js';

/** CutMix's config. */
export const CutMixConfig = t.type({
  /** Beta(β, β) of the initial λ; 0 disables CutMix (as `args.beta > 0` does officially). */
  beta: NonNegative,
  /** Probability that a batch is cut-mixed (`--cutmix_prob`), one coin per batch. */
  probability: Probability,
});
/** CutMix's config type. */
export type CutMixConfig = t.TypeOf<typeof CutMixConfig>;

/** Defaults of the `clovaai/CutMix-PyTorch` README's CIFAR command (`--beta 1.0 --cutmix_prob 0.5`). */
export const cutMixDefaults: CutMixConfig = Object.freeze({ beta: 1, probability: 0.5 });

/**
 * The CutMix operator for `config`.
 * @throws Error when β or p is out of range, or the batch already carries mixed targets
 */
export const cutMix = (config: CutMixConfig): BatchTransform => {
  const { beta, probability } = config;
  if (!(Number.isFinite(beta) && beta >= 0)) throw new Error(`cutMix: beta must be a finite number ≥ 0, got ${beta}`);
  if (!(probability >= 0 && probability <= 1)) throw new Error(`cutMix: probability must be in [0, 1], got ${probability}`);
  return (batch: HostBatch, rng): HostBatch => {
    checkBatch(batch, 'cutMix');
    checkUnmixed(batch, 'cutMix');
    const { height, width } = batch.shape;
    const n = batch.y.length;
    const [plan] = draw(rng, (d) => {
      if (!(beta > 0 && d.uniform() < probability)) return undefined;
      const lambda = d.beta(beta, beta);
      const partner = d.permutation(n);
      return { partner, box: cutMixBox(d, height, width, lambda) };
    });
    if (plan === undefined) return batch;
    const x = batch.x.slice();
    for (let i = 0; i < n; i++) pasteBox(x, i, batch.x, plan.partner[i]!, plan.box, batch.shape);
    const lambda = 1 - boxArea(plan.box) / (height * width);
    return { ...batch, x, mix: { y: gatherInt32(batch.y, plan.partner), lambda: filledLambda(n, lambda) } };
  };
};

/** CutMix as a registered transform. */
export const cutMixSpec = defineTransform<BatchTransformSpec<CutMixConfig>>({
  name: 'cut-mix',
  mixesTargets: true,
  kind: 'batch',
  summary: "paste a box of a partner image of the batch (area 1 − λ, λ ~ Beta(β, β) recomputed after clipping), per batch w.p. p",
  source: 'Yun et al., ICCV 2019; defaults clovaai/CutMix-PyTorch train.py + README CIFAR command (beta 1.0, cutmix_prob 0.5)',
  configCodec: CutMixConfig,
  defaults: cutMixDefaults,
  create: (config) => cutMix(config),
});
