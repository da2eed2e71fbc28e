/**
 * A fast max-pool gradient for the wasm backend: one pass over the input in plain JavaScript, on the wasm heap.
 *
 * Intuition: wasm's MaxPoolGrad kernel is a slow scalar loop (about 30 ms a call at MNIST shapes,
 * several times the forward pool), and rebuilding it from tfjs ops does not help there: the mask
 * `x == upsampled(max)` needs broadcasting or resizing ops that are slower still on wasm, and it
 * sends the gradient to every tied position. Instead a small kernel walks each pooling window once
 * (channels innermost, so memory is read in order), remembers where the maximum is, and adds the
 * output gradient there. It reads and writes the tensors in place on the wasm heap.
 *
 * Semantics are those of the cpu backend's MaxPoolGrad, ties included: within a window the
 * gradient goes to the *first* maximum in row-major window order (a strict `>` scan from −∞);
 * a window whose values are all NaN or −∞ passes no gradient; positions shared by overlapping
 * windows receive the sum of their windows' gradients (summed in float32, window by window, so
 * they can differ from cpu, which sums in float64, by float32 rounding). Any padding, stride and
 * window size are handled; the op has no dilation.
 *
 * (wasm's own MaxPoolGrad is not only slow but disagrees with cpu wherever a window holds negative
 * values: measured max |Δ| ≈ 4 on N(0, 1) inputs with tfjs 4.22, none on ReLU outputs, which is why
 * training the small CNN was unaffected. Tests compare this kernel with cpu, not with it.)
 */
import * as tf from '@tensorflow/tfjs-core';
import { registerWasmGradient } from './wasm-gradient.js';
import { heapFloats, type WasmHeapBackend } from './heap-kernels.js';

type Pad = 'valid' | 'same' | number | tf.backend_util.ExplicitPadding;

/** Geometry of one NHWC max-pool, as tfjs computes it. */
export interface PoolGeometry {
  readonly batch: number;
  readonly inHeight: number;
  readonly inWidth: number;
  readonly channels: number;
  readonly outHeight: number;
  readonly outWidth: number;
  readonly filterHeight: number;
  readonly filterWidth: number;
  readonly strideHeight: number;
  readonly strideWidth: number;
  readonly padTop: number;
  readonly padLeft: number;
}

/** The geometry of `maxPool(x, filterSize, strides, pad, roundingMode)` for an input of shape `xShape`. */
export const poolGeometry = (
  xShape: readonly number[],
  filterSize: number | [number, number],
  strides: number | [number, number],
  pad: Pad,
  roundingMode?: 'floor' | 'round' | 'ceil',
): PoolGeometry => {
  const info = tf.backend_util.computePool2DInfo(xShape as [number, number, number, number], filterSize, strides, 1, pad, roundingMode);
  return {
    batch: info.batchSize,
    inHeight: info.inHeight,
    inWidth: info.inWidth,
    channels: info.inChannels,
    outHeight: info.outHeight,
    outWidth: info.outWidth,
    filterHeight: info.filterHeight,
    filterWidth: info.filterWidth,
    strideHeight: info.strideHeight,
    strideWidth: info.strideWidth,
    padTop: info.padInfo.top,
    padLeft: info.padInfo.left,
  };
};

/**
 * Writes the gradient of a max-pool with respect to its input into `dx` (overwriting it).
 * @param x the pool's input, NHWC, flat
 * @param dy the gradient of the pool's output, NHWC, flat
 * @param dx receives the gradient of x, same length as x
 */
