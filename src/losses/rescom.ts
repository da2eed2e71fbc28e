/**
 * ResCom's full training loss: Siamese Balanced Softmax on the logits plus λ times the
 * class-balanced supervised contrastive loss on the features (within-batch form).
 *
 * Intuition: the classifier learns from the prior-shifted softmax, the representation from the
 * class-balanced contrastive term; one per-example value lets the ordinary step train both.
 *
 * Formula: out_i = −log softmax(z_i + log(π + 1e-9))_{y_i} + λ · w_{y_i} · ℓ_i, with w and ℓ_i as in
 * `rescom-supcon`; `reduceLoss(out, 'mean')` is the official L = L_cls + λ · mean_i(w_{y_i} ℓ_i).
 *
 * Paper: Zhong et al., arXiv 2203.11506. Code: `dvlab-research/ResCom: ResCom/losses.py` (`SiamBS_SPM`);
 * defaults from `logger.py` (λ = `con_weight` = 1, τ = 0.1) and the `SiamBS_SPM` signature (β = 0.999).
 * Deviation: no memory queue inside the loss (the registered form mines nothing); a step that keeps a
 * `createClassBalancedQueue` can call `rescomContrastivePerExample` with it instead.
 *
 * @see rescomSupcon, siameseBalancedSoftmax
 */
import * as t from 'io-ts';
import * as tf from '@tensorflow/tfjs-core';
import { NonNegative, Positive, Probability } from '../config/codecs.js';
import { defineLoss } from './loss-spec.js';
import { checkCounts } from './internal.js';
import { offsetCrossEntropy } from './logit-adjusted.js';
import { requireFeatures, rescomClassWeights, rescomContrastivePerExample, type RescomSupconPrepared } from './rescom-supcon.js';
import { siameseBalancedSoftmaxOffsets } from './siamese-balanced-softmax.js';

/** ResCom loss's config. */
export const RescomConfig = t.type({
  /** Temperature τ of the contrastive similarities (`temperature`). */
  temperature: Positive,
  /** β of the effective number in the anchor weights (`effective_num_beta`); 0 = no weighting. */
  effectiveNumBeta: Probability,
  /** λ, the weight of the contrastive term (`con_weight`). */
  conWeight: NonNegative,
});
/** ResCom loss's config type. */
export type RescomConfig = t.TypeOf<typeof RescomConfig>;

/** What `rescom.prepare` computes. */
export interface RescomPrepared {
  /** log(π_j + 1e-9). */
  readonly offsets: readonly number[];
  readonly contrastive: RescomSupconPrepared;
  readonly conWeight: number;
}

/** The ResCom loss as a registered loss; it reads `features`. */
export const rescom = defineLoss<RescomConfig, RescomPrepared>({
  name: 'rescom',
  summary: 'Siamese Balanced Softmax + λ · class-balanced SupCon on L2-normalised features (ResCom, within batch)',
  source: 'Zhong et al., arXiv 2203.11506; dvlab-research/ResCom ResCom/losses.py SiamBS_SPM, logger.py (λ = 1, τ = 0.1; β = 0.999)',
  configCodec: RescomConfig,
  defaults: { temperature: 0.1, effectiveNumBeta: 0.999, conWeight: 1 },
  needs: ['features'],
  prepare: (config, counts) => {
    checkCounts(counts, 'rescom');
    return {
      offsets: siameseBalancedSoftmaxOffsets(counts),
      contrastive: { temperature: config.temperature, classWeights: rescomClassWeights(counts, config.effectiveNumBeta) },
      conWeight: config.conWeight,
    };
  },
  perExample: (inputs, prepared) =>
    tf.tidy(() => {
      const features = requireFeatures(inputs, 'rescom');
      const cls = offsetCrossEntropy(inputs.logits, inputs.labels, prepared.offsets);
      if (prepared.conWeight === 0) return cls;
      const con = rescomContrastivePerExample(features, inputs.labels, prepared.contrastive);
      return tf.add(cls, tf.mul(prepared.conWeight, con)) as tf.Tensor1D;
    }),
});
