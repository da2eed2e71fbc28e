/**
 * Softmax focal loss: cross-entropy scaled down on examples the model already gets right.
 *
 * Intuition: (1 − p_y)^γ is near 0 for confident correct examples and near 1 for hard ones, so the
 * many easy head-class examples stop dominating the gradient.
 *
 * Formula (per example i, label y, p = softmax(z), ce = −log p_y):
 *   modulatorFrom = 'probability':  ℓ = w_y · (1 − p_y)^γ · ce                       (Lin et al. 2017, α_t = w_y)
 *   modulatorFrom = 'weighted-ce':  ℓ = (1 − exp(−w_y·ce))^γ · w_y·ce                 (as coded in LDAM-DRW)
 * with w_y = 1 when `classWeights` is null; both forms are identical then.
 *
 * Paper: Lin, Goyal, Girshick, He, Dollár, "Focal Loss for Dense Object Detection", ICCV 2017
 * (sigmoid form for detection); the softmax form for long-tailed classification is the baseline of
 * Cao et al., NeurIPS 2019.
 * Defaults: `kaidic/LDAM-DRW: losses.py` (`FocalLoss`, `focal_loss`) with γ = 1 as passed in
 * `cifar_train.py` (`--loss_type Focal`), weight = None unless DRW/re-weighting is on.
 *
 * Named deviation / quirk: LDAM-DRW's `focal_loss(F.cross_entropy(..., weight=w, reduction='none'), γ)`
 * computes p = exp(−w_y·ce) from the *weighted* cross-entropy, so with class weights p is no longer
 * the model's probability. That behaviour is the default here (`modulatorFrom: 'weighted-ce'`) to
 * match the official numbers; `'probability'` gives the α-balanced form of the paper. Without class
 * weights the two agree. Stable form: 1 − p = −expm1(−ce), floored at 1e-30 (see `focalModulator`).
 *
 * @see crossEntropy (γ = 0), classBalanced (sigmoid focal with effective-number weights)
 */
import * as t from 'io-ts';
import * as tf from '@tensorflow/tfjs-core';
import { NonNegative } from '../config/codecs.js';
import { defineLoss } from './loss-spec.js';
import { checkClassVector, checkCounts, focalModulator, oneHotOf, perClassValue, softmaxNll } from './internal.js';

/** Focal loss's config. */
export const FocalConfig = t.type({
  /** Focusing parameter γ ≥ 0 (0 gives cross-entropy). */
  gamma: NonNegative,
  /** Optional per-class weights w_j (the `weight=` of the official loss); null for none. */
  classWeights: t.union([t.null, t.array(NonNegative)]),
  /** Where p in (1 − p)^γ comes from when weights are given: see the module doc. */
  modulatorFrom: t.keyof({ probability: null, 'weighted-ce': null }),
});
/** Focal loss's config type. */
export type FocalConfig = t.TypeOf<typeof FocalConfig>;

/** What `focal.prepare` computes. */
export interface FocalPrepared {
  readonly gamma: number;
  readonly classWeights: readonly number[] | null;
  readonly modulatorFrom: FocalConfig['modulatorFrom'];
}

/** Per-example softmax focal loss of `logits` [N, C] against int labels [N]. */
export const focalPerExample = (logits: tf.Tensor2D, labels: tf.Tensor1D, prepared: FocalPrepared): tf.Tensor1D =>
  tf.tidy(() => {
    const ce = softmaxNll(logits, oneHotOf(labels, logits.shape[1]));
    if (prepared.classWeights === null) return tf.mul(focalModulator(ce, prepared.gamma), ce) as tf.Tensor1D;
    const w = perClassValue(labels, prepared.classWeights);
    if (prepared.modulatorFrom === 'weighted-ce') {
      const wce = tf.mul(w, ce) as tf.Tensor1D;
      return tf.mul(focalModulator(wce, prepared.gamma), wce) as tf.Tensor1D;
    }
    return tf.mul(w, tf.mul(focalModulator(ce, prepared.gamma), ce)) as tf.Tensor1D;
  });

/** The focal loss as a registered loss. */
export const focal = defineLoss<FocalConfig, FocalPrepared>({
  name: 'focal',
  summary: 'softmax focal loss (1 − p_y)^γ · CE, optional class weights',
  source: 'Lin et al., ICCV 2017; defaults kaidic/LDAM-DRW losses.py + cifar_train.py (γ = 1)',
  configCodec: FocalConfig,
  defaults: { gamma: 1, classWeights: null, modulatorFrom: 'weighted-ce' },
  prepare: (config, counts) => {
    checkCounts(counts, 'focal');
    if (config.classWeights !== null) checkClassVector(config.classWeights, counts.length, 'focal.classWeights');
    return { gamma: config.gamma, classWeights: config.classWeights, modulatorFrom: config.modulatorFrom };
  },
  perExample: ({ logits, labels }, prepared) => focalPerExample(logits, labels, prepared),
});
