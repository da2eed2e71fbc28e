/**
 * Convolution gradients rebuilt from forward convolutions, so the wasm backend can train conv nets.
 *
 * Intuition: tfjs-backend-wasm has no Conv2DBackpropFilter kernel and a slow Conv2DBackpropInput.
 * Both gradients are themselves convolutions, which wasm runs fast through XNNPACK:
 * - input gradient: the output gradient, zero-dilated by the stride, convolved (stride 1) with the
 *   spatially flipped filter whose in/out channels are swapped; for stride s > 1 that wastes the
 *   multiplications by inserted zeros, so instead each of the s² output phases (row mod s, column
 *   mod s) gets its own small kernel (the taps of that parity), all phases as the output channels of
 *   one stride-1 conv over the undilated gradient, and a depth-to-space interleaves them
 *   ("phase" or space-to-depth form: 4 instead of 9 taps per output for a 3×3 stride-2 conv);
 * - filter gradient: on wasm with the SIMD kernels running (`simd/filter-gradient-kernel.ts`), tailstream's
 *   own multi-threaded kernel over x and dy in place; otherwise the input with batch and channel axes
 *   swapped, convolved with the output gradient (batch and spatial axes swapped) as the filter, dilated by the stride.
 * Tests check both against the cpu backend's own Conv2DBackpropInput/Filter kernels.
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmGradient } from './wasm-gradient.js';
import { depthToSpaceFast, flipSwapFilter, nhwcToChwn } from './heap-kernels.js';
import { simdFilterGradient } from './simd/filter-gradient-kernel.js';

type Pad = 'same' | 'valid' | number | tf.backend_util.ExplicitPadding;

/** Geometry of one NHWC convolution, as tfjs computes it. */
interface ConvGeometry {
  readonly top: number;
  readonly bottom: number;
  readonly left: number;
  readonly right: number;
  readonly strideH: number;
  readonly strideW: number;
  readonly outH: number;
  readonly outW: number;
}

const geometry = (
  xShape: readonly number[],
  filterShape: readonly number[],
  strides: number | [number, number],
  pad: Pad,
  roundingMode?: 'floor' | 'round' | 'ceil',
): ConvGeometry => {
  const info = tf.backend_util.computeConv2DInfo(
    xShape as [number, number, number, number],
    filterShape as [number, number, number, number],
    strides,
    1,
    pad,
    roundingMode,
  );
  return {
    top: info.padInfo.top,
    bottom: info.padInfo.bottom,
    left: info.padInfo.left,
    right: info.padInfo.right,
    strideH: info.strideHeight,
    strideW: info.strideWidth,
    outH: info.outHeight,
    outW: info.outWidth,
  };
};

/** Inserts `s - 1` zeros after every row (and column) of `dy`; the result has `n * s` rows. */
const zeroDilate = (dy: tf.Tensor4D, sh: number, sw: number): tf.Tensor4D => {
  if (sh === 1 && sw === 1) return dy;
  const [n, h, w, c] = dy.shape;
  const six = tf.reshape(dy, [n, h, 1, w, 1, c]);
  const padded = tf.pad(six, [
    [0, 0],
    [0, 0],
    [0, sh - 1],
    [0, 0],
    [0, sw - 1],
    [0, 0],
  ]);
  return tf.reshape(padded, [n, h * sh, w * sw, c]);
};

/** For one axis of a stride-s conv: which filter tap feeds which output phase, at which offset in dy. */
interface PhaseTap {
  /** Phase: input index mod s. */
  readonly phase: number;
  /** Filter tap. */
  readonly tap: number;
  /** dy index minus (input index div s). */
  readonly offset: number;
}

const phaseTaps = (k: number, s: number, padBefore: number): PhaseTap[] => {
  const out: PhaseTap[] = [];
  for (let phase = 0; phase < s; phase++) {
    for (let tap = 0; tap < k; tap++) {
      const num = phase + padBefore - tap;
      if (((num % s) + s) % s === 0) out.push({ phase, tap, offset: num / s });
    }
  }
  return out;
};

