/**
 * LDAM: label-distribution-aware margin loss.
 *
 * Intuition: demand a larger margin from rare classes, whose decision boundary generalises worst;
 * the optimal trade-off of the paper's bound gives margins ∝ n_j^(−1/4).
 *
 * Formula: m_j = maxMargin · n_j^(−1/4) / max_k n_k^(−1/4)   (the rarest class gets maxMargin),
 *   ℓ_i = CE( s · (z_i − m_{y_i} · e_{y_i}), y_i )
 * The margin is subtracted from the true-class logit only, before scaling by s.
 *
 * Paper: Cao, Wei, Gaidon, Arechiga, Ma, "Learning Imbalanced Datasets with Label-Distribution-Aware
 * Margin Loss", NeurIPS 2019 (Δ_j = C / n_j^{1/4}). Code and defaults: `kaidic/LDAM-DRW:
 * losses.py` (`LDAMLoss(cls_num_list, max_m=0.5, weight=None, s=30)`), as constructed in `cifar_train.py`.
 * Meant for a normalised-linear (cosine) head: with unnormalised logits, s = 30 makes the loss very
 * sharp. DRW weights, when used, are per-example weights of the reduction (`perExampleClassWeights`
 * with `classBalancedWeights(counts, 0.9999)`, PyTorch's weighted mean).
 * Deviation: an empty class counts as one sample (the official n^(−1/4) is infinite there).
 *
 * @see crossEntropy (maxMargin = 0, scale = 1), classBalancedWeights
 */
import * as t from 'io-ts';
import * as tf from '@tensorflow/tfjs-core';
import { NonNegative, Positive } from '../config/codecs.js';
import type { ClassCounts } from '../core/class-counts.js';
import { defineLoss } from './loss-spec.js';
import { checkCounts, oneHotOf, perClassValue, softmaxNll, subtractOnTrueClass } from './internal.js';

/** LDAM's config. */
export const LdamConfig = t.type({
  /** The margin of the rarest class (the largest margin). */
  maxMargin: NonNegative,
  /** Logit scale s applied after the margin. */
  scale: Positive,
});
/** LDAM's config type. */
export type LdamConfig = t.TypeOf<typeof LdamConfig>;

/** What `ldam.prepare` computes. */
export interface LdamPrepared {
  /** Per-class margins m_j. */
  readonly margins: readonly number[];
  readonly scale: number;
}

/** LDAM margins m_j = maxMargin · n_j^(−1/4) / max_k n_k^(−1/4); empty classes count as one sample. */
export const ldamMargins = (counts: ClassCounts, maxMargin: number): number[] => {
  const raw = counts.map((n) => 1 / Math.sqrt(Math.sqrt(Math.max(n, 1))));
  const largest = Math.max(...raw);
  return raw.map((r) => r * (maxMargin / largest));
};

/** LDAM as a registered loss. */
export const ldam = defineLoss<LdamConfig, LdamPrepared>({
  name: 'ldam',
  summary: 'CE on s · (z − m_y e_y) with margins m_j ∝ n_j^(−1/4), largest = maxMargin',
  source: 'Cao et al., NeurIPS 2019; kaidic/LDAM-DRW losses.py LDAMLoss (max_m = 0.5, s = 30)',
  configCodec: LdamConfig,
  defaults: { maxMargin: 0.5, scale: 30 },
  prepare: (config, counts) => {
    checkCounts(counts, 'ldam');
    return { margins: ldamMargins(counts, config.maxMargin), scale: config.scale };
  },
  perExample: ({ logits, labels }, prepared) =>
    tf.tidy(() => {
      const oneHot = oneHotOf(labels, logits.shape[1]);
      const shifted = subtractOnTrueClass(logits, oneHot, perClassValue(labels, prepared.margins));
      return softmaxNll(tf.mul(shifted, prepared.scale) as tf.Tensor2D, oneHot);
    }),
});
