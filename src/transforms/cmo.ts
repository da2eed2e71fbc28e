/**
 * CMO (context-rich minority oversampling): a minority-class patch is pasted, CutMix-style, onto an
 * ordinary (mostly majority-class) image, so rare classes are seen in the many contexts of the head.
 *
 * Intuition: oversampling repeats the few tail images; CMO instead shows each tail object over the
 * varied backgrounds the head classes supply.
 *
 * Formula (per batch; the background batch comes from the ordinary sampler, the foreground batch of
 * the same size from the minority sampler, per-sample weight 1/n_y^α with α = 1 ⇒ class-balanced):
 *   on only in epochs startEpoch ≤ e < epochs − skipLastEpochs, and then with probability p (one coin per batch):
 *   λ ~ Beta(β, β);  one box = cutMixBox(H, W, λ) for the whole batch
 *   x̃_i = background_i outside the box, foreground_i inside it   (row i with row i: no permutation)
 *   λ ← 1 − area(box)/(H·W);  target λ·y_bg,i + (1 − λ)·y_fg,i, carried as `mix = {y: y_fg, lambda: λ}`
 * Otherwise the background batch is returned unchanged (plain targets).
 *
 * Paper: Park, Hong, Heo, Yun, Choi, "The Majority Can Help the Minority: Context-rich Minority
 * Oversampling for Long-tailed Classification", CVPR 2022.
 * Defaults: `naver-ai/cmo: cifar_train.py` + `opts.py`: `--beta 1` (λ ~ Uniform(0, 1)), `--mixup_prob 0.5`,
 * `--start_data_aug 3`, `--end_data_aug 3` with the gate `start_data_aug < epoch < epochs − end_data_aug`
 * on 0-based epochs, i.e. startEpoch = 4 and skipLastEpochs = 3 here (epochs 4…196 of 200);
 * `--weighted_alpha 1` belongs to the foreground sampler (`streams.minoritySampler({alpha: 1})`).
 * The foreground batch is truncated to the background's size, as the official loop does.
 *
 * Wiring: `cmoWith(config, foreground, rng, firstIndex, {epoch, epochs})` pairs each background batch
 * with the next batch pulled from `foreground`, e.g.
 * `epochBatches(subset, {sampler: minoritySampler(), rng: epochRng.derive('cmo-foreground'), ...})`
 * (see `pairWith`). Pass the epoch context: the window needs it.
 *
 * `index`, `weight` and `noise` stay those of the background row.
 *
 * @see cutMix (partner from the same batch), streams.minoritySampler
 */
import * as t from 'io-ts';
import { NonNegativeInt, Positive, Probability } from '../config/codecs.js';
import { draw } from '../core/rng.js';
import type { HostBatch } from '../core/host-batch.js';
import type { Rng } from '../core/rng.js';
import type { PullSource } from '../streams/pull-source.js';
import type { OperatorFunction } from 'rxjs';
import type { TransformContext } from './batch-transform.js';
import { liftPairedTransformWith, type PairedTransform } from './paired-transform.js';
import { defineTransform, type PairedTransformSpec } from './transform-spec.js';
import { boxArea, checkBatch, checkSameShape, checkUnmixed, cutMixBox, filledLambda, inEpochWindow, pasteBox } from './internal.js';

/** CMO's config. */
export const CmoConfig = t.type({
  /** Beta(β, β) of the initial λ (`--beta`), > 0. */
  beta: Positive,
  /** Probability that a batch gets a minority patch (`--mixup_prob`), one coin per batch. */
  probability: Probability,
  /** First 0-based epoch with CMO on (official `start_data_aug + 1`). */
  startEpoch: NonNegativeInt,
  /** CMO is off in the last `skipLastEpochs` epochs (official `end_data_aug`). */
  skipLastEpochs: NonNegativeInt,
});
/** CMO's config type. */
export type CmoConfig = t.TypeOf<typeof CmoConfig>;

/** Defaults of `naver-ai/cmo: cifar_train.py` / `opts.py` (beta 1, mixup_prob 0.5, start_data_aug 3, end_data_aug 3). */
export const cmoDefaults: CmoConfig = Object.freeze({ beta: 1, probability: 0.5, startEpoch: 4, skipLastEpochs: 3 });

/**
 * The CMO operator on (background, foreground) batches.
 * @throws Error for out-of-range config; when the foreground batch is smaller than the background or
 * of another sample shape; when the background already carries mixed targets; when the window needs
 * the epoch and `ctx` is missing
 */
export const cmo = (config: CmoConfig): PairedTransform<HostBatch> => {
  const { beta, probability, startEpoch, skipLastEpochs } = config;
  if (!(Number.isFinite(beta) && beta > 0)) throw new Error(`cmo: beta must be a positive finite number, got ${beta}`);
  if (!(probability >= 0 && probability <= 1)) throw new Error(`cmo: probability must be in [0, 1], got ${probability}`);
  return (background, foreground, rng, ctx): HostBatch => {
    checkBatch(background, 'cmo');
    checkBatch(foreground, 'cmo');
    checkSameShape(background.shape, foreground.shape, 'cmo');
    checkUnmixed(background, 'cmo');
    const n = background.y.length;
    if (foreground.y.length < n) throw new Error(`cmo: the foreground batch has ${foreground.y.length} samples for a background of ${n}`);
    if (!inEpochWindow(ctx, startEpoch, skipLastEpochs, 'cmo')) return background;
    const { height, width } = background.shape;
    const [box] = draw(rng, (d) => (d.uniform() < probability ? cutMixBox(d, height, width, d.beta(beta, beta)) : undefined));
    if (box === undefined) return background;
    const x = background.x.slice();
    for (let i = 0; i < n; i++) pasteBox(x, i, foreground.x, i, box, background.shape);
    const lambda = 1 - boxArea(box) / (height * width);
    return { ...background, x, mix: { y: foreground.y.slice(0, n), lambda: filledLambda(n, lambda) } };
  };
};

/**
 * CMO on a stream: background batch k (the stream's) is paired with the next batch pulled from
 * `foreground` and transformed with `rng.derive(firstIndex + k)` and `ctx`.
 */
export const cmoWith = (
  config: CmoConfig,
  foreground: PullSource<HostBatch>,
  rng: Rng,
  firstIndex = 0,
  ctx?: TransformContext,
): OperatorFunction<HostBatch, HostBatch> => liftPairedTransformWith(cmo(config), foreground, rng, firstIndex, ctx);

/** CMO as a registered transform. */
export const cmoSpec = defineTransform<PairedTransformSpec<CmoConfig>>({
  name: 'cmo',
  mixesTargets: true,
  kind: 'paired',
  second: 'foreground batches from the minority sampler (weight 1/n_y^α, α = 1) over the same training subset',
  summary: 'paste a CutMix box of a minority-sampler image onto each ordinary image (λ recomputed), per batch w.p. p, in an epoch window',
  source: 'Park et al., CVPR 2022; defaults naver-ai/cmo cifar_train.py + opts.py (beta 1, mixup_prob 0.5, start/end_data_aug 3)',
  configCodec: CmoConfig,
  defaults: cmoDefaults,
  create: (config) => cmo(config),
});