export const maxPoolBackward = (x: Float32Array, dy: Float32Array, dx: Float32Array, g: PoolGeometry): void => {
  const { batch, inHeight: H, inWidth: W, channels: C, outHeight: Ho, outWidth: Wo } = g;
  dx.fill(0);
  const rowStride = W * C;
  for (let b = 0; b < batch; b++) {
    for (let oh = 0; oh < Ho; oh++) {
      const r0 = oh * g.strideHeight - g.padTop;
      const rStart = Math.max(0, r0);
      const rEnd = Math.min(H, r0 + g.filterHeight);
      for (let ow = 0; ow < Wo; ow++) {
        const c0 = ow * g.strideWidth - g.padLeft;
        const cStart = Math.max(0, c0);
        const cEnd = Math.min(W, c0 + g.filterWidth);
        const windowBase = (b * H + rStart) * rowStride + cStart * C;
        const outBase = ((b * Ho + oh) * Wo + ow) * C;
        if (rEnd - rStart === 2 && cEnd - cStart === 2) {
          // The common full 2×2 window, unrolled (same scan order and comparisons as below).
          for (let c = 0; c < C; c++) {
            const i0 = windowBase + c;
            const i2 = i0 + rowStride;
            const v0 = x[i0]!;
            let best = v0 > -Infinity ? v0 : -Infinity;
            let bestIndex = v0 > -Infinity ? i0 : -1;
            const v1 = x[i0 + C]!;
            if (v1 > best) { best = v1; bestIndex = i0 + C; }
            const v2 = x[i2]!;
            if (v2 > best) { best = v2; bestIndex = i2; }
            const v3 = x[i2 + C]!;
            if (v3 > best) { bestIndex = i2 + C; }
            if (bestIndex >= 0) dx[bestIndex] = dx[bestIndex]! + dy[outBase + c]!;
          }
          continue;
        }
        for (let c = 0; c < C; c++) {
          let best = -Infinity;
          let bestIndex = -1;
          for (let r = rStart, rowBase = windowBase + c; r < rEnd; r++, rowBase += rowStride) {
            for (let col = cStart, i = rowBase; col < cEnd; col++, i += C) {
              const v = x[i]!;
              // Branch-free select (random data makes a branch mispredict half the time).
              const greater = v > best;
              best = greater ? v : best;
              bestIndex = greater ? i : bestIndex;
            }
          }
          if (bestIndex >= 0) dx[bestIndex] = dx[bestIndex]! + dy[outBase + c]!;
        }
      }
    }
  }
};

/** Name of the wasm kernel that runs `maxPoolBackward` on the wasm heap. */
export const WASM_MAX_POOL_GRAD_KERNEL = 'TailstreamMaxPoolGrad';

let kernelRegistered = false;

const registerWasmKernel = (): void => {
  if (kernelRegistered) return;
  tf.registerKernel({
    kernelName: WASM_MAX_POOL_GRAD_KERNEL,
    backendName: 'wasm',
    kernelFunc: ({ inputs, backend, attrs }) => {
      const { dy, input } = inputs as { dy: tf.TensorInfo; input: tf.TensorInfo };
      const a = attrs as unknown as tf.MaxPoolAttrs;
      const wasm = backend as unknown as WasmHeapBackend;
      const g = poolGeometry(input.shape, a.filterSize, a.strides, a.pad, a.dimRoundingMode);
      // Allocate first: a heap that grows invalidates views taken before.
      const out = wasm.makeOutput([...input.shape], 'float32');
      const k = WASM_MAX_POOL_GRAD_KERNEL;
      maxPoolBackward(heapFloats(wasm, input, k), heapFloats(wasm, dy, k), heapFloats(wasm, out, k), g);
      return out;
    },
  });
  kernelRegistered = true;
};

/**
 * Registers the max-pool gradient above for the wasm backend (other backends keep tfjs's own gradient). Idempotent.
 */
export const registerFastMaxPoolGradient = (): void => {
  registerWasmKernel();
  registerWasmGradient(tf.MaxPool, 'registerFastMaxPoolGradient', { inputsToSave: ['x'], outputsToSave: [true] }, (dy, saved, attrs) => {
    const [x] = saved as [tf.Tensor4D, tf.Tensor4D];
    if (x.dtype !== 'float32') return undefined;
    return {
      x: () => tf.engine().runKernel(WASM_MAX_POOL_GRAD_KERNEL, { dy, input: x }, attrs as unknown as tf.NamedAttrMap) as tf.Tensor4D,
    };
  });
};
