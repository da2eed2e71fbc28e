/**
 * Random crop with padding, then random horizontal flip: the standard CIFAR augmentation
 * (`RandomCrop(32, padding=4)` + `RandomHorizontalFlip()` in LDAM-DRW's `cifar_train.py`), on typed arrays.
 */
import * as t from 'io-ts';
import { FiniteNumber, NonNegativeInt } from '../config/codecs.js';
import { draw } from '../core/rng.js';
import type { HostBatch } from '../core/host-batch.js';
import type { BatchTransform } from './batch-transform.js';
import { defineTransform, type BatchTransformSpec } from './transform-spec.js';

/** Configuration of `randomCropFlip`. */
export interface RandomCropFlipConfig {
  /** Zero-padding on each side before the crop (4 for CIFAR, 2 for 28×28 images); 0 disables the crop. */
  readonly padding: number;
  /** Flip left–right with probability 1/2 (off for digits, where a flip changes meaning). */
  readonly flip: boolean;
  /** Per-channel value of the padding, in the batch's (normalised) units: −mean/std is a black pixel. */
  readonly fill: readonly number[];
}

/**
 * Each image is shifted by a random offset in [−padding, padding]² (areas moved in take `fill`), then
 * flipped with probability 1/2 when `flip` is on. Shapes, labels and indices are unchanged.
 */
export const randomCropFlip =
  (config: RandomCropFlipConfig): BatchTransform =>
  (batch: HostBatch, rng): HostBatch => {
    const { height: H, width: W, channels: C } = batch.shape;
    const pad = config.padding;
    if (!(Number.isInteger(pad) && pad >= 0)) throw new Error(`randomCropFlip: padding must be a non-negative integer, got ${pad}`);
    const n = batch.y.length;
    const per = H * W * C;
    const out = new Float32Array(batch.x.length);
    const [params] = draw(rng, (d) => {
      const p = new Int32Array(3 * n);
      for (let b = 0; b < n; b++) {
        p[3 * b] = pad > 0 ? d.int(-pad, pad) : 0;
        p[3 * b + 1] = pad > 0 ? d.int(-pad, pad) : 0;
        p[3 * b + 2] = config.flip && d.uniform() < 0.5 ? 1 : 0;
      }
      return p;
    });
    for (let b = 0; b < n; b++) {
      const dy = params[3 * b]!;
      const dx = params[3 * b + 1]!;
      const flip = params[3 * b + 2] === 1;
      const base = b * per;
      for (let r = 0; r < H; r++) {
        const sr = r + dy;
        for (let c = 0; c < W; c++) {
          const col = flip ? W - 1 - c : c;
          const sc = col + dx;
          const dst = base + (r * W + c) * C;
          if (sr < 0 || sr >= H || sc < 0 || sc >= W) {
            for (let k = 0; k < C; k++) out[dst + k] = config.fill[k] ?? 0;
          } else {
            const src = base + (sr * W + sc) * C;
            for (let k = 0; k < C; k++) out[dst + k] = batch.x[src + k]!;
          }
        }
      }
    }
    return { ...batch, x: out };
  };

/** The registered crop-and-flip's config: `fill` null means a black pixel, −mean/std of the setup's normalisation (0 without a setup). */
export const RandomCropFlipEntryConfig = t.type({
  padding: NonNegativeInt,
  flip: t.boolean,
  fill: t.union([t.null, t.readonlyArray(FiniteNumber)]),
});
/** The registered crop-and-flip's config type. */
export type RandomCropFlipEntryConfig = t.TypeOf<typeof RandomCropFlipEntryConfig>;

/** Defaults of `kaidic/LDAM-DRW: cifar_train.py` (`RandomCrop(32, padding=4)`, `RandomHorizontalFlip()`, zero padding before `Normalize`). */
export const randomCropFlipDefaults: RandomCropFlipEntryConfig = Object.freeze({ padding: 4, flip: true, fill: null });

/** Random crop and flip as a registered transform. */
export const randomCropFlipSpec = defineTransform<BatchTransformSpec<RandomCropFlipEntryConfig>>({
  name: 'random-crop-flip',
  kind: 'batch',
  summary: 'shift each image by up to ±padding pixels (black fill) and flip it left–right w.p. 1/2',
  source: 'standard CIFAR augmentation; defaults kaidic/LDAM-DRW cifar_train.py (RandomCrop(32, padding=4) + RandomHorizontalFlip)',
  configCodec: RandomCropFlipEntryConfig,
  defaults: randomCropFlipDefaults,
  create: (config, setup) =>
    randomCropFlip({
      padding: config.padding,
      flip: config.flip,
      fill: config.fill ?? (setup === undefined ? [0] : setup.normalization.mean.map((m, c) => -m / setup.normalization.std[c]!)),
    }),
});
