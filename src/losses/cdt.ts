/**
 * CDT: cross-entropy with class-dependent temperatures.
 *
 * Intuition: tail-class features of test images drift away from the few training ones; dividing
 * tail logits by a temperature > 1 during training forces the network to make them larger, which
 * compensates the drift. Prediction uses the raw logits.
 *
 * Formula: a_j = (n_max / n_j)^γ,  ℓ_i = −log softmax(z_i / a)_{y_i}  (element-wise division; a_j ≥ 1).
 *
 * Paper: Ye, Chen, Zhan, Chao, "Identifying and Compensating for Feature Deviation in Imbalanced Deep
 * Learning", arXiv 2001.01385 (2020). No official code was found; the three public
 * implementations agree: `zhangyongshun/BagofTricks-LT: lib/loss/loss_impl/class_dependent_temperatures_loss.py`
 * (`inputs / ((max n / n_j) ** γ)`), `orparask/VS-Loss: class_imbalance/losses.py` (`VSLoss(tau=0, gamma)`)
 * and AutoBalance's `dy_init: CDT`. Default γ = 0.3 from `orparask/VS-Loss: class_imbalance/train.py`
 * (`--gamma 0.3`, `--loss_type CDT`); the paper's grid is γ ∈ [0, 0.4] for CIFAR-10 and [0, 0.2] for CIFAR-100.
 * Implemented as multiplication by 1/a_j = (n_j/n_max)^γ, so an empty class (a_j = ∞) gets its logit
 * multiplied by 0 instead of divided by ∞ (the same value, without a 0·∞ in the gradient).
 *
 * @see vsLoss (τ = 0 is this loss), crossEntropy (γ = 0)
 */
import * as t from 'io-ts';
import * as tf from '@tensorflow/tfjs-core';
import { NonNegative } from '../config/codecs.js';
import type { ClassCounts } from '../core/class-counts.js';
import { defineLoss } from './loss-spec.js';
import { checkCounts, mulPerClass, oneHotOf, softmaxNll } from './internal.js';

/** CDT's config. */
export const CdtConfig = t.type({
  /** Exponent γ ≥ 0 of the temperatures (n_max/n_j)^γ. */
  gamma: NonNegative,
});
/** CDT's config type. */
export type CdtConfig = t.TypeOf<typeof CdtConfig>;

/** What `cdt.prepare` computes. */
export interface CdtPrepared {
  /** Temperatures a_j = (n_max/n_j)^γ (∞ for an empty class with γ > 0). */
  readonly temperatures: readonly number[];
  /** 1/a_j, what the logits are multiplied by. */
  readonly inverseTemperatures: readonly number[];
}

/** Class-dependent temperatures a_j = (n_max/n_j)^γ. */
export const cdtTemperatures = (counts: ClassCounts, gamma: number): number[] => {
  const nMax = Math.max(...counts);
  return counts.map((n) => (nMax / n) ** gamma);
};

/** CDT as a registered loss. */
export const cdt = defineLoss<CdtConfig, CdtPrepared>({
  name: 'cdt',
  summary: 'CE on z_j / (n_max/n_j)^γ (class-dependent temperatures, training only)',
  source: 'Ye et al., arXiv 2001.01385; BagofTricks-LT class_dependent_temperatures_loss.py; γ = 0.3 from orparask/VS-Loss train.py',
  configCodec: CdtConfig,
  defaults: { gamma: 0.3 },
  prepare: (config, counts) => {
    checkCounts(counts, 'cdt');
    const nMax = Math.max(...counts);
    return {
      temperatures: cdtTemperatures(counts, config.gamma),
      inverseTemperatures: counts.map((n) => (n / nMax) ** config.gamma),
    };
  },
  perExample: ({ logits, labels }, prepared) =>
    tf.tidy(() => softmaxNll(mulPerClass(logits, prepared.inverseTemperatures), oneHotOf(labels, logits.shape[1]))),
});
