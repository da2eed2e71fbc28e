/**
 * Distribution-Balanced loss (DB, DB-Focal): a multi-label sigmoid loss with re-balanced weights and
 * negative-tolerant regularisation.
 *
 * Intuition: class-aware re-sampling over-samples the head labels that co-occur with a rare one; DB
 * weights each (example, class) term by how much more the class was meant to be drawn than the
 * example actually is (re-balanced weighting), and makes the many easy negative terms cheap by
 * shifting the logits towards the class prior and scaling the negatives (NTR).
 *
 * Formula, for example k with multi-hot targets y_k (positive set Y_k) and class i, n_i the positive
 * count of class i, N the number of training images:
 *   r_i^k  = (1/n_i) / Σ_{j∈Y_k} 1/n_j                         (reweight 'rebalance'; r = 1 for 'none')
 *   w_i^k  = α + sigmoid(β · (r_i^k − μ))                         (weights positives and negatives alike)
 *   z'_i   = z_i − ν_i,   ν_i = (κ/λ) · log(N/n_i − 1)            (NTR logit shift)
 *   z''_i  = z'_i if y_i = 1, else λ · z'_i                       (NTR negative scaling)
 *   b_i    = BCE(z''_i, y_i) = softplus(z''_i) − y_i·z''_i
 *   term_i = w_i^k · b_i              if y_i = 1,   (w_i^k / λ) · b_i   otherwise
 *   focal:   term_i ← balanceParam · (1 − exp(−b_i))^γ · term_i    (DB-Focal; the modulator uses the
 *            unweighted b on the shifted and scaled logits)
 *   ℓ_k    = Σ_i term_i                                           (per-example output: sum over classes)
 * So a negative term is (w/λ)·log(1 + e^{λ z'}) and a positive one w·log(1 + e^{−z'}).
 *
 * Paper: Wu, Huang, Liu, Wang, Lin, "Distribution-Balanced Loss for Multi-Label Classification in
 * Long-Tailed Datasets", ECCV 2020. Code (read at 14460d0): `wutong16/DistributionBalancedLoss:
 * mllt/models/losses/resample_loss.py` (`ResampleLoss`: `rebalance_weight`, `logit_reg_functions`,
 * the focal branch of `forward`). Defaults: the released DB-Focal config
 * `configs/coco/LT_resnet50_pfc_DB.py` (map α = 0.1, β = 10, μ = `map_param.gamma` = 0.2; NTR κ =
 * `init_bias` = 0.05, λ = `neg_scale` = 2; focal γ = 2, balance_param = 2). VOC-MLT uses μ = 0.3, λ = 5.
 * The code, not the paper, is followed for ν: the code adds init_bias = −κ·log(N/n_i − 1)/λ to the
 * logits (the paper's ν = κ·b̂ with the prior bias b̂, without the 1/λ).
 *
 * Reduction: the official loss returns the [N, C] terms and the mmdet-style loss parser takes their
 * mean over all N·C elements; that is `reduceLoss(perExample, 'mean') / C` here ('mean' is the
 * official value times C, the same optimum and a learning rate C times larger in effect).
 *
 * Targets: `inputs.targets` ([N, C] multi-hot) when given, the one-hot of `labels` otherwise; the
 * class counts are the per-class positive counts. `numImages` is N; null takes N = Σ n_i, which is
 * right for single-label data only (with multi-label data Σ n_i over-counts images).
 * Deviations: an empty class counts as one sample (1/n_i and log(N/n_i − 1) stay finite) and a class
 * present in every image keeps one negative (N − n_i ≥ 1), where the official code gives ±∞; an
 * example with no positive label gets r = +∞ (weight α + 1), as the official code does (1/n / 0).
 *
 * @see classBalanced (CB-Focal, a baseline of the paper), multiLabelSampler (the re-sampling DB corrects)
 */
import * as t from 'io-ts';
import * as tf from '@tensorflow/tfjs-core';
import { FiniteNumber, NonNegative, Positive, PositiveInt } from '../config/codecs.js';
import type { ClassCounts } from '../core/class-counts.js';
import { UserError } from '../core/errors.js';
import { defineLoss, type LossInputs } from './loss-spec.js';
import { checkCounts, focalModulator, oneHotOf } from './internal.js';

