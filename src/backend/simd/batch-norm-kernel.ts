/**
 * The batch-norm backward kernel (`BATCH_NORM_BACKWARD_KERNEL`) on wasm, by the SIMD module's
 * `bnSums` and `bnApply` (see `batch-norm-wat.ts`). Registered while the SIMD kernels run, so a
 * model that finds it registered can use it; unregistered when they stop.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BATCH_NORM_BACKWARD_KERNEL } from '../../core/kernel-names.js';
import { BN_APPLY_FUNCTION, BN_APPLY_PARAMS, BN_SUMS_FUNCTION, BN_SUMS_PARAMS } from './batch-norm-wat.js';
import { simdPool } from './simd-kernels.js';
import { heapFloats, type WasmScratchBackend } from '../heap-kernels.js';

const NAME = BATCH_NORM_BACKWARD_KERNEL;

const kernelFunc: tf.KernelFunc = ({ inputs, backend }) => {
  const { dy, centered, gamma, invStd } = inputs as Record<'dy' | 'centered' | 'gamma' | 'invStd', tf.TensorInfo>;
  const pool = simdPool(backend);
  if (pool === undefined) throw new Error(`${NAME}: the SIMD kernels are not running`);
  const c = dy.shape[dy.shape.length - 1]!;
  const m = dy.shape.slice(0, -1).reduce((a, b) => a * b, 1);
  if (c % 4 !== 0 || [dy, centered, gamma, invStd].some((t) => t.dtype !== 'float32')) {
    throw new Error(`${NAME}: expected float32 tensors with channels a multiple of 4, got ${c} channels`);
  }
  const wasm = backend as unknown as WasmScratchBackend;
  const dx = wasm.makeOutput([...dy.shape], 'float32');
  const sums = wasm.makeOutput([2, c], 'float32');
  const coef = wasm.makeOutput([3, c], 'float32');
  try {
    const sumsArgs = [heapFloats(wasm, dy, NAME).byteOffset, heapFloats(wasm, centered, NAME).byteOffset, heapFloats(wasm, sums, NAME).byteOffset, m, c];
    if (sumsArgs.length !== BN_SUMS_PARAMS.length - 2) throw new Error(`${NAME}: argument count`);
    pool.run(BN_SUMS_FUNCTION, sumsArgs);
    // Per-channel coefficients of ∂x = A·∂y + B − K·c: A = γ·s, B = −A·mean ∂y, K = A·s²·mean(∂y·c).
    const s = heapFloats(wasm, sums, NAME);
    const g = heapFloats(wasm, gamma, NAME);
    const inv = heapFloats(wasm, invStd, NAME);
    const k = heapFloats(wasm, coef, NAME);
    for (let ch = 0; ch < c; ch++) {
      const a = g[ch]! * inv[ch]!;
      k[ch] = a;
      k[c + ch] = m > 0 ? (-a * s[ch]!) / m : 0;
      k[2 * c + ch] = m > 0 ? (a * inv[ch]! * inv[ch]! * s[c + ch]!) / m : 0;
    }
    const applyArgs = [
      heapFloats(wasm, dy, NAME).byteOffset,
      heapFloats(wasm, centered, NAME).byteOffset,
      k.byteOffset,
      heapFloats(wasm, dx, NAME).byteOffset,
      m,
      c,
    ];
    if (applyArgs.length !== BN_APPLY_PARAMS.length - 2) throw new Error(`${NAME}: argument count`);
    pool.run(BN_APPLY_FUNCTION, applyArgs);
  } finally {
    wasm.disposeData(coef.dataId, true);
  }
  return [dx, sums];
};

/** Registers the kernel for wasm (while the SIMD kernels run). Idempotent. */
export const registerSimdBatchNormBackward = (): void => {
  if (tf.getKernel(NAME, 'wasm') !== undefined) return;
  tf.registerKernel({ kernelName: NAME, backendName: 'wasm', kernelFunc });
};

/** Unregisters it (when the SIMD kernels stop), so models fall back to their tfjs-op formula. */
export const unregisterSimdBatchNormBackward = (): void => {
  if (tf.getKernel(NAME, 'wasm') !== undefined) tf.unregisterKernel(NAME, 'wasm');
};
