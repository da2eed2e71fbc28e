/**
 * RandAugment: each image goes through `numOps` operations drawn uniformly from a fixed list, all at
 * one shared magnitude, on typed arrays.
 *
 * Intuition: instead of searching an augmentation policy (AutoAugment), pick N random ops at one
 * global strength M; two integers to tune, and strong augmentation for the long, 400-epoch recipes.
 *
 * Ops (pixel values p in [0, 1] after undoing the batch's normalisation; m = the op's magnitude at bin
 * `magnitude` of `numMagnitudeBins`, negated with probability 1/2 for the signed ops ±):
 *   Identity;  ShearX/ShearY ± m ∈ [0, 0.3];  TranslateX/TranslateY ± m ∈ [0, 150/331·W (H)] pixels (truncated);
 *   Rotate ± m ∈ [0°, 30°] about the centre;  Brightness/Color/Contrast/Sharpness ± m ∈ [0, 0.9] as the
 *   blend factor f = 1 + m with a black image / the grey image / the grey mean / a 3×3 smoothed image;
 *   Posterize to 8 − round(bin/((bins − 1)/4)) bits;  Solarize above the threshold 1 − bin/(bins − 1);
 *   AutoContrast (per-channel min–max stretch);  Equalize (per-channel histogram equalisation on 256 levels).
 * Geometric ops map each output pixel centre to an input position (PIL's affine convention, as the
 * AutoAugment/RandAugment reference code uses) and take the nearest pixel; pixels from outside the
 * image are black. Results (whatever ops ran, Identity included) are clipped to [0, 1] and normalised back.
 *
 * Paper: Cubuk, Zoph, Shlens, Le, "RandAugment: Practical Automated Data Augmentation with a Reduced
 * Search Space", NeurIPS 2020 (CVPR Workshops 2020).
 * Defaults: torchvision `transforms/autoaugment.py` `RandAugment(num_ops=2, magnitude=9,
 * num_magnitude_bins=31)` and its op list and magnitude bins (`_augmentation_space`).
 * Deviations: not bit-identical to torchvision (float pixels throughout, PIL-style pixel-centre
 * sampling for shear/translate/rotate; Posterize and Equalize quantise to 256 levels and return
 * quantised values); the op set and magnitudes are torchvision's.
 *
 * @see randomCropFlip (the usual first step), cutMix
 */
import * as t from 'io-ts';
import { NonNegativeInt, PositiveInt } from '../config/codecs.js';
import { draw, type Draws } from '../core/rng.js';
import type { HostBatch, SampleShape } from '../core/host-batch.js';
import type { Normalization } from '../streams/gather-batch.js';
import type { BatchTransform } from './batch-transform.js';
import { defineTransform, type BatchTransformSpec } from './transform-spec.js';
import { checkBatch } from './internal.js';

/** The ops of torchvision's RandAugment, in its order. */
export const RAND_AUGMENT_OPS = [
  'Identity',
  'ShearX',
  'ShearY',
  'TranslateX',
  'TranslateY',
  'Rotate',
  'Brightness',
  'Color',
  'Contrast',
  'Sharpness',
  'Posterize',
  'Solarize',
  'AutoContrast',
  'Equalize',
] as const;
/** One RandAugment op. */
export type RandAugmentOp = (typeof RAND_AUGMENT_OPS)[number];

const SIGNED: ReadonlySet<RandAugmentOp> = new Set<RandAugmentOp>([
  'ShearX',
  'ShearY',
  'TranslateX',
  'TranslateY',
  'Rotate',
  'Brightness',
  'Color',
  'Contrast',
  'Sharpness',
]);