/** Distribution-Balanced loss's config (official names in brackets). */
export const DistributionBalancedConfig = t.type({
  /** Re-balanced weighting r̂ ('rebalance', `reweight_func`) or none (all weights 1). */
  reweight: t.keyof({ rebalance: null, none: null }),
  /** α, the floor of the smoothed weight (`map_param.alpha`). */
  alpha: NonNegative,
  /** β, the slope of the smoothing sigmoid (`map_param.beta`). */
  beta: NonNegative,
  /** μ, the centre of the smoothing sigmoid (`map_param.gamma`). */
  mu: FiniteNumber,
  /** κ, the NTR logit-shift scale (`logit_reg.init_bias`); 0 turns the shift off. */
  initBias: FiniteNumber,
  /** λ, the NTR negative scale (`logit_reg.neg_scale`); 1 turns the scaling off. */
  negScale: Positive,
  /** Whether the focal modulator is applied (DB-Focal, the released config). */
  focal: t.boolean,
  /** Focal γ (`focal.gamma`), used when `focal` is on. */
  gamma: NonNegative,
  /** Constant factor of the focal form (`focal.balance_param`), used when `focal` is on. */
  balanceParam: NonNegative,
  /** Number of training images N for the NTR prior; null for Σ n_i (single-label data). */
  numImages: t.union([t.null, PositiveInt]),
});
/** Distribution-Balanced loss's config type. */
export type DistributionBalancedConfig = t.TypeOf<typeof DistributionBalancedConfig>;

/** What `distributionBalanced.prepare` computes. */
export interface DistributionBalancedPrepared {
  /** 1 / max(n_i, 1) per class. */
  readonly inverseCounts: readonly number[];
  /** The amount added to every logit, −ν_i = −(κ/λ)·log((N − n_i)/n_i) (guarded, see the module doc). */
  readonly logitShift: readonly number[];
  readonly reweight: DistributionBalancedConfig['reweight'];
  readonly alpha: number;
  readonly beta: number;
  readonly mu: number;
  readonly negScale: number;
  /** γ when the focal form is on, null otherwise. */
  readonly focalGamma: number | null;
  readonly balanceParam: number;
}

/**
 * The NTR shift added to the logits: −(κ/λ)·log((N − n_i)/n_i), with n_i and N − n_i floored at 1.
 * @throws UserError (kind 'bad-config') when N is smaller than a class count
 */
export const distributionBalancedLogitShift = (
  counts: ClassCounts,
  numImages: number,
  initBias: number,
  negScale: number,
): number[] => {
  counts.forEach((n, i) => {
    if (n > numImages) {
      throw new UserError('bad-config', `db-loss: numImages is ${numImages}, smaller than the count ${n} of class ${i}.`);
    }
  });
  return counts.map((n) => {
    const shift = (-initBias / negScale) * Math.log(Math.max(numImages - n, 1) / Math.max(n, 1));
    return shift === 0 ? 0 : shift; // no −0 in the prepared constants
  });
};

/** [N, C] float targets: `inputs.targets` when given, the one-hot of the labels otherwise. */
export const multiHotTargets = (inputs: LossInputs, lossName: string): tf.Tensor2D => {
  const { logits, labels, targets } = inputs;
  if (targets === undefined) return oneHotOf(labels, logits.shape[1]);
  if (targets.shape[0] !== logits.shape[0] || targets.shape[1] !== logits.shape[1]) {
    throw new UserError(
      'bad-config',
      `${lossName}: targets have shape [${targets.shape.join(', ')}] but logits have shape [${logits.shape.join(', ')}].`,
    );
  }
  return tf.cast(targets, 'float32') as tf.Tensor2D;
};

