/**
 * OT re-weighting: per-sample loss weights learned so that the weighted training batch is close, in
 * entropic optimal transport, to a small class-balanced meta set.
 *
 * Intuition: the imbalanced batch is a distribution P(w) = Σ_j ν_j δ(x_j, y_j) with ν = softmax(w);
 * the meta set is Q = Σ_i (1/M) δ(x'_i, y'_i). Moving w down the gradient of OT_ε(P(w), Q) raises the
 * weight of samples that the meta set (one prototype per class) needs more of — mostly the tail — without
 * MW-Net's look-ahead step through the classifier.
 *
 * Per mini-batch (`DandanGuo1993/reweight-imbalance-classification-with-OT: OT_train.py`):
 *   C_ij  = 0.5·(1 − cos(f(x'_i), f(x_j))) + 0.5·mean_k (e_{y'_i,k} − e_{y_j,k})²   (`--cost combined`;
 *           the label term is 2/K when the labels differ, 0 when they match; f the penultimate features, detached)
 *   loss_OT(w) = Σ π_ij C_ij with π = sinkhorn(C, μ = 1/M, ν = softmax(w_B))   (`sinkhorn`, ε 0.1)
 *   w_B ← w_B − lr·(∂loss_OT/∂w_B + weightDecay·w_B)   (lr 0.01, weight decay 5e-4: the code's SGD with
 *           momentum 0.9 is created anew for every batch, so its first step — this one — has no momentum)
 * The gradient goes through every Sinkhorn iteration, as the code's autograd does (not the envelope
 * v_j of the regularised objective). The raw weights start at the class-balanced weight of each sample's
 * class (β 0.9999, the class weights summing to K), and the classifier's loss is Σ_j w_j·ℓ_j with the
 * raw updated w (not softmax(w)); the code adds 10·mean CE on the meta set and trains only the last layer.
 *
 * Paper: Guo, Li, Zheng, Zhao, Zhou, Zha, "Learning to Re-weight Examples with Optimal Transport for
 * Imbalanced Classification", NeurIPS 2022.
 *
 * @see sinkhorn, classBalancedWeights
 */
import * as tf from '@tensorflow/tfjs-core';
import { classBalancedWeights } from '../losses/class-balanced.js';
import { stopGradient } from '../losses/internal.js';
import { sinkhorn, type SinkhornOptions } from './sinkhorn.js';

/** Which cost the transport pays: features, labels, or their equal mix (`--cost combined`, the default). */
export type OtCostKind = 'combined' | 'feature' | 'label';

/** Features and labels of one side of the transport. */
export interface OtSide {
  /** [n, D] penultimate features (detached by `otCost`). */
  readonly features: tf.Tensor2D;
  readonly labels: Int32Array;
}

const COSINE_EPS = 1e-8;

/**
 * The cost matrix [M, N] between meta samples (rows) and batch samples (columns); see the file comment.
 * `feature` is 1 − cos alone, `label` the label term alone. Call it inside a tidy scope.
 * @throws Error when a label is outside 0..numClasses−1 or the feature widths differ
 */
export const otCost = (meta: OtSide, batch: OtSide, numClasses: number, kind: OtCostKind = 'combined'): tf.Tensor2D => {
  if (meta.features.shape[1] !== batch.features.shape[1]) {
    throw new Error(`otCost: meta features have width ${meta.features.shape[1]}, batch features ${batch.features.shape[1]}`);
  }
  for (const y of [...meta.labels, ...batch.labels]) {
    if (!(Number.isInteger(y) && y >= 0 && y < numClasses)) throw new Error(`otCost: label ${y} is outside 0..${numClasses - 1}`);
  }
  const m = meta.labels.length;
  const n = batch.labels.length;
  const labelTerm = (): tf.Tensor2D => {
    const differ = new Float32Array(m * n);
    for (let i = 0; i < m; i++) for (let j = 0; j < n; j++) differ[i * n + j] = meta.labels[i] === batch.labels[j] ? 0 : 2 / numClasses;
    return tf.tensor2d(differ, [m, n]);
  };
  const featureTerm = (): tf.Tensor2D => {
    const unit = (f: tf.Tensor2D) => tf.div(f, tf.add(tf.norm(f, 'euclidean', 1, true), COSINE_EPS));
    const cos = tf.matMul(unit(stopGradient(meta.features)), unit(stopGradient(batch.features)), false, true);
    return tf.sub(1, cos) as tf.Tensor2D;
  };
  if (kind === 'label') return labelTerm();
  if (kind === 'feature') return featureTerm();
  return tf.add(tf.mul(0.5, featureTerm()), tf.mul(0.5, labelTerm())) as tf.Tensor2D;
};

/** Settings of the weight step (defaults of `OT_train.py`). */
export interface OtWeightOptions extends SinkhornOptions {
  /** Learning rate of the weights (0.01). */
  readonly lr?: number;
  /** L2 decay of the weights (5e-4). */
  readonly weightDecay?: number;
}

/** What one weight step gives, on the host. */
export interface OtWeightStep {
  /** The batch's raw weights after the step (the classifier's loss weights). */
  readonly weights: Float32Array;
  /** softmax of the updated raw weights: the batch's distribution in the transport (non-negative, sums to 1). */
  readonly distribution: Float32Array;
  /** The transport cost Σ π C before the step. */
  readonly otLoss: number;
  /** Sinkhorn iterations run. */
  readonly iterations: number;
}

/** The step's defaults. */
export const OT_WEIGHT_DEFAULTS = Object.freeze({ lr: 0.01, weightDecay: 5e-4 });

/**
 * One gradient step on the batch's raw weights `raw` ([N]) against the cost `cost` ([M, N], meta rows
 * with uniform mass 1/M). Runs in its own tidy scope; nothing it creates outlives the call.
 * @throws Error when `raw` and the cost's columns differ in number
 */
export const otWeightUpdate = (raw: Float32Array, cost: tf.Tensor2D, options: OtWeightOptions = {}): OtWeightStep => {
  const { lr, weightDecay } = { ...OT_WEIGHT_DEFAULTS, ...options };
  const [m, n] = cost.shape;
  if (raw.length !== n) throw new Error(`otWeightUpdate: ${raw.length} weights for a cost with ${n} columns`);
  return tf.tidy(() => {
    const w = tf.tensor1d(raw);
    const mu = tf.fill([m], 1 / m) as tf.Tensor1D;
    let iterations = 0;
    const { value, grad } = tf.valueAndGrad((x: tf.Tensor1D) => {
      const r = sinkhorn(cost, mu, tf.softmax(x) as tf.Tensor1D, options);
      iterations = r.iterations;
      return r.cost;
    })(w);
    const updated = tf.sub(w, tf.mul(lr, tf.add(grad, tf.mul(weightDecay, w))));
    return {
      weights: updated.dataSync() as Float32Array,
      distribution: tf.softmax(updated).dataSync() as Float32Array,
      otLoss: value.dataSync()[0]!,
      iterations,
    };
  });
};

/**
 * The raw weights a run starts from: each sample's class-balanced weight (effective number, β), the
 * class weights summing to the number of classes (`OT_train.py`'s `weightsbuffer`).
 */
export const initialOtWeights = (labels: Int32Array, counts: readonly number[], beta = 0.9999): Float32Array => {
  const perClass = classBalancedWeights(counts, beta);
  return Float32Array.from(labels, (y) => {
    const w = perClass[y];
    if (w === undefined) throw new Error(`initialOtWeights: label ${y} has no class count`);
    return w;
  });
};