/**
 * The input gradient of a stride-s conv (s > 1, the same in both axes) in phase form, or undefined
 * when the geometry does not fit it (sizes the stride does not divide, padding that would crop) or
 * it saves nothing (a phase kernel as large as the filter, as for 1×1 convs).
 * For input row r = s·u + p, the taps a with a ≡ p + padTop (mod s) read dy row u + (p + padTop − a)/s;
 * one conv over dy with a kernel spanning those offsets produces all s² phases as channel blocks.
 */
const phasedInputGradient = (
  xShape: readonly [number, number, number, number],
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  g: ConvGeometry,
): tf.Tensor4D | undefined => {
  const s = g.strideH;
  const [, H, W] = xShape;
  const [kh, kw, ci, co] = filter.shape;
  if (g.strideW !== s || H % s !== 0 || W % s !== 0) return undefined;
  const rows = phaseTaps(kh, s, g.top);
  const cols = phaseTaps(kw, s, g.left);
  if (rows.length === 0 || cols.length === 0) return undefined;
  const rMin = Math.min(...rows.map((t) => t.offset));
  const rMax = Math.max(...rows.map((t) => t.offset));
  const cMin = Math.min(...cols.map((t) => t.offset));
  const cMax = Math.max(...cols.map((t) => t.offset));
  const KH = rMax - rMin + 1;
  const KW = cMax - cMin + 1;
  const padTop = -rMin;
  const padLeft = -cMin;
  const padBottom = H / s - g.outH - padTop + KH - 1;
  const padRight = W / s - g.outW - padLeft + KW - 1;
  if (padTop < 0 || padLeft < 0 || padBottom < 0 || padRight < 0) return undefined;
  // Worth it only when a phase kernel has fewer taps than the filter (not for 1×1 convs).
  if (KH * KW >= kh * kw) return undefined;
  // Kernel [KH, KW, co, (p, q, ci)]: gathered from the filter's taps (index kh·kw is a zero tap).
  const index: number[] = [];
  for (let da = 0; da < KH; da++) {
    for (let db = 0; db < KW; db++) {
      for (let p = 0; p < s; p++) {
        for (let q = 0; q < s; q++) {
          const r = rows.find((t) => t.phase === p && t.offset === da + rMin);
          const c = cols.find((t) => t.phase === q && t.offset === db + cMin);
          index.push(r !== undefined && c !== undefined ? r.tap * kw + c.tap : kh * kw);
        }
      }
    }
  }
  const taps = tf.concat([tf.reshape(filter, [kh * kw, ci, co]), tf.zeros([1, ci, co])], 0);
  const gathered = tf.reshape(tf.gather(taps, tf.tensor1d(index, 'int32')), [KH, KW, s, s, ci, co]);
  const kernel = tf.reshape(tf.transpose(gathered, [0, 1, 5, 2, 3, 4]), [KH, KW, co, s * s * ci]) as tf.Tensor4D;
  const phases = tf.conv2d(dy, kernel, 1, [
    [0, 0],
    [padTop, padBottom],
    [padLeft, padRight],
    [0, 0],
  ]);
  return depthToSpaceFast(phases, s);
};

/**
 * Gradient of `conv2d(x, filter, strides, pad)` with respect to `x` (NHWC, dilation 1), as one forward conv.
 * @param xShape the shape of the convolution's input
 * @param dy the gradient of the convolution's output
 * @param filter the convolution's filter, [kh, kw, inChannels, outChannels]
 */
export const conv2dInputGradient = (
  xShape: readonly [number, number, number, number],
  dy: tf.Tensor4D,
  filter: tf.Tensor4D,
  strides: number | [number, number],
  pad: Pad,
  roundingMode?: 'floor' | 'round' | 'ceil',
): tf.Tensor4D =>
  tf.tidy(() => {
    const [kh, kw] = filter.shape;
    const g = geometry(xShape, filter.shape, strides, pad, roundingMode);
    if (g.strideH > 1 || g.strideW > 1) {
      const phased = phasedInputGradient(xShape, dy, filter, g);
      if (phased !== undefined) return phased;
    }
    const [, H, W] = xShape;
    // After zero dilation dy has outH*sh rows: the (outH-1)*sh+1 meaningful ones plus sh-1 zeros.
    const padTop = kh - 1 - g.top;
    const padLeft = kw - 1 - g.left;
    const padBottom = H + g.top - (g.outH - 1) * g.strideH - 1 - (g.strideH - 1);
    const padRight = W + g.left - (g.outW - 1) * g.strideW - 1 - (g.strideW - 1);
    let d = zeroDilate(dy, g.strideH, g.strideW);
    // Negative padding means cropping; only odd geometries (padding larger than the kernel, strides
    // that skip trailing rows) need it.
    const cropTop = Math.max(0, -padTop);
    const cropLeft = Math.max(0, -padLeft);
    const cropBottom = Math.max(0, -padBottom);
    const cropRight = Math.max(0, -padRight);
    if (cropTop + cropLeft + cropBottom + cropRight > 0) {
      const [n, h, w, c] = d.shape;
      d = tf.slice(d, [0, cropTop, cropLeft, 0], [n, h - cropTop - cropBottom, w - cropLeft - cropRight, c]);
    }
    const flipped = flipSwapFilter(filter);
    return tf.conv2d(d, flipped, 1, [
      [0, 0],
      [Math.max(0, padTop), Math.max(0, padBottom)],
      [Math.max(0, padLeft), Math.max(0, padRight)],
      [0, 0],
    ]);
  });

