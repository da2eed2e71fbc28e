/**
 * DAR-BN, distribution-aware routing batch norm: natural images and pure-noise images in one batch are
 * normalised with separate batch statistics and the same affine parameters; only the natural images
 * update the running statistics.
 *
 * Intuition: pure-noise images (OPeN) have very different activation statistics from natural ones;
 * mixing them into one batch estimate would corrupt the statistics used at test time, where every image
 * is natural. Routing keeps natural statistics clean while the noise images still train γ, β and the
 * layers around them.
 *
 * Per layer, with a 0/1 noise mark per sample:
 *   natural rows: `batchNormTraining` on the natural rows alone (batch statistics, running statistics
 *                 updated, closed-form backward);
 *   noise rows:   (x − μ_z)/√(σ²_z + ε)·γ + β with μ_z, σ²_z the per-channel mean and biased variance
 *                 over the noise rows only; no running update;
 *   then scattered back into batch order. Inference is plain batch norm with the running statistics.
 * Rows are selected and scattered back with 0/1 selection matrices (matMul), whose gradient every
 * backend has (a gather's gradient needs UnsortedSegmentSum, which the wasm backend lacks).
 *
 * Gradient choice (`noiseGradient`): 'full' (default) lets the noise rows' loss reach γ, β and the
 * layers below through the noise branch. 'none' reproduces `seungjaeryanlee/pure-noise`
 * (`models/dar_bn.py`, a third-party reproduction; the official `shiranzada/pure-noise` has no code),
 * which computes the noise branch under `torch.no_grad()`, so noise images then train only the layers
 * after the last batch norm. The paper's own choice is not known to us.
 *
 * Paper: Zada, Benou, Irani, "Pure Noise to the Rescue of Insufficient Data: Improving Imbalanced
 * Classification by Training on Random Noise Images", ICML 2022.
 *
 * @see batchNormTraining, createDarResNet
 */
import * as tf from '@tensorflow/tfjs-core';
import { batchNormTraining, type BatchNormState } from './batch-norm.js';

/** Whether gradients flow through the noise rows' normalisation. */
export type NoiseGradient = 'full' | 'none';

/** x with no gradient flowing back (a custom gradient of zeros; tfjs-core has no stopGradient). */
const detach = <T extends tf.Tensor>(x: T): T =>
  tf.customGrad((...args: Array<tf.Tensor | tf.GradSaveFunc>) => ({ value: tf.clone(args[0] as tf.Tensor), gradFunc: (dy: tf.Tensor) => tf.zerosLike(dy) }))(x) as T;

/** The [k, n] 0/1 matrix whose row r picks sample `rows[r]`. */
const selection = (rows: readonly number[], n: number): tf.Tensor2D => {
  const m = new Float32Array(rows.length * n);
  rows.forEach((i, r) => {
    m[r * n + i] = 1;
  });
  return tf.tensor2d(m, [rows.length, n]);
};

/**
 * Training-mode DAR-BN of `x` [N, H, W, C] with `noise[i]` = 1 for pure-noise samples (undefined or all
 * zeros: plain `batchNormTraining`).
 * @throws Error when `noise` does not have one mark per sample
 */
export const darBatchNormTraining = (
  x: tf.Tensor4D,
  noise: ArrayLike<number> | undefined,
  gamma: tf.Tensor1D,
  beta: tf.Tensor1D,
  state: BatchNormState,
  noiseGradient: NoiseGradient = 'full',
): tf.Tensor4D => {
  const [n, h, w, c] = x.shape;
  if (noise !== undefined && noise.length !== n) throw new Error(`darBatchNormTraining: ${noise.length} noise marks for ${n} samples`);
  const noiseRows: number[] = [];
  const naturalRows: number[] = [];
  for (let i = 0; i < n; i++) (noise !== undefined && noise[i] !== 0 ? noiseRows : naturalRows).push(i);
  if (noiseRows.length === 0) return batchNormTraining(x, gamma, beta, state);
  return tf.tidy(() => {
    const flat = tf.reshape(x, [n, h * w * c]) as tf.Tensor2D;
    const parts: tf.Tensor2D[] = [];
    if (naturalRows.length > 0) {
      const pick = selection(naturalRows, n);
      const natural = tf.reshape(tf.matMul(pick, flat), [naturalRows.length, h, w, c]) as tf.Tensor4D;
      const y = tf.reshape(batchNormTraining(natural, gamma, beta, state), [naturalRows.length, h * w * c]) as tf.Tensor2D;
      parts.push(tf.matMul(pick, y, true, false));
    }
    const pick = selection(noiseRows, n);
    const rawNoise = tf.reshape(tf.matMul(pick, flat), [noiseRows.length, h, w, c]) as tf.Tensor4D;
    const [xz, g, b] = noiseGradient === 'none' ? [detach(rawNoise), detach(gamma), detach(beta)] : [rawNoise, gamma, beta];
    const { mean, variance } = tf.moments(xz, [0, 1, 2]);
    const yz = tf.add(tf.mul(tf.mul(tf.sub(xz, mean), tf.rsqrt(tf.add(variance, state.epsilon))), g), b);
    parts.push(tf.matMul(pick, tf.reshape(yz, [noiseRows.length, h * w * c]) as tf.Tensor2D, true, false));
    return tf.reshape(parts.length === 1 ? parts[0]! : tf.add(parts[0]!, parts[1]!), [n, h, w, c]) as tf.Tensor4D;
  });
};
