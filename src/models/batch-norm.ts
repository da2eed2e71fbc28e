/**
 * Batch normalisation over NHWC activations with a closed-form backward pass.
 *
 * Intuition: autodiff through `tf.moments` builds a long chain of small ops, several of them slow on
 * wasm; the textbook backward is three reductions and one fused expression:
 *   x̂ = (x − μ)/σ,  y = γ·x̂ + β,
 *   ∂x = γ/(σ·M) · (M·∂y − Σ∂y − x̂·Σ(∂y·x̂)),  ∂γ = Σ(∂y·x̂),  ∂β = Σ∂y  (sums over the M = N·H·W positions).
 * Everything runs as ops wasm's XNNPACK executes fast (elementwise binary ops there are scalar loops,
 * several times slower): per-channel means over the M positions are one global average pool, and
 * the per-channel affine maps (x − μ, γ̂·(x − μ) + β, the affine part of ∂x) are 1×1 depthwise
 * convolutions with a bias. In terms of the centred input c = x − μ and s = 1/σ:
 *   y = (γ·s)·c + β,  ∂x = (γ·s)·(∂y − mean ∂y) − (γ·s³·mean(∂y·c))·c.
 * Defaults as PyTorch's `nn.BatchNorm2d`: ε = 1e-5, running-stat momentum 0.1, unbiased running variance.
 */
import * as tf from '@tensorflow/tfjs-core';
import { BATCH_NORM_BACKWARD_KERNEL } from '../core/kernel-names.js';

/** Running statistics and the constants of one batch-norm layer. */
export interface BatchNormState {
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
  readonly epsilon: number;
  readonly momentum: number;
}

/** Per-channel mean over the N·H·W positions of an NHWC tensor, as a [C] tensor (one global average pool). */
export const channelMean = (x: tf.Tensor4D): tf.Tensor1D => {
  const [n, h, w, c] = x.shape;
  if (n * h * w === 1) return tf.reshape(x, [c]);
  return tf.reshape(tf.avgPool(tf.reshape(x, [1, n * h, w, c]) as tf.Tensor4D, [n * h, w], 1, 'valid'), [c]);
};

/** `scale·x + shift` per channel of an NHWC tensor, as a 1×1 depthwise convolution with a bias. */
export const channelAffine = (x: tf.Tensor4D, scale: tf.Tensor1D, shift: tf.Tensor1D): tf.Tensor4D => {
  const c = x.shape[3];
  return tf.fused.depthwiseConv2d({ x, filter: tf.reshape(scale, [1, 1, c, 1]) as tf.Tensor4D, strides: 1, pad: 'valid', bias: shift });
};

/**
 * [∂x, ∂γ, ∂β] by the active backend's `BATCH_NORM_BACKWARD_KERNEL` when it registers one (the wasm
 * backend's SIMD kernel: two passes instead of five kernels and two scalar elementwise passes), else undefined.
 */
const fusedBackward = (dy: tf.Tensor4D, centered: tf.Tensor4D, gamma: tf.Tensor1D, invStd: tf.Tensor1D): tf.Tensor[] | undefined => {
  if (dy.shape[3] % 4 !== 0 || dy.dtype !== 'float32' || tf.getKernel(BATCH_NORM_BACKWARD_KERNEL, tf.getBackend()) === undefined) return undefined;
  const [dx, sums] = tf.engine().runKernel(BATCH_NORM_BACKWARD_KERNEL, { dy, centered, gamma, invStd }, {}) as unknown as [tf.Tensor4D, tf.Tensor2D];
  const [sumDy, sumDyC] = tf.unstack(sums) as [tf.Tensor1D, tf.Tensor1D];
  // ∂γ = Σ∂y·x̂ = s·Σ∂y·c, ∂β = Σ∂y
  return [dx, tf.mul(sumDyC, invStd), sumDy];
};

/**
 * Training-mode batch norm: normalises with the batch statistics, updates the running ones, and
 * differentiates in closed form with respect to x, γ and β.
 */
export const batchNormTraining = (x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, state: BatchNormState): tf.Tensor4D => {
  const [n, h, w, c] = x.shape;
  const m = n * h * w;
  const f = tf.customGrad(((xIn: tf.Tensor4D, gIn: tf.Tensor1D, bIn: tf.Tensor1D, save: tf.GradSaveFunc) => {
    const mean = channelMean(xIn);
    const centered = channelAffine(xIn, tf.onesLike(mean), tf.neg(mean));
    const variance = channelMean(tf.mul(centered, centered));
    const invStd = tf.rsqrt(tf.add(variance, state.epsilon)) as tf.Tensor1D;
    const y = channelAffine(centered, tf.mul(gIn, invStd), bIn);
    // Running statistics, as PyTorch: unbiased variance, momentum-weighted.
    tf.tidy(() => {
      const unbiased = m > 1 ? tf.mul(variance, m / (m - 1)) : variance;
      state.runningMean.assign(tf.add(tf.mul(state.runningMean, 1 - state.momentum), tf.mul(mean, state.momentum)));
      state.runningVar.assign(tf.add(tf.mul(state.runningVar, 1 - state.momentum), tf.mul(unbiased, state.momentum)));
    });
    save([centered, invStd, gIn]);
    return {
      value: y,
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sCentered, sInvStd, sGamma] = saved as [tf.Tensor4D, tf.Tensor1D, tf.Tensor1D];
        const dy4 = dy as tf.Tensor4D;
        const fused = fusedBackward(dy4, sCentered, sGamma, sInvStd);
        if (fused !== undefined) return fused;
        const meanDy = channelMean(dy4);
        const meanDyC = channelMean(tf.mul(dy4, sCentered) as tf.Tensor4D);
        const a = tf.mul(sGamma, sInvStd) as tf.Tensor1D;
        const k = tf.mul(a, tf.mul(tf.square(sInvStd), meanDyC)) as tf.Tensor1D;
        // ∂x = a·∂y − a·mean ∂y − k·c
        const dx = tf.sub(channelAffine(dy4, a, tf.neg(tf.mul(a, meanDy)) as tf.Tensor1D), channelAffine(sCentered, k, tf.zerosLike(k)));
        const dGamma = tf.mul(tf.mul(meanDyC, sInvStd), m);
        const dBeta = tf.mul(meanDy, m);
        return [dx, dGamma, dBeta];
      },
    };
  }) as unknown as Parameters<typeof tf.customGrad>[0]);
  return f(x, gamma, beta) as tf.Tensor4D;
};

/** Inference-mode batch norm with the running statistics. */
export const batchNormInference = (x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, state: BatchNormState): tf.Tensor4D =>
  tf.tidy(() => {
    const invStd = tf.rsqrt(tf.add(state.runningVar, state.epsilon));
    const scale = tf.mul(gamma, invStd);
    const shift = tf.sub(beta, tf.mul(state.runningMean, scale));
    return tf.add(tf.mul(x, scale), shift) as tf.Tensor4D;
  });
