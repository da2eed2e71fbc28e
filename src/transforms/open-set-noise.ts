/**
 * Generated open-set images: every image of a batch replaced by pixel noise, the stand-in tailstream
 * uses for Open-Sampling's pool of out-of-distribution images.
 *
 * Intuition: Open-Sampling needs images that carry no evidence of any class; the paper draws them from
 * 80M TinyImages / 300K random images, which a run here does not have. Per-channel Gaussian noise with
 * the data's statistics is such an image by construction (the official code also offers Gaussian noise
 * as an open-set source, methods-A §4), at the cost of being far easier to tell apart from the data
 * than natural open-set images are, so expect a weaker effect than the paper's.
 *
 * Formula (per pixel and channel c, independently): v = μ_c + σ_c·z, z ~ N(0, 1), clipped to [0, 1],
 * stored as (v − mean_c)/std_c like natural pixels; μ, σ = the normalisation's mean and std (the
 * training data's statistics, as `pureNoise`). Labels, indices and weights are kept (Open-Sampling
 * draws its own labels), no noise marks are set (the official code shares BN between ID and OOD).
 *
 * @see openSampling, pureNoise
 */
import { draw } from '../core/rng.js';
import type { HostBatch } from '../core/host-batch.js';
import type { BatchTransform } from './batch-transform.js';
import type { TransformSetup } from './transform-spec.js';
import { checkBatch } from './internal.js';

/**
 * The open-set noise operator for the normalisation of `setup`.
 * @throws Error when the normalisation's mean and std differ in length, or a batch in channels
 */
export const openSetNoise = (setup: Pick<TransformSetup, 'normalization'>): BatchTransform => {
  const { mean, std } = setup.normalization;
  const channels = mean.length;
  if (std.length !== channels) throw new Error(`openSetNoise: the normalisation has ${channels} means and ${std.length} stds`);
  return (batch: HostBatch, rng): HostBatch => {
    checkBatch(batch, 'openSetNoise');
    if (batch.shape.channels !== channels) throw new Error(`openSetNoise: the batch has ${batch.shape.channels} channels, the normalisation ${channels}`);
    const [x] = draw(rng, (d) => {
      const out = new Float32Array(batch.x.length);
      for (let p = 0; p < out.length; p += channels) {
        for (let c = 0; c < channels; c++) {
          const v = Math.min(1, Math.max(0, mean[c]! + std[c]! * d.normal()));
          out[p + c] = (v - mean[c]!) / std[c]!;
        }
      }
      return out;
    });
    return { ...batch, x };
  };
};