/**
 * Gradient of `conv2d(x, filter, strides, pad)` with respect to `filter` (NHWC, dilation 1), as one forward conv.
 * @param x the convolution's input
 * @param dy the gradient of the convolution's output
 * @param filterShape [kh, kw, inChannels, outChannels]
 */
export const conv2dFilterGradient = (
  x: tf.Tensor4D,
  dy: tf.Tensor4D,
  filterShape: readonly [number, number, number, number],
  strides: number | [number, number],
  pad: Pad,
  roundingMode?: 'floor' | 'round' | 'ceil',
): tf.Tensor4D =>
  tf.tidy(() => {
    const [kh, kw] = filterShape;
    const g = geometry(x.shape, filterShape, strides, pad, roundingMode);
    const simd = simdFilterGradient(x, dy, { filterShape: [...filterShape], strideH: g.strideH, strideW: g.strideW, top: g.top, left: g.left });
    if (simd !== undefined) return simd;
    const [n, H, W, c] = x.shape;
    // Output rows of the swapped conv: H + top + bottom' - (outH-1)*s must equal kh.
    let bottom = kh + (g.outH - 1) * g.strideH - H - g.top;
    let right = kw + (g.outW - 1) * g.strideW - W - g.left;
    let xs: tf.Tensor4D = x;
    if (bottom < 0 || right < 0) {
      xs = tf.slice(x, [0, 0, 0, 0], [n, H + Math.min(0, bottom), W + Math.min(0, right), c]);
      bottom = Math.max(0, bottom);
      right = Math.max(0, right);
    }
    const xT = nhwcToChwn(xs); // [C, H, W, N]
    const dyT = tf.transpose(dy, [1, 2, 0, 3]) as tf.Tensor4D; // [outH, outW, N, outC]
    const out = tf.conv2d(
      xT,
      dyT,
      1,
      [
        [0, 0],
        [g.top, bottom],
        [g.left, right],
        [0, 0],
      ],
      'NHWC',
      [g.strideH, g.strideW],
    ); // [C, kh, kw, outC]
    return tf.transpose(out, [1, 2, 0, 3]) as tf.Tensor4D;
  });

const isOne = (v: unknown): boolean =>
  v === undefined || v === 1 || (Array.isArray(v) && v.every((d) => d === 1));

/**
 * Registers the Conv2D gradient above for the wasm backend (other backends keep tfjs's own gradient).
 * Idempotent. Dilated or NCHW convolutions fall back to the stock gradient.
 */
export const registerFastConvGradients = (): void =>
  registerWasmGradient(tf.Conv2D, 'registerFastConvGradients', { inputsToSave: ['x', 'filter'] }, (dy, saved, attrs) => {
    const a = attrs as unknown as tf.Conv2DAttrs;
    if (!isOne(a.dilations) || a.dataFormat === 'NCHW') return undefined;
    const [x, filter] = saved as [tf.Tensor4D, tf.Tensor4D];
    const g = dy as tf.Tensor4D;
    return {
      x: () => conv2dInputGradient(x.shape, g, filter, a.strides, a.pad, a.dimRoundingMode),
      filter: () => conv2dFilterGradient(x, g, filter.shape, a.strides, a.pad, a.dimRoundingMode),
    };
  });
