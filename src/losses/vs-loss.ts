/**
 * VS loss (vector-scaling): cross-entropy on logits scaled and shifted per class.
 *
 * Intuition: the additive log-prior term (logit adjustment) corrects the balance early in training,
 * the multiplicative term (class-dependent temperature) keeps acting once the data are separated,
 * where additive terms lose their effect.
 *
 * Formula: ℓ_i = −log softmax(Δ ⊙ z_i + ι)_{y_i},
 *   Δ_j = (n_j / n_max)^γ   (multiplicative; the code divides by (n_max/n_j)^γ),
 *   ι_j = τ · log(π_j + 1e-12),  π_j = n_j / Σ_k n_k   (additive).
 * γ = 0 gives logit adjustment, τ = 0 gives CDT, γ = τ = 0 cross-entropy.
 *
 * Paper: Kini, Paraskevas, Oymak, Thrampoulidis, "Label-Imbalanced and Group-Sensitive Classification
 * under Overparameterization", NeurIPS 2021 (VS loss). Code and defaults γ = 0.3, τ = 1.0:
 * `orparask/VS-Loss: class_imbalance/losses.py` (`VSLoss`) and `class_imbalance/train.py` (argparse).
 * Deviation: the 1e-12 inside the log (the official `tau * np.log(cls_probs)` is −∞ for an empty
 * class); with n_j = 0, Δ_j = 0 (γ > 0), i.e. that class's logit is zeroed, as in the official code.
 *
 * @see logitAdjusted, cdt, crossEntropy
 */
import * as t from 'io-ts';
import * as tf from '@tensorflow/tfjs-core';
import { NonNegative } from '../config/codecs.js';
import type { ClassCounts } from '../core/class-counts.js';
import { defineLoss } from './loss-spec.js';
import { addPerClass, checkCounts, classPrior, mulPerClass, oneHotOf, softmaxNll } from './internal.js';

/** VS loss's config. */
export const VsLossConfig = t.type({
  /** Exponent γ ≥ 0 of the multiplicative adjustment (n_j/n_max)^γ. */
  gamma: NonNegative,
  /** Scale τ ≥ 0 of the additive adjustment τ·log π_j. */
  tau: NonNegative,
});
/** VS loss's config type. */
export type VsLossConfig = t.TypeOf<typeof VsLossConfig>;

/** Per-class multiplicative scales Δ and additive offsets ι. */
export interface VsAdjustments {
  readonly scales: readonly number[];
  readonly offsets: readonly number[];
}

/** Δ_j = (n_j/n_max)^γ and ι_j = τ·log(π_j + 1e-12). */
export const vsAdjustments = (counts: ClassCounts, gamma: number, tau: number): VsAdjustments => {
  const nMax = Math.max(...counts);
  return {
    scales: counts.map((n) => (n / nMax) ** gamma),
    offsets: classPrior(counts).map((p) => tau * Math.log(p + 1e-12)),
  };
};

/** VS loss as a registered loss. */
export const vsLoss = defineLoss<VsLossConfig, VsAdjustments>({
  name: 'vs',
  summary: 'CE on (n_j/n_max)^γ · z_j + τ·log π_j (vector-scaling loss)',
  source: 'Kini et al., NeurIPS 2021; orparask/VS-Loss class_imbalance/losses.py VSLoss, train.py (γ = 0.3, τ = 1)',
  configCodec: VsLossConfig,
  defaults: { gamma: 0.3, tau: 1 },
  prepare: (config, counts) => {
    checkCounts(counts, 'vs');
    return vsAdjustments(counts, config.gamma, config.tau);
  },
  perExample: ({ logits, labels }, prepared) =>
    tf.tidy(() =>
      softmaxNll(addPerClass(mulPerClass(logits, prepared.scales), prepared.offsets), oneHotOf(labels, logits.shape[1])),
    ),
});
