/**
 * Helpers shared by the batch operators (never re-exported): batch checks, the CutMix box shared by
 * CutMix and CMO, epoch windows, row gathering.
 */
import type { HostBatch, SampleShape } from '../core/host-batch.js';
import type { Draws } from '../core/rng.js';
import type { TransformContext } from './batch-transform.js';

/**
 * Floats per sample of `batch`, after checking that `x`, `y` and `index` agree.
 * @throws Error when the arrays disagree with the shape
 */
export const checkBatch = (batch: HostBatch, fn: string): number => {
  const { height, width, channels } = batch.shape;
  const per = height * width * channels;
  const n = batch.y.length;
  if (batch.x.length !== n * per) throw new Error(`${fn}: x has ${batch.x.length} floats, expected ${n} × ${per}`);
  if (batch.index.length !== n) throw new Error(`${fn}: index has ${batch.index.length} entries for ${n} labels`);
  return per;
};

/** @throws Error when the batch already carries mixed targets (one mixing operator per batch). */
export const checkUnmixed = (batch: HostBatch, fn: string): void => {
  if (batch.mix !== undefined) throw new Error(`${fn}: the batch already carries mixed targets; apply one mixing operator per batch`);
};

/** @throws Error when two batches' samples have different shapes. */
export const checkSameShape = (a: SampleShape, b: SampleShape, fn: string): void => {
  if (a.height !== b.height || a.width !== b.width || a.channels !== b.channels) {
    throw new Error(`${fn}: sample shapes differ (${a.height}×${a.width}×${a.channels} vs ${b.height}×${b.width}×${b.channels})`);
  }
};

/** A box of rows [top, bottom) and columns [left, right). */
export interface Box {
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
}

/** Pixels in a box. */
export const boxArea = (b: Box): number => (b.bottom - b.top) * (b.right - b.left);

const clamp = (v: number, lo: number, hi: number): number => Math.min(hi, Math.max(lo, v));

/**
 * CutMix's box for λ (`rand_bbox` in clovaai/CutMix-PyTorch `train.py`, reused by naver-ai/cmo):
 * cut_h = ⌊H·√(1−λ)⌋, cut_w = ⌊W·√(1−λ)⌋, a centre (cy, cx) uniform over the pixels, the box
 * [cy − ⌊cut_h/2⌋, cy + ⌊cut_h/2⌋) × [cx − ⌊cut_w/2⌋, cx + ⌊cut_w/2⌋) clipped to the image.
 */
export const cutMixBox = (d: Draws, height: number, width: number, lambda: number): Box => {
  const cutRatio = Math.sqrt(1 - lambda);
  const halfH = Math.floor(Math.floor(height * cutRatio) / 2);
  const halfW = Math.floor(Math.floor(width * cutRatio) / 2);
  const cy = d.int(0, height - 1);
  const cx = d.int(0, width - 1);
  return {
    top: clamp(cy - halfH, 0, height),
    bottom: clamp(cy + halfH, 0, height),
    left: clamp(cx - halfW, 0, width),
    right: clamp(cx + halfW, 0, width),
  };
};

/** Copies the box of sample `fromSample` of `from` into sample `toSample` of `to` (NHWC). */
export const pasteBox = (to: Float32Array, toSample: number, from: Float32Array, fromSample: number, box: Box, shape: SampleShape): void => {
  const { height, width, channels } = shape;
  const per = height * width * channels;
  const rowLength = (box.right - box.left) * channels;
  if (rowLength <= 0) return;
  for (let r = box.top; r < box.bottom; r++) {
    const offset = (r * width + box.left) * channels;
    const src = fromSample * per + offset;
    to.set(from.subarray(src, src + rowLength), toSample * per + offset);
  }
};

/**
 * Whether an operator with the window [startEpoch, epochs − skipLastEpochs) is on at `ctx`.
 * An always-on window (0, 0) needs no context.
 * @throws Error when the window is not always on and `ctx` is undefined
 */
export const inEpochWindow = (
  ctx: TransformContext | undefined,
  startEpoch: number,
  skipLastEpochs: number,
  fn: string,
): boolean => {
  if (startEpoch <= 0 && skipLastEpochs <= 0) return true;
  if (ctx === undefined) {
    throw new Error(`${fn}: needs the epoch (ctx) for its window of epochs [${startEpoch}, epochs − ${skipLastEpochs}); lift it with a TransformContext`);
  }
  return ctx.epoch >= startEpoch && ctx.epoch < ctx.epochs - skipLastEpochs;
};

/** `n` copies of λ as float32. */
export const filledLambda = (n: number, lambda: number): Float32Array => new Float32Array(n).fill(lambda);

/** The rows `order` of an Int32Array. */
export const gatherInt32 = (xs: Int32Array, order: Int32Array): Int32Array => {
  const out = new Int32Array(order.length);
  for (let i = 0; i < order.length; i++) out[i] = xs[order[i]!]!;
  return out;
};

/** The per-sample fields of `batch` (labels, indices, weights, noise marks) at rows `order`; pixels are not touched. */
export const gatherRowFields = (batch: HostBatch, order: Int32Array): Pick<HostBatch, 'y' | 'index' | 'weight' | 'noise'> => {
  const out: { y: Int32Array; index: Int32Array; weight?: Float32Array; noise?: Uint8Array } = {
    y: gatherInt32(batch.y, order),
    index: gatherInt32(batch.index, order),
  };
  if (batch.weight !== undefined) out.weight = Float32Array.from(order, (i) => batch.weight![i]!);
  if (batch.noise !== undefined) out.noise = Uint8Array.from(order, (i) => batch.noise![i]!);
  return out;
};
