/**
 * PAL (prototype-anchored learning) loss: a base loss — cross-entropy or LDAM — on the scaled
 * cosines between the features and class prototypes that are fixed at maximally separated
 * positions. The anchoring lives in the model head; this loss is what acts on its logits.
 *
 * Intuition: a learned classifier lets head-class prototypes grow and crowd the tail; anchoring every
 * prototype at a vertex of a regular simplex fixes the class margin at its largest value, so training
 * only has to enlarge the sample margins.
 *
 * Construction (how to get the logits this loss expects): wrap the backbone with
 *   `withFixedPrototypes(base, simplexEtfPrototypes(K, D), D)`            (src/models/fixed-prototypes.ts)
 * whose logits are z_j = cos(x, w_j) ∈ [−1, 1] for frozen unit prototypes with w_iᵀw_j = −1/(K − 1)
 * (K ≤ D + 1), at scale 1 — the scale s is applied here, once. Then
 *   base 'ce':    ℓ = CE(s · z, y)
 *   base 'ldam':  ℓ = CE(s · (z − m_y · e_y), y),  m_j = maxMargin · n_j^(−1/4)/max_k n_k^(−1/4)   (`ldam`)
 * On logits from a learned head the loss is just the base loss: the anchoring is not checked here.
 *
 * Paper: Zhou, Liu, Zhai, Jiang, Gao, Ji, "Prototype-Anchored Learning for Learning with Imperfect
 * Annotations", ICML 2022 (arXiv 2206.11602). No official code is available to us and only the
 * abstract could be read: fixed simplex prototypes + a base loss (CE or LDAM-DRW for imbalance) is our
 * methods sheet's recalled reading (methods-A §5), an approximation of PAL rather than a verified
 * re-implementation; the paper's prototypes for K > D + 1 (minimising the largest pairwise cosine) are
 * not built. Defaults: base 'ldam' with LDAM-DRW's max_m = 0.5, s = 30 (`kaidic/LDAM-DRW: losses.py`);
 * with the LDAM schedule, DRW weights go to the reduction as for `ldam`.
 *
 * @see ldam, ldamMargins, zeroCentroid (a soft version of the same anchoring, on learned prototypes)
 */
import * as t from 'io-ts';
import * as tf from '@tensorflow/tfjs-core';
import { NonNegative, Positive } from '../config/codecs.js';
import { defineLoss } from './loss-spec.js';
import { checkCounts, oneHotOf, perClassValue, softmaxNll, subtractOnTrueClass } from './internal.js';
import { ldamMargins } from './ldam.js';

/** PAL's config. */
export const PalConfig = t.type({
  /** The base loss on the anchored cosine logits. */
  base: t.keyof({ ce: null, ldam: null }),
  /** LDAM margin of the rarest class (base 'ldam' only). */
  maxMargin: NonNegative,
  /** Logit scale s applied to the cosines. */
  scale: Positive,
});
/** PAL's config type. */
export type PalConfig = t.TypeOf<typeof PalConfig>;

/** What `pal.prepare` computes. */
export interface PalPrepared {
  /** Per-class margins m_j (all 0 for base 'ce'). */
  readonly margins: readonly number[];
  readonly scale: number;
}

/** The PAL loss as a registered loss. */
export const pal = defineLoss<PalConfig, PalPrepared>({
  name: 'pal',
  summary: 'prototype-anchored learning: CE or LDAM on s·cos(x, w_j) to fixed simplex prototypes (withFixedPrototypes)',
  source: 'Zhou et al., ICML 2022 (arXiv 2206.11602), no official code: recalled reading (fixed simplex ETF + base loss); LDAM-DRW losses.py (max_m 0.5, s 30)',
  configCodec: PalConfig,
  defaults: { base: 'ldam', maxMargin: 0.5, scale: 30 },
  prepare: (config, counts) => {
    checkCounts(counts, 'pal');
    return {
      margins: config.base === 'ldam' ? ldamMargins(counts, config.maxMargin) : counts.map(() => 0),
      scale: config.scale,
    };
  },
  perExample: ({ logits, labels }, prepared) =>
    tf.tidy(() => {
      const oneHot = oneHotOf(labels, logits.shape[1]);
      const shifted = subtractOnTrueClass(logits, oneHot, perClassValue(labels, prepared.margins));
      return softmaxNll(tf.mul(shifted, prepared.scale) as tf.Tensor2D, oneHot);
    }),
});
