/**
 * Open-Sampling: open-set (out-of-distribution) images join each batch with labels drawn from the
 * distribution complementary to the class prior, and a loss weight that makes the rarer classes'
 * open labels count more.
 *
 * Intuition: open-set images carry no class evidence; labelling them mostly with tail classes shifts
 * the label distribution of the training set towards balance without repeating tail images.
 *
 * Formula (π_i = n_i/N the class prior, K classes):
 *   Γ_i = (α − π_i) / Σ_j (α − π_j) = (α − π_i)/(Kα − 1),  α = max_j π_j + min_j π_j unless set (α ≥ max π)
 *   each open image gets a fresh label ỹ ~ Categorical(Γ) every step (the open batch's own labels are ignored)
 *   official loss:  L = mean_{in} CE(x, y) + η · Σ_open w_ỹ CE(x̃, ỹ) / Σ_open w_ỹ,  w_i = K·Γ_i
 * The output is the in-distribution batch followed by the open batch (one forward pass, shared BN, as
 * the official code concatenates them), with per-sample `weight`s chosen so that the shared `mean`
 * reduction Σ w_i ℓ_i / N_total equals L exactly:
 *   in-distribution row: w = N_total/N_in (times its own weight, if any);  open row j: w = N_total·η·Γ_ỹj / Σ_k Γ_ỹk.
 * (With `weighted-mean` the objective is L/(1 + η): the same minimiser, a smaller step.)
 *
 * Paper: Wei, Tao, Xie, Feng, An, "Open-Sampling: Exploring Out-of-Distribution Data for Re-balancing
 * Long-tailed Datasets", ICML 2022 (the "minimum complementary distribution").
 * Defaults: `hongxin001/open-sampling: alg/ood_noise.py` (`--alpha -1` ⇒ α = max π + min π) and
 * `scripts/train.sh` (`--lambda_o 1`, so η = 1; the argparse default 0 would switch the method off).
 * The official open batch is 512 images of 80M TinyImages for an in-distribution batch of 128: size
 * the open stream accordingly (any source works: another dataset, generated noise).
 *
 * Wiring: `openSamplingWith(config, setup, openBatches, rng, firstIndex)` pairs each batch with the
 * next batch pulled from the open-set stream (see `pairWith`).
 *
 * @see pureNoise (noise images that keep their label)
 */
import * as t from 'io-ts';
import type { OperatorFunction } from 'rxjs';
import { NonNegative, Positive } from '../config/codecs.js';
import { draw, type Rng } from '../core/rng.js';
import type { HostBatch } from '../core/host-batch.js';
import type { PullSource } from '../streams/pull-source.js';
import type { TransformContext } from './batch-transform.js';
import { liftPairedTransformWith, type PairedTransform } from './paired-transform.js';
import { defineTransform, requireSetup, type PairedTransformSpec, type TransformSetup } from './transform-spec.js';
import { checkBatch, checkSameShape, checkUnmixed } from './internal.js';

/** Open-Sampling's config. */
export const OpenSamplingConfig = t.type({
  /** α of the complementary distribution; null for max π + min π (the official `--alpha -1`). */
  alpha: t.union([t.null, Positive]),
  /** η: weight of the open-set term (`--lambda_o`). */
  eta: NonNegative,
});
/** Open-Sampling's config type. */
export type OpenSamplingConfig = t.TypeOf<typeof OpenSamplingConfig>;

/** Defaults of `hongxin001/open-sampling` (`--alpha -1`, `--lambda_o 1` in `scripts/train.sh`). */
export const openSamplingDefaults: OpenSamplingConfig = Object.freeze({ alpha: null, eta: 1 });

/**
 * Γ_i = (α − π_i)/(Kα − 1) for the class prior π of `counts`; α defaults to max π + min π.
 * @throws Error when the counts are empty or sum to 0, or α < max π, or Kα − 1 ≤ 0
 */
export const complementaryDistribution = (counts: readonly number[], alpha: number | null = null): number[] => {
  const total = counts.reduce((s, c) => s + c, 0);
  if (!(counts.length > 0 && total > 0)) throw new Error('complementaryDistribution: counts must be non-empty with a positive sum');
  const prior = counts.map((c) => c / total);
  const maxPrior = Math.max(...prior);
  const a = alpha ?? maxPrior + Math.min(...prior);
  if (!(a >= maxPrior)) throw new Error(`complementaryDistribution: alpha must be ≥ the largest class prior ${maxPrior}, got ${a}`);
  const denominator = counts.length * a - 1;
  if (!(denominator > 0)) throw new Error(`complementaryDistribution: K·alpha − 1 must be positive, got ${denominator}`);
  return prior.map((p) => (a - p) / denominator);
};