/** RandAugment's config. */
export const RandAugmentConfig = t.type({
  /** Ops applied to each image, in sequence (N). */
  numOps: NonNegativeInt,
  /** Magnitude bin M in [0, numMagnitudeBins). */
  magnitude: NonNegativeInt,
  /** Number of magnitude bins. */
  numMagnitudeBins: PositiveInt,
  /** The ops to draw from; null for all 14 of torchvision's list. */
  ops: t.union([t.null, t.readonlyArray(t.keyof(Object.fromEntries(RAND_AUGMENT_OPS.map((o) => [o, null])) as Record<RandAugmentOp, null>))]),
});
/** RandAugment's config type. */
export type RandAugmentConfig = t.TypeOf<typeof RandAugmentConfig>;

/** Defaults of torchvision `RandAugment` (num_ops 2, magnitude 9, num_magnitude_bins 31, every op). */
export const randAugmentDefaults: RandAugmentConfig = Object.freeze({ numOps: 2, magnitude: 9, numMagnitudeBins: 31, ops: null });

/**
 * The unsigned magnitude of `op` at `bin` of `bins` for an image of `shape` (torchvision's `_augmentation_space`).
 * @throws Error when bin is outside [0, bins)
 */
export const randAugmentMagnitude = (op: RandAugmentOp, bin: number, bins: number, shape: SampleShape): number => {
  if (!(Number.isInteger(bin) && bin >= 0 && bin < bins)) throw new Error(`randAugmentMagnitude: bin must be an integer in [0, ${bins}), got ${bin}`);
  const at = (lo: number, hi: number): number => (bins === 1 ? lo : lo + ((hi - lo) * bin) / (bins - 1));
  switch (op) {
    case 'ShearX':
    case 'ShearY':
      return at(0, 0.3);
    case 'TranslateX':
      return at(0, (150 / 331) * shape.width);
    case 'TranslateY':
      return at(0, (150 / 331) * shape.height);
    case 'Rotate':
      return at(0, 30);
    case 'Brightness':
    case 'Color':
    case 'Contrast':
    case 'Sharpness':
      return at(0, 0.9);
    case 'Posterize':
      return bins === 1 ? 8 : 8 - Math.round(bin / ((bins - 1) / 4));
    case 'Solarize':
      return at(1, 0);
    case 'Identity':
    case 'AutoContrast':
    case 'Equalize':
      return 0;
  }
};

const clip01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);
const to8 = (v: number): number => Math.min(255, Math.max(0, Math.round(v * 255)));

/** Resamples with output pixel centre (r + ½, c + ½) ↦ input position `map`, nearest pixel, black outside. */
const resample = (img: Float64Array, s: SampleShape, map: (x: number, y: number) => readonly [number, number]): Float64Array => {
  const { height: H, width: W, channels: C } = s;
  const out = new Float64Array(img.length);
  for (let r = 0; r < H; r++) {
    for (let c = 0; c < W; c++) {
      const [xi, yi] = map(c + 0.5, r + 0.5);
      const sc = Math.floor(xi);
      const sr = Math.floor(yi);
      if (sr < 0 || sr >= H || sc < 0 || sc >= W) continue;
      const dst = (r * W + c) * C;
      const src = (sr * W + sc) * C;
      for (let k = 0; k < C; k++) out[dst + k] = img[src + k]!;
    }
  }
  return out;
};

/** Per-pixel grey level (ITU-R 601-2 luma, as torchvision's `rgb_to_grayscale`); the channel itself for grey images. */
const grey = (img: Float64Array, s: SampleShape): Float64Array => {
  const C = s.channels;
  const n = s.height * s.width;
  const out = new Float64Array(n);
  for (let p = 0; p < n; p++) out[p] = C >= 3 ? 0.2989 * img[p * C]! + 0.587 * img[p * C + 1]! + 0.114 * img[p * C + 2]! : img[p * C]!;
  return out;
};

/** f·img + (1 − f)·other, clipped; `other(i)` is the degenerate image at float i. */
const blend = (img: Float64Array, f: number, other: (i: number) => number): Float64Array => img.map((v, i) => clip01(f * v + (1 - f) * other(i)));

