/**
 * Batch normalisation over NHWC activations with a closed-form backward pass.
 *
 * Intuition: autodiff through `tf.moments` builds a long chain of small ops, several of them slow on
 * wasm; the textbook backward is three reductions and one fused expression:
 *   x̂ = (x − μ)/σ,  y = γ·x̂ + β,
 *   ∂x = γ/(σ·M) · (M·∂y − Σ∂y − x̂·Σ(∂y·x̂)),  ∂γ = Σ(∂y·x̂),  ∂β = Σ∂y  (sums over the M = N·H·W positions).
 * Reductions over positions are products with a row of ones (a plain matMul is fast everywhere).
 * Defaults as PyTorch's `nn.BatchNorm2d`: ε = 1e-5, running-stat momentum 0.1, unbiased running variance.
 */
import * as tf from '@tensorflow/tfjs-core';

/** Running statistics and the constants of one batch-norm layer. */
export interface BatchNormState {
  readonly runningMean: tf.Variable;
  readonly runningVar: tf.Variable;
  readonly epsilon: number;
  readonly momentum: number;
}

/** Sum over all but the last axis of a [M, C] tensor, as a [C] tensor. */
const sumRows = (x2: tf.Tensor2D): tf.Tensor1D => tf.reshape(tf.matMul(tf.ones([1, x2.shape[0]]), x2), [x2.shape[1]]);

/**
 * Training-mode batch norm: normalises with the batch statistics, updates the running ones, and
 * differentiates in closed form with respect to x, γ and β.
 */
export const batchNormTraining = (x: tf.Tensor4D, gamma: tf.Tensor1D, beta: tf.Tensor1D, state: BatchNormState): tf.Tensor4D => {
  const [n, h, w, c] = x.shape;
  const m = n * h * w;
  const f = tf.customGrad(((xIn: tf.Tensor, gIn: tf.Tensor, bIn: tf.Tensor, save: tf.GradSaveFunc) => {
    const x2 = tf.reshape(xIn, [m, c]) as tf.Tensor2D;
    const mean = tf.div(sumRows(x2), m);
    const centered = tf.sub(x2, mean);
    const variance = tf.div(sumRows(tf.square(centered) as tf.Tensor2D), m);
    const invStd = tf.rsqrt(tf.add(variance, state.epsilon));
    const xHat = tf.mul(centered, invStd) as tf.Tensor2D;
    const y = tf.add(tf.mul(xHat, gIn), bIn);
    // Running statistics, as PyTorch: unbiased variance, momentum-weighted.
    tf.tidy(() => {
      const unbiased = m > 1 ? tf.mul(variance, m / (m - 1)) : variance;
      state.runningMean.assign(tf.add(tf.mul(state.runningMean, 1 - state.momentum), tf.mul(mean, state.momentum)));
      state.runningVar.assign(tf.add(tf.mul(state.runningVar, 1 - state.momentum), tf.mul(unbiased, state.momentum)));
    });
    save([xHat, invStd, gIn]);
    return {
      value: tf.reshape(y, [n, h, w, c]),
      gradFunc: (dy: tf.Tensor, saved: tf.Tensor[]) => {
        const [sxHat, sInvStd, sGamma] = saved as [tf.Tensor2D, tf.Tensor1D, tf.Tensor1D];
        const dy2 = tf.reshape(dy, [m, c]) as tf.Tensor2D;
        const dBeta = sumRows(dy2);
        const dGamma = sumRows(tf.mul(dy2, sxHat) as tf.Tensor2D);
        const scale = tf.div(tf.mul(sGamma, sInvStd), m);
        const inner = tf.sub(tf.sub(tf.mul(dy2, m), dBeta), tf.mul(sxHat, dGamma));
        const dx = tf.reshape(tf.mul(inner, scale), [n, h, w, c]);
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