const concatFloat32 = (a: Float32Array, b: Float32Array): Float32Array => {
  const out = new Float32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};

const concatInt32 = (a: Int32Array, b: Int32Array): Int32Array => {
  const out = new Int32Array(a.length + b.length);
  out.set(a);
  out.set(b, a.length);
  return out;
};

/**
 * The Open-Sampling operator on (in-distribution, open-set) batches, for the class counts of `setup`.
 * @throws Error for an invalid α or η; when the batches differ in sample shape, the in-distribution
 * batch is empty, or the open batch carries mixed targets
 */
export const openSampling = (config: OpenSamplingConfig, setup: Pick<TransformSetup, 'classCounts'>): PairedTransform<HostBatch> => {
  const { eta } = config;
  if (!(Number.isFinite(eta) && eta >= 0)) throw new Error(`openSampling: eta must be a finite number ≥ 0, got ${eta}`);
  const gamma = complementaryDistribution(setup.classCounts, config.alpha);
  return (batch, open, rng): HostBatch => {
    checkBatch(batch, 'openSampling');
    checkBatch(open, 'openSampling');
    checkSameShape(batch.shape, open.shape, 'openSampling');
    checkUnmixed(open, 'openSampling');
    const n = batch.y.length;
    const m = open.y.length;
    if (n === 0) throw new Error('openSampling: the in-distribution batch is empty');
    const [labels] = draw(rng, (d) => Int32Array.from({ length: m }, () => d.categorical(gamma)));
    const total = n + m;
    let mass = 0;
    for (const l of labels) mass += gamma[l]!;
    const weight = new Float32Array(total);
    for (let i = 0; i < n; i++) weight[i] = ((batch.weight?.[i] ?? 1) * total) / n;
    for (let j = 0; j < m; j++) weight[n + j] = (total * eta * gamma[labels[j]!]!) / mass;
    const out: { -readonly [K in keyof HostBatch]: HostBatch[K] } = {
      x: concatFloat32(batch.x, open.x),
      y: concatInt32(batch.y, labels),
      index: concatInt32(batch.index, open.index),
      shape: batch.shape,
      weight,
    };
    if (batch.mix !== undefined) {
      out.mix = { y: concatInt32(batch.mix.y, labels), lambda: concatFloat32(batch.mix.lambda, new Float32Array(m).fill(1)) };
    }
    if (batch.noise !== undefined || open.noise !== undefined) {
      const noise = new Uint8Array(total);
      if (batch.noise !== undefined) noise.set(batch.noise);
      if (open.noise !== undefined) noise.set(open.noise, n);
      out.noise = noise;
    }
    return out;
  };
};

/**
 * Open-Sampling on a stream: batch k is followed by the next batch pulled from `open`, relabelled and
 * weighted with `rng.derive(firstIndex + k)`.
 */
export const openSamplingWith = (
  config: OpenSamplingConfig,
  setup: Pick<TransformSetup, 'classCounts'>,
  open: PullSource<HostBatch>,
  rng: Rng,
  firstIndex = 0,
  ctx?: TransformContext,
): OperatorFunction<HostBatch, HostBatch> => liftPairedTransformWith(openSampling(config, setup), open, rng, firstIndex, ctx);

/** Open-Sampling as a registered transform (needs the setup's class counts). */
export const openSamplingSpec = defineTransform<PairedTransformSpec<OpenSamplingConfig>>({
  name: 'open-sampling',
  kind: 'paired',
  second: 'open-set batches from any other source (another dataset, generated images), 4× the batch size officially',
  summary: 'append open-set images labelled ỹ ~ (α − π_i)/(Kα − 1) each step, weighted so the mean loss is CE_in + η·weighted CE_open (needs setup)',
  source: 'Wei et al., ICML 2022; defaults hongxin001/open-sampling alg/ood_noise.py (alpha = max π + min π) + scripts/train.sh (lambda_o 1)',
  configCodec: OpenSamplingConfig,
  defaults: openSamplingDefaults,
  create: (config, setup) => openSampling(config, requireSetup(setup, 'openSampling')),
});