/** The 3×3 smoothing of torchvision's `adjust_sharpness` ([[1,1,1],[1,5,1],[1,1,1]]/13) on interior pixels; borders kept. */
const smoothed = (img: Float64Array, s: SampleShape): Float64Array => {
  const { height: H, width: W, channels: C } = s;
  const out = img.slice();
  for (let r = 1; r < H - 1; r++) {
    for (let c = 1; c < W - 1; c++) {
      for (let k = 0; k < C; k++) {
        let sum = 0;
        for (let dr = -1; dr <= 1; dr++) for (let dc = -1; dc <= 1; dc++) sum += img[((r + dr) * W + c + dc) * C + k]! * (dr === 0 && dc === 0 ? 5 : 1);
        out[(r * W + c) * C + k] = sum / 13;
      }
    }
  }
  return out;
};

/** Per-channel histogram equalisation on 256 levels (PIL's `ImageOps.equalize`, torchvision's `equalize`). */
const equalize = (img: Float64Array, s: SampleShape): Float64Array => {
  const C = s.channels;
  const out = img.slice();
  for (let k = 0; k < C; k++) {
    const hist = new Array<number>(256).fill(0);
    for (let i = k; i < img.length; i += C) hist[to8(img[i]!)]!++;
    let last = 0;
    for (let v = 255; v >= 0; v--) {
      if (hist[v]! > 0) {
        last = hist[v]!;
        break;
      }
    }
    const step = Math.floor((img.length / C - last) / 255);
    if (step === 0) continue;
    const lut = new Array<number>(256);
    let cumulative = 0;
    for (let v = 0; v < 256; v++) {
      lut[v] = Math.min(255, Math.floor((cumulative + Math.floor(step / 2)) / step));
      cumulative += hist[v]!;
    }
    for (let i = k; i < img.length; i += C) out[i] = lut[to8(img[i]!)]! / 255;
  }
  return out;
};

/**
 * Applies one op at the signed magnitude `m` (as `randAugmentMagnitude` gives it, possibly negated) to
 * one image in pixel units [0, 1] (NHWC without N); returns a new array.
 */
export const applyRandAugmentOp = (op: RandAugmentOp, img: Float64Array, s: SampleShape, m: number): Float64Array => {
  const { height: H, width: W, channels: C } = s;
  switch (op) {
    case 'Identity':
      return img.slice();
    case 'ShearX':
      return resample(img, s, (x, y) => [x + m * y, y]);
    case 'ShearY':
      return resample(img, s, (x, y) => [x, y + m * x]);
    case 'TranslateX':
      return resample(img, s, (x, y) => [x + Math.trunc(m), y]);
    case 'TranslateY':
      return resample(img, s, (x, y) => [x, y + Math.trunc(m)]);
    case 'Rotate': {
      // Counter-clockwise by m degrees about the centre: input = R(m)·(output − centre) with y pointing down.
      const a = (m * Math.PI) / 180;
      const cos = Math.cos(a);
      const sin = Math.sin(a);
      return resample(img, s, (x, y) => {
        const dx = x - W / 2;
        const dy = y - H / 2;
        return [cos * dx - sin * dy + W / 2, sin * dx + cos * dy + H / 2];
      });
    }
    case 'Brightness':
      return blend(img, 1 + m, () => 0);
    case 'Color': {
      const g = grey(img, s);
      return blend(img, 1 + m, (i) => g[Math.floor(i / C)]!);
    }
    case 'Contrast': {
      const g = grey(img, s);
      const mean = g.reduce((acc, v) => acc + v, 0) / Math.max(1, g.length);
      return blend(img, 1 + m, () => mean);
    }
    case 'Sharpness': {
      const blurred = smoothed(img, s);
      return blend(img, 1 + m, (i) => blurred[i]!);
    }
    case 'Posterize': {
      const mask = 256 - 2 ** (8 - m);
      return img.map((v) => (to8(v) & mask) / 255);
    }
    case 'Solarize':
      return img.map((v) => (v >= m ? 1 - v : v));
    case 'AutoContrast': {
      const out = img.slice();
      for (let k = 0; k < C; k++) {
        let lo = Infinity;
        let hi = -Infinity;
        for (let i = k; i < img.length; i += C) {
          lo = Math.min(lo, img[i]!);
          hi = Math.max(hi, img[i]!);
        }
        if (!(hi > lo)) continue;
        for (let i = k; i < img.length; i += C) out[i] = clip01((img[i]! - lo) / (hi - lo));
      }
      return out;
    }
    case 'Equalize':
      return equalize(img, s);
  }
};

