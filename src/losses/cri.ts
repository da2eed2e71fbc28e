/**
 * CRI (coupling-regulation-imbalance) loss: LDAM's class margins, the focal modulator, and a
 * correction term that bounds the loss of outliers. PROVISIONAL: the paper's exact formula is not
 * available to us; this is the reading of its abstract recorded in our methods sheet.
 *
 * Intuition: LDAM margins handle the quantity imbalance (rare classes get a larger margin), the focal
 * modulator shifts attention from easy to hard samples, and the correction keeps the hardest samples
 * of all — likely outliers or label noise, which focal would weight most — from dominating.
 *
 * Formula (z: cosine logits, y the label, m_j the LDAM margins m_j = maxMargin · n_j^(−1/4)/max_k n_k^(−1/4)):
 *   ce = CE( s · (z − m_y · e_y), y )             (LDAM, `ldam`)
 *   f  = (1 − e^(−ce))^γ · ce                      (focal on the margin logits, `focalModulator`)
 *   c  = κ · (1 − e^(−f/κ)) − f                    (correction, ≤ 0; κ = outlierCap)
 *   ℓ  = f + c = κ · (1 − e^(−f/κ))                (≈ f for f ≪ κ, never above κ; outlierCap null: ℓ = f)
 * The correction scales the gradient of f by e^(−f/κ): a sample with loss far above κ stops pulling.
 *
 * Paper: Xu, Cheng, Zhang, Wu, Shao, Liu, Shen, Yao, Xu, "Phased Progressive Learning with
 * Coupling-Regulation-Imbalance Loss for Imbalanced Data Classification", arXiv 2205.12117 (v3 2023).
 * Its abstract says CRI couples "a correction term, Focal loss and LDAM loss" to handle quantity
 * imbalance and outliers. No official code exists (the abstract promises it), and the paper body was
 * not readable to us: the product form f and the bounded correction c are CONJECTURE (methods-A §10,
 * "one reading consistent with the abstract"), not the paper's equation. Defaults: maxMargin 0.5,
 * s = 30 (LDAM-DRW `LDAMLoss`), γ = 1 (LDAM-DRW `FocalLoss` as used in `cifar_train.py`); κ = 20 nats
 * is ours (a cosine head with s = 30 reaches losses of ~75 only for confidently misclassified samples).
 * An empty class counts as one sample for its margin, as in `ldam`.
 *
 * @see ldam, focal, ldamMargins, focalModulator
 */
import * as t from 'io-ts';
import * as tf from '@tensorflow/tfjs-core';
import { NonNegative, Positive } from '../config/codecs.js';
import { defineLoss } from './loss-spec.js';
import { checkCounts, focalModulator, oneHotOf, perClassValue, softmaxNll, subtractOnTrueClass } from './internal.js';
import { ldamMargins } from './ldam.js';

/** CRI's config. */
export const CriConfig = t.type({
  /** LDAM margin of the rarest class. */
  maxMargin: NonNegative,
  /** Logit scale s applied after the margin. */
  scale: Positive,
  /** Focal γ ≥ 0 (0: no modulator). */
  gamma: NonNegative,
  /** κ: the loss is bounded by κ through the correction term; null drops the correction. */
  outlierCap: t.union([Positive, t.null]),
});
/** CRI's config type. */
export type CriConfig = t.TypeOf<typeof CriConfig>;

/** What `cri.prepare` computes. */
export interface CriPrepared {
  /** Per-class LDAM margins m_j. */
  readonly margins: readonly number[];
  readonly scale: number;
  readonly gamma: number;
  readonly outlierCap: number | null;
}

/** The CRI loss as a registered loss. */
export const cri = defineLoss<CriConfig, CriPrepared>({
  name: 'cri',
  summary: 'CRI (provisional form): κ·(1 − e^(−f/κ)), f = focal (1 − p)^γ·CE on LDAM margin logits s·(z − m_y e_y)',
  source: 'Xu et al., arXiv 2205.12117 (PPL + CRI); no official code, paper formula not available: CONJECTURED form; LDAM-DRW defaults (max_m 0.5, s 30, γ 1), κ = 20 ours',
  configCodec: CriConfig,
  defaults: { maxMargin: 0.5, scale: 30, gamma: 1, outlierCap: 20 },
  prepare: (config, counts) => {
    checkCounts(counts, 'cri');
    return { margins: ldamMargins(counts, config.maxMargin), scale: config.scale, gamma: config.gamma, outlierCap: config.outlierCap };
  },
  perExample: ({ logits, labels }, prepared) =>
    tf.tidy(() => {
      const oneHot = oneHotOf(labels, logits.shape[1]);
      const shifted = subtractOnTrueClass(logits, oneHot, perClassValue(labels, prepared.margins));
      const ce = softmaxNll(tf.mul(shifted, prepared.scale) as tf.Tensor2D, oneHot);
      const f = tf.mul(focalModulator(ce, prepared.gamma), ce) as tf.Tensor1D;
      if (prepared.outlierCap === null) return f;
      const cap = prepared.outlierCap;
      // κ·(1 − e^(−f/κ)) = −κ·expm1(−f/κ): exact for f ≪ κ.
      return tf.mul(tf.expm1(tf.div(tf.neg(f), cap)), -cap) as tf.Tensor1D;
    }),
});
