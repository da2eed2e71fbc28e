/**
 * DBN-Mix's training loss: class-wise temperature scaling of the logits, then softmax cross-entropy
 * plus a binary "negative" term on every other class.
 *
 * Intuition: dividing a tail class's training logit by a temperature φ > 1 damps it, so the network
 * learns larger raw tail logits, which it keeps at test time (where no temperature is applied); the
 * negative term −Σ_{k≠y} log(1 − p_k) also pushes down every wrong class's probability.
 *
 * Formula (K classes, n_max the largest count, ε and η from the config):
 *   φ_k = ε·K·(n_k/n_max) + (1 − ε);  φ_k ← max_j φ_j / φ_k;  φ_k ← φ_k^(1/η)   (the head class has φ = 1)
 *   p = softmax(z / φ),   ℓ = −log p_y − Σ_{k≠y} log(1 − p_k)
 * log(1 − p_k) is computed as log Σ_{j≠k} e^{u_j} − log Σ_j e^{u_j} (u = z/φ), finite for any finite z.
 * With soft (mixed) targets the official loss is linear in the target, so λ·ℓ(y_a) + (1 − λ)·ℓ(y_b),
 * how every tailstream loss consumes mixed targets, equals it exactly.
 *
 * Paper: Baik, Yoon, Choi, "DBN-Mix: Training Dual Branch Network Using Bilateral Mixup Augmentation
 * for Long-Tailed Visual Recognition", Pattern Recognition 147 (2024) 110107. Code and defaults:
 * `soony1213/DBN-Mix: losses.py` `MixLoss`; CIFAR-10 η = 3, ε = 0.6 (`experiments/cifar10.sh`; the
 * argparse defaults η = 7, ε = 0.05 are not what the experiments use). Training only: evaluate on
 * raw logits. Deviation: an empty class counts as one sample.
 *
 * @see bilateralMixup, dbnMixStep
 */
import * as t from 'io-ts';
import * as tf from '@tensorflow/tfjs-core';
import { Positive, Probability } from '../config/codecs.js';
import { UserError } from '../core/errors.js';
import type { ClassCounts } from '../core/class-counts.js';
import { defineLoss } from './loss-spec.js';
import { checkCounts, mulPerClass, oneHotOf } from './internal.js';

/** DBN-Mix loss config. */
export const DbnMixLossConfig = t.type({
  /** ε ∈ [0, 1]: how strongly the temperatures follow the class counts (0: all φ = 1). */
  epsilon: Probability,
  /** η > 0: the root taken of the temperature ratios (larger: milder). */
  eta: Positive,
});
/** DBN-Mix loss config type. */
export type DbnMixLossConfig = t.TypeOf<typeof DbnMixLossConfig>;

/** What `dbnMixLoss.prepare` computes. */
export interface DbnMixPrepared {
  /** Per-class temperatures φ_k (≥ 1, the largest class 1). */
  readonly temperatures: readonly number[];
}

/** DBN-Mix's class-wise temperatures φ_k (≥ 1; the largest class gets 1); an empty class counts as one sample. */
export const dbnMixTemperatures = (counts: ClassCounts, epsilon: number, eta: number): number[] => {
  const n = counts.map((c) => Math.max(c, 1));
  const nMax = Math.max(...n);
  const raw = n.map((c) => epsilon * n.length * (c / nMax) + (1 - epsilon));
  const top = Math.max(...raw);
  return raw.map((r) => (top / r) ** (1 / eta));
};

/** Large negative for the excluded entry of a log-sum-exp (e^{−1e9} = 0 and stays finite). */
const EXCLUDED = -1e9;

/** DBN-Mix's loss as a registered loss. */
export const dbnMixLoss = defineLoss<DbnMixLossConfig, DbnMixPrepared>({
  name: 'dbn-mix',
  summary: 'CE on z/φ − Σ_{k≠y} log(1 − p_k), class-wise temperatures φ_k = (max φ / φ_k)^(1/η), φ_k = εK n_k/n_max + 1 − ε',
  source: 'Baik, Yoon, Choi, Pattern Recognition 2024; soony1213/DBN-Mix losses.py MixLoss (CIFAR-10: η = 3, ε = 0.6)',
  configCodec: DbnMixLossConfig,
  defaults: { epsilon: 0.6, eta: 3 },
  prepare: (config, counts) => {
    checkCounts(counts, 'dbn-mix');
    if (counts.length < 2) throw new UserError('bad-config', `dbn-mix: needs at least 2 classes, got ${counts.length}.`);
    return { temperatures: dbnMixTemperatures(counts, config.epsilon, config.eta) };
  },
  perExample: ({ logits, labels }, prepared) =>
    tf.tidy(() => {
      const k = logits.shape[1];
      const u = mulPerClass(logits, prepared.temperatures.map((phi) => 1 / phi));
      const oneHot = oneHotOf(labels, k);
      const all = tf.logSumExp(u, 1, true); // [N, 1]
      const logP = tf.sub(u, all); // log p_k
      // log Σ_{j≠k} e^{u_j} for every k: [N, 1, K] + diagonal mask [K, K] → [N, K, K], then over the last axis.
      const mask = tf.mul(tf.eye(k), EXCLUDED);
      const others = tf.logSumExp(tf.add(tf.expandDims(u, 1), mask), 2); // [N, K]
      const logOneMinusP = tf.sub(others, all);
      const positive = tf.neg(tf.sum(tf.mul(logP, oneHot), 1));
      const negative = tf.neg(tf.sum(tf.mul(logOneMinusP, tf.sub(1, oneHot)), 1));
      return tf.add(positive, negative) as tf.Tensor1D;
    }),
});