/**
 * The RandAugment operator for `config`; `normalization` is the batch's (stored = (pixel − mean)/std),
 * omitted when the batch already holds pixels in [0, 1].
 * @throws Error when the magnitude bin is out of range, the op list is empty while numOps > 0, or the
 * normalisation does not have one mean and std per channel of a batch
 */
export const randAugment = (config: RandAugmentConfig, normalization?: Normalization): BatchTransform => {
  const { numOps, magnitude, numMagnitudeBins } = config;
  if (!(Number.isInteger(numMagnitudeBins) && numMagnitudeBins >= 1)) throw new Error(`randAugment: numMagnitudeBins must be a positive integer, got ${numMagnitudeBins}`);
  if (!(Number.isInteger(magnitude) && magnitude >= 0 && magnitude < numMagnitudeBins)) {
    throw new Error(`randAugment: magnitude must be an integer in [0, ${numMagnitudeBins}), got ${magnitude}`);
  }
  const ops: readonly RandAugmentOp[] = config.ops ?? RAND_AUGMENT_OPS;
  if (numOps > 0 && ops.length === 0) throw new Error('randAugment: the op list is empty');
  return (batch: HostBatch, rng): HostBatch => {
    const per = checkBatch(batch, 'randAugment');
    const s = batch.shape;
    const C = s.channels;
    const mean = normalization?.mean ?? new Array<number>(C).fill(0);
    const std = normalization?.std ?? new Array<number>(C).fill(1);
    if (mean.length !== C || std.length !== C) throw new Error(`randAugment: the normalisation has ${mean.length} means and ${std.length} stds for ${C} channels`);
    const n = batch.y.length;
    const x = new Float32Array(batch.x.length);
    draw(rng, (d: Draws) => {
      for (let i = 0; i < n; i++) {
        let img: Float64Array = Float64Array.from(batch.x.subarray(i * per, (i + 1) * per), (v, f) => v * std[f % C]! + mean[f % C]!);
        for (let k = 0; k < numOps; k++) {
          const op = ops[d.int(0, ops.length - 1)]!;
          const sign = SIGNED.has(op) && d.int(0, 1) === 1 ? -1 : 1;
          img = applyRandAugmentOp(op, img, s, sign * randAugmentMagnitude(op, magnitude, numMagnitudeBins, s));
        }
        for (let f = 0; f < per; f++) x[i * per + f] = (clip01(img[f]!) - mean[f % C]!) / std[f % C]!;
      }
    });
    return { ...batch, x };
  };
};

/** RandAugment as a registered transform (uses the setup's normalisation when given). */
export const randAugmentSpec = defineTransform<BatchTransformSpec<RandAugmentConfig>>({
  name: 'rand-augment',
  kind: 'batch',
  summary: 'RandAugment: N ops per image drawn from torchvision’s 14 (shear, translate, rotate, colour, posterize, …) at magnitude bin M',
  source: 'Cubuk et al., NeurIPS 2020; defaults torchvision transforms/autoaugment.py RandAugment (num_ops 2, magnitude 9 of 31 bins)',
  configCodec: RandAugmentConfig,
  defaults: randAugmentDefaults,
  create: (config, setup) => randAugment(config, setup?.normalization),
});