/** [N, C] re-balanced weights α + sigmoid(β(r − μ)), r_i^k = (1/n_i)/Σ_{j∈Y_k} 1/n_j (call inside a tidy scope). */
const rebalanceWeights = (y: tf.Tensor2D, p: DistributionBalancedPrepared): tf.Tensor2D => {
  const inv = tf.tensor1d(p.inverseCounts as number[], 'float32');
  // Σ_{j∈Y_k} 1/n_j; a row with no positive gives 1/1e-30, i.e. r = +∞ in effect (sigmoid → 1).
  const repeatRate = tf.maximum(tf.sum(tf.mul(y, inv), 1, true), 1e-30);
  const r = tf.div(tf.expandDims(inv, 0), repeatRate);
  return tf.add(tf.sigmoid(tf.mul(p.beta, tf.sub(r, p.mu))), p.alpha) as tf.Tensor2D;
};

/** Per-example Distribution-Balanced loss (sum over classes) of `logits` against multi-hot `y` [N, C]. */
export const distributionBalancedPerExample = (
  logits: tf.Tensor2D,
  y: tf.Tensor2D,
  prepared: DistributionBalancedPrepared,
): tf.Tensor1D =>
  tf.tidy(() => {
    const lambda = prepared.negScale;
    const weights = prepared.reweight === 'rebalance' ? rebalanceWeights(y, prepared) : tf.onesLike(y);
    const shifted = tf.add(logits, tf.tensor1d(prepared.logitShift as number[], 'float32'));
    const negatives = tf.sub(1, y);
    // z'' = y·z' + (1 − y)·λ·z'  and  w' = y·w + (1 − y)·w/λ  (logit_reg_functions).
    const z = lambda === 1 ? shifted : tf.add(tf.mul(y, shifted), tf.mul(negatives, tf.mul(shifted, lambda)));
    const w = lambda === 1 ? weights : tf.mul(weights, tf.add(y, tf.div(negatives, lambda)));
    // BCE with logits as PyTorch computes it: max(z, 0) − y·z + log(1 + e^{−|z|}) (no cancellation).
    const bce = tf.add(tf.sub(tf.relu(z), tf.mul(y, z)), tf.log1p(tf.exp(tf.neg(tf.abs(z)))));
    const weighted = tf.mul(w, bce);
    const terms =
      prepared.focalGamma === null
        ? weighted
        : tf.mul(prepared.balanceParam, tf.mul(focalModulator(bce as tf.Tensor1D, prepared.focalGamma), weighted));
    return tf.sum(terms, 1) as tf.Tensor1D;
  });

/** The Distribution-Balanced loss as a registered loss. */
export const distributionBalanced = defineLoss<DistributionBalancedConfig, DistributionBalancedPrepared>({
  name: 'db-loss',
  summary:
    'multi-label sigmoid loss with re-balanced weights α + σ(β(r − μ)), NTR shift κ/λ·log(N/n − 1) and negative scale λ, focal form (DB-Focal)',
  source:
    'Wu et al., ECCV 2020; wutong16/DistributionBalancedLoss mllt/models/losses/resample_loss.py, configs/coco/LT_resnet50_pfc_DB.py (α 0.1, β 10, μ 0.2, κ 0.05, λ 2, γ 2, balance 2)',
  configCodec: DistributionBalancedConfig,
  defaults: {
    reweight: 'rebalance',
    alpha: 0.1,
    beta: 10,
    mu: 0.2,
    initBias: 0.05,
    negScale: 2,
    focal: true,
    gamma: 2,
    balanceParam: 2,
    numImages: null,
  },
  prepare: (config, counts) => {
    checkCounts(counts, 'db-loss');
    const numImages = config.numImages ?? counts.reduce((a, b) => a + b, 0);
    return {
      inverseCounts: counts.map((n) => 1 / Math.max(n, 1)),
      logitShift: distributionBalancedLogitShift(counts, numImages, config.initBias, config.negScale),
      reweight: config.reweight,
      alpha: config.alpha,
      beta: config.beta,
      mu: config.mu,
      negScale: config.negScale,
      focalGamma: config.focal ? config.gamma : null,
      balanceParam: config.balanceParam,
    };
  },
  perExample: (inputs, prepared) =>
    tf.tidy(() => distributionBalancedPerExample(inputs.logits, multiHotTargets(inputs, 'db-loss'), prepared)),
});
