/**
 * OPeN's pure-noise injection: in an oversampled batch, some images of the rarer classes are replaced
 * by pure-noise images that keep the label, and are marked so DAR-BN can normalise them apart.
 *
 * Intuition: oversampling repeats the few tail images until the model memorises them; replacing a
 * share of the repeats by noise (stronger for rarer classes) regularises the tail classifier instead.
 *
 * Formula (per sample i with label y, independently; r_y = n_y / n_max):
 *   replaced with probability  p_y = δ·(1 − r_y)   (0 for the largest class, ≈ δ for the rarest)
 *   noise pixel (channel c): v = μ_c + σ_c·z, z ~ N(0, 1), clipped to [0, 1] (`clip`),
 *   then normalised like natural pixels: (v − mean_c)/std_c with the batch's normalisation
 *   the label is kept; `noise[i] = 1` marks it (marks already on the batch are kept).
 * On only from epoch `startEpoch` (deferred oversampling). μ, σ default to the normalisation's mean and
 * std, i.e. the per-channel statistics of the training data.
 *
 * Paper: Zada, Benou, Irani, "Pure Noise to the Rescue of Insufficient Data: Improving Imbalanced
 * Classification by Training on Random Noise Images", ICML 2022 (OPeN).
 * Defaults: the official repository `shiranzada/pure-noise` holds no code; they follow the
 * reproduction `seungjaeryanlee/pure-noise: replace_with_pure_noise.py` (δ = 1/3, noise N(μ_c, σ_c)
 * clipped to [0, 1]) and its schedule (oversampling and OPeN from epoch 160 of 200).
 * Deviation: the reproduction adds noise after input normalisation (probably a bug, see the method
 * sheet §9); here noise is made in pixel space and normalised like natural images.
 * Apply it to a batch of the class-balanced (oversampling) sampler from `startEpoch` on.
 *
 * @see streams.classBalancedSampler (the oversampler OPeN runs on)
 */
import * as t from 'io-ts';
import { FiniteNumber, NonNegative, NonNegativeInt, Probability } from '../config/codecs.js';
import { draw } from '../core/rng.js';
import type { HostBatch } from '../core/host-batch.js';
import type { BatchTransform } from './batch-transform.js';
import { defineTransform, requireSetup, type BatchTransformSpec, type TransformSetup } from './transform-spec.js';
import { checkBatch, inEpochWindow } from './internal.js';

/** Pure-noise injection's config. */
export const PureNoiseConfig = t.type({
  /** δ: the replacement probability of a class with r_y → 0. */
  delta: Probability,
  /** First 0-based epoch with noise on. */
  startEpoch: NonNegativeInt,
  /** Per-channel mean of the noise in pixel units [0, 1]; null for the normalisation's mean. */
  noiseMean: t.union([t.null, t.readonlyArray(FiniteNumber)]),
  /** Per-channel std of the noise in pixel units; null for the normalisation's std. */
  noiseStd: t.union([t.null, t.readonlyArray(NonNegative)]),
  /** Clip noise pixels to [0, 1] before normalising (as the reproduction does). */
  clip: t.boolean,
});
/** Pure-noise injection's config type. */
export type PureNoiseConfig = t.TypeOf<typeof PureNoiseConfig>;

/** Defaults of `seungjaeryanlee/pure-noise` (δ = 1/3, from epoch 160, data statistics, clipped). */
export const pureNoiseDefaults: PureNoiseConfig = Object.freeze({ delta: 1 / 3, startEpoch: 160, noiseMean: null, noiseStd: null, clip: true });

/** p_y = δ·(1 − n_y/n_max) for every class. */
export const pureNoiseRates = (delta: number, counts: readonly number[]): number[] => {
  const nMax = Math.max(0, ...counts);
  if (!(nMax > 0)) throw new Error('pureNoiseRates: counts must have a positive maximum');
  return counts.map((c) => delta * (1 - c / nMax));
};

/**
 * The pure-noise operator for `config`, with the class counts and normalisation of `setup`.
 * @throws Error for out-of-range config, empty counts, or channel lists that disagree with each other
 * or with a batch; when the batch has a label outside the counts; when `startEpoch` > 0 and `ctx` is missing
 */
export const pureNoise = (config: PureNoiseConfig, setup: TransformSetup): BatchTransform => {
  const { delta, startEpoch, clip } = config;
  if (!(delta >= 0 && delta <= 1)) throw new Error(`pureNoise: delta must be in [0, 1], got ${delta}`);
  const rates = pureNoiseRates(delta, setup.classCounts);
  const { mean: normMean, std: normStd } = setup.normalization;
  const mu = config.noiseMean ?? normMean;
  const sigma = config.noiseStd ?? normStd;
  const channels = normMean.length;
  if (normStd.length !== channels || mu.length !== channels || sigma.length !== channels) {
    throw new Error(`pureNoise: normalisation and noise statistics must all have one value per channel (${channels})`);
  }
  return (batch: HostBatch, rng, ctx): HostBatch => {
    const per = checkBatch(batch, 'pureNoise');
    if (!inEpochWindow(ctx, startEpoch, 0, 'pureNoise')) return batch;
    if (batch.shape.channels !== channels) throw new Error(`pureNoise: the batch has ${batch.shape.channels} channels, the statistics ${channels}`);
    const n = batch.y.length;
    const [{ marks, x }] = draw(rng, (d) => {
      const marked = new Uint8Array(n);
      let pixels: Float32Array | undefined;
      for (let i = 0; i < n; i++) {
        const y = batch.y[i]!;
        const rate = rates[y];
        if (rate === undefined) throw new Error(`pureNoise: label ${y} is outside the ${rates.length} classes of the counts`);
        if (!(d.uniform() < rate)) continue;
        marked[i] = 1;
        pixels ??= batch.x.slice();
        for (let p = i * per, end = (i + 1) * per; p < end; p += channels) {
          for (let c = 0; c < channels; c++) {
            let v = mu[c]! + sigma[c]! * d.normal();
            if (clip) v = Math.min(1, Math.max(0, v));
            pixels[p + c] = (v - normMean[c]!) / normStd[c]!;
          }
        }
      }
      return { marks: marked, x: pixels ?? batch.x };
    });
    if (batch.noise !== undefined) for (let i = 0; i < n; i++) marks[i] = marks[i]! | batch.noise[i]!;
    return { ...batch, x, noise: marks };
  };
};

/** Pure-noise injection as a registered transform (needs the setup: class counts and normalisation). */
export const pureNoiseSpec = defineTransform<BatchTransformSpec<PureNoiseConfig>>({
  name: 'pure-noise',
  kind: 'batch',
  summary: 'OPeN: replace each image w.p. δ·(1 − n_y/n_max) by per-channel Gaussian noise, keep the label, mark it; from startEpoch (needs setup)',
  source: 'Zada et al., ICML 2022 (OPeN); defaults from the reproduction seungjaeryanlee/pure-noise replace_with_pure_noise.py (δ = 1/3, epoch 160)',
  configCodec: PureNoiseConfig,
  defaults: pureNoiseDefaults,
  create: (config, setup) => pureNoise(config, requireSetup(setup, 'pureNoise')),
});
