/**
 * Entropic optimal transport by log-domain Sinkhorn iterations, differentiable through every
 * iteration (tfjs records them on the gradient tape like any other op).
 *
 * Intuition: find the plan π ≥ 0 with row sums μ and column sums ν that minimises
 * Σ π_ij C_ij + ε Σ π_ij (log π_ij − 1); its form is π_ij = exp((−C_ij + u_i + v_j)/ε) for dual
 * potentials u, v, which the iterations fit one marginal at a time. Working with u, v and log-sum-exp
 * (never with exp(−C/ε) itself) keeps small ε from underflowing.
 *
 * Iteration (`DandanGuo1993/reweight-imbalance-classification-with-OT: Sinkhorn_distance.py`, the
 * common `SinkhornDistance` module), with M_ij(u, v) = (−C_ij + u_i + v_j)/ε and u = v = 0 at the start:
 *   u ← ε·(log(μ + 1e-8) − logsumexp_j M_ij(u, v)) + u
 *   v ← ε·(log(ν + 1e-8) − logsumexp_i M_ij(u, v)) + v       (with the new u)
 *   stop after `maxIterations` (200) or once Σ_i |u − u_prev| < `threshold` (0.1);
 *   π = exp(M(u, v));  cost = Σ π_ij C_ij   (the transport cost alone, without the entropy term).
 * After the last v-update the columns of π sum to ν (up to the 1e-8); the rows sum to μ up to what the
 * stopping rule leaves. Defaults ε = 0.1, 200 iterations, threshold 0.1 as in `OT_train.py`. Note: u
 * moves in steps of order ε, so with ε = 0.1 that threshold often stops after 2 iterations, with row
 * sums tens of percent off μ (0.32 for 0.25 in the unit test); pass a smaller threshold for a converged plan.
 *
 * Paper: Guo, Li, Zheng, Zhao, Zhou, Zha, "Learning to Re-weight Examples with Optimal Transport for
 * Imbalanced Classification", NeurIPS 2022; Cuturi, "Sinkhorn Distances", NeurIPS 2013.
 *
 * @see otWeightUpdate (the re-weighting that differentiates `cost` with respect to ν)
 */
import * as tf from '@tensorflow/tfjs-core';

/** Settings of `sinkhorn`. */
export interface SinkhornOptions {
  /** Entropic regularisation ε > 0 (0.1). */
  readonly epsilon?: number;
  /** At most this many iterations (200). */
  readonly maxIterations?: number;
  /** Stop once Σ_i |u_i − u_i,prev| falls below this (0.1); 0 runs every iteration. */
  readonly threshold?: number;
}

/** What `sinkhorn` returns: tensors (differentiable with respect to C, μ and ν) and the iteration count. */
export interface SinkhornResult {
  /** [M, N] transport plan. */
  readonly plan: tf.Tensor2D;
  /** [M] and [N] dual potentials. */
  readonly u: tf.Tensor1D;
  readonly v: tf.Tensor1D;
  /** Σ π_ij C_ij (a scalar). */
  readonly cost: tf.Scalar;
  /** Iterations run. */
  readonly iterations: number;
}

/** The defaults of `OT_train.py`. */
export const SINKHORN_DEFAULTS: Required<SinkhornOptions> = Object.freeze({ epsilon: 0.1, maxIterations: 200, threshold: 0.1 });

/** Added inside the logarithms of the marginals, as the official code does (so a zero marginal stays finite). */
const LOG_FLOOR = 1e-8;

/**
 * Entropic OT between μ ([M], rows) and ν ([N], columns) for the cost C ([M, N]). Call it inside a
 * tidy or gradient scope; reads one number back per iteration for the stopping rule.
 * @throws Error when the shapes disagree, ε is not positive, or `maxIterations` is not a positive integer
 */
export const sinkhorn = (cost: tf.Tensor2D, mu: tf.Tensor1D, nu: tf.Tensor1D, options: SinkhornOptions = {}): SinkhornResult => {
  const { epsilon, maxIterations, threshold } = { ...SINKHORN_DEFAULTS, ...options };
  const [m, n] = cost.shape;
  if (mu.shape[0] !== m || nu.shape[0] !== n) throw new Error(`sinkhorn: the cost is [${m}, ${n}] but μ has ${mu.shape[0]} and ν ${nu.shape[0]} entries`);
  if (!(epsilon > 0 && Number.isFinite(epsilon))) throw new Error(`sinkhorn: ε must be a positive number, got ${epsilon}`);
  if (!(Number.isInteger(maxIterations) && maxIterations > 0)) throw new Error(`sinkhorn: maxIterations must be a positive integer, got ${maxIterations}`);
  const logMu = tf.log(tf.add(mu, LOG_FLOOR));
  const logNu = tf.log(tf.add(nu, LOG_FLOOR));
  const kernel = (u: tf.Tensor1D, v: tf.Tensor1D): tf.Tensor2D =>
    tf.div(tf.add(tf.add(tf.neg(cost), tf.reshape(u, [m, 1])), tf.reshape(v, [1, n])), epsilon) as tf.Tensor2D;
  let u = tf.zeros([m]) as tf.Tensor1D;
  let v = tf.zeros([n]) as tf.Tensor1D;
  let iterations = 0;
  while (iterations < maxIterations) {
    const previous = u;
    u = tf.add(tf.mul(epsilon, tf.sub(logMu, tf.logSumExp(kernel(u, v), 1))), u) as tf.Tensor1D;
    v = tf.add(tf.mul(epsilon, tf.sub(logNu, tf.logSumExp(kernel(u, v), 0))), v) as tf.Tensor1D;
    iterations++;
    if (threshold > 0 && tf.sum(tf.abs(tf.sub(u, previous))).dataSync()[0]! < threshold) break;
  }
  const plan = tf.exp(kernel(u, v)) as tf.Tensor2D;
  return { plan, u, v, cost: tf.sum(tf.mul(plan, cost)) as tf.Scalar, iterations };
};
