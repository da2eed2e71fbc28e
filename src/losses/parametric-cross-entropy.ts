/**
 * AutoBalance's parametric cross-entropy: per-class multiplicative and additive logit adjustments
 * and per-class weights, as inputs a bilevel optimiser can learn.
 *
 * Intuition: logit adjustment (additive), CDT/VS (multiplicative) and re-weighting are points of one
 * family; AutoBalance searches the family by the gradient of a balanced validation loss.
 *
 * Formula: ℓ_i = −w_{y_i} · log softmax(Δ ⊙ z_i + l)_{y_i},
 *   Δ_j = sigmoid(dy_j)  (parametrisation 'sigmoid', `loss_adjust_cross_entropy`), or
 *   Δ_j = dy_j           (parametrisation 'raw', `loss_adjust_cross_entropy_cdt`).
 * Initial values (the registered spec keeps them fixed; a bilevel optimiser passes its own tensors to
 * `parametricCrossEntropyPerExample`, whose gradient reaches dy, ly and wy):
 *   dyInit 'ones': dy_j = 1 (Δ = sigmoid(1) ≈ 0.731 with the sigmoid);  'cdt': dy_j = (n_j/n_max)^γ,
 *   lyInit 'zeros': l_j = 0;  'logit-adjustment': l_j = τ·log π_j;  weights w_j = 1 (`wy: false`).
 *
 * Paper: Li, Zhang, Thrampoulidis, Chen, Oymak, "AutoBalance: Optimized Loss Functions for Imbalanced
 * Data", NeurIPS 2021 (the loss family). Code: `ucr-optml/AutoBalance: core/utils.py`
 * (`loss_adjust_cross_entropy`, `loss_adjust_cross_entropy_cdt`, `get_init_dy` = ones, `get_init_ly`
 * = zeros, `get_train_w` = ones); defaults from `configs/{cifar10,cifar100}/dyly_no_init/1.yaml` (sigmoid, dy ones,
 * ly zeros, wy fixed). The γ and τ of the CDT/LA initialisations have no default there; 0.3 and 1 are
 * the VS-Loss repo's. Weights enter per example (w_y·ℓ); the official `F.cross_entropy(weight=wy)`
 * is PyTorch's weighted mean, i.e. divide by Σ w_{y_i} in the reduction (`perExampleClassWeights`).
 * Not included: the bilevel search itself (implicit gradient, Neumann series), which belongs to src/train.
 *
 * @see vsLoss, logitAdjusted, cdt
 */
import * as t from 'io-ts';
import * as tf from '@tensorflow/tfjs-core';
import { FiniteNumber, NonNegative, NullWhenMissing } from '../config/codecs.js';
import { UserError } from '../core/errors.js';
import { defineLoss } from './loss-spec.js';
import { checkCounts, classPrior, oneHotOf, softmaxNll } from './internal.js';

/** The parametric cross-entropy's config. */
export const ParametricCrossEntropyConfig = t.type({
  /** Δ = sigmoid(dy) ('sigmoid') or Δ = dy ('raw'). */
  parametrisation: t.keyof({ sigmoid: null, raw: null }),
  /** Initial dy: all ones, or the CDT values (n_j/n_max)^γ. */
  dyInit: t.keyof({ ones: null, cdt: null }),
  /** Initial ly: zeros, or the logit-adjustment values τ·log π_j. */
  lyInit: t.keyof({ zeros: null, 'logit-adjustment': null }),
  /** γ of the CDT initialisation. */
  gamma: NonNegative,
  /** τ of the logit-adjustment initialisation. */
  tau: NonNegative,
  /**
   * Per-class (dy, ly) that replace the initialisations, e.g. the values an AutoBalance search found
   * (its run folder's `autobalance.json`, for `retraining.py`'s second phase); null for none. Missing decodes as null.
   */
  values: NullWhenMissing(t.type({ dy: t.array(FiniteNumber), ly: t.array(FiniteNumber) })),
});
/** The parametric cross-entropy's config type. */
export type ParametricCrossEntropyConfig = t.TypeOf<typeof ParametricCrossEntropyConfig>;

/** The loss parameters as host arrays (what `prepare` computes). */
export interface ParametricCrossEntropyPrepared {
  readonly parametrisation: ParametricCrossEntropyConfig['parametrisation'];
  /** dy per class (before the sigmoid when parametrisation is 'sigmoid'). */
  readonly dy: readonly number[];
  /** ly per class. */
  readonly ly: readonly number[];
  /** wy per class. */
  readonly wy: readonly number[];
}

/** The loss parameters as tensors, for an optimiser that learns them. */
export interface ParametricCrossEntropyParams {
  /** [C] multiplicative parameters dy. */
  readonly dy: tf.Tensor1D;
  /** [C] additive parameters ly. */
  readonly ly: tf.Tensor1D;
  /** [C] class weights wy (omit for all ones). */
  readonly wy?: tf.Tensor1D;
}

/**
 * Per-example −w_y·log softmax(Δ(dy) ⊙ z + ly)_y; differentiable with respect to logits, dy, ly and wy.
 */
export const parametricCrossEntropyPerExample = (
  logits: tf.Tensor2D,
  labels: tf.Tensor1D,
  params: ParametricCrossEntropyParams,
  parametrisation: ParametricCrossEntropyConfig['parametrisation'] = 'sigmoid',
): tf.Tensor1D =>
  tf.tidy(() => {
    const scale = parametrisation === 'sigmoid' ? tf.sigmoid(params.dy) : params.dy;
    const oneHot = oneHotOf(labels, logits.shape[1]);
    const ce = softmaxNll(tf.add(tf.mul(logits, scale), params.ly) as tf.Tensor2D, oneHot);
    if (params.wy === undefined) return ce;
    return tf.mul(tf.sum(tf.mul(oneHot, params.wy), 1), ce) as tf.Tensor1D;
  });

/** AutoBalance's parametric cross-entropy as a registered loss (parameters fixed at their initial values). */
export const parametricCrossEntropy = defineLoss<ParametricCrossEntropyConfig, ParametricCrossEntropyPrepared>({
  name: 'autobalance',
  summary: 'AutoBalance parametric CE −w_y log softmax(sigmoid(dy)·z + ly), parameters learnable',
  source: 'Li et al., NeurIPS 2021; ucr-optml/AutoBalance core/utils.py, configs/{cifar10,cifar100}/dyly_no_init/1.yaml',
  configCodec: ParametricCrossEntropyConfig,
  defaults: { parametrisation: 'sigmoid', dyInit: 'ones', lyInit: 'zeros', gamma: 0.3, tau: 1, values: null },
  prepare: (config, counts) => {
    checkCounts(counts, 'autobalance');
    // `?? null`: configs built in code before the field existed leave it out.
    const values = config.values ?? null;
    if (values !== null) {
      const { dy, ly } = values;
      if (dy.length !== counts.length || ly.length !== counts.length) {
        throw new UserError('bad-config', `autobalance: lossConfig.values has ${dy.length} dy and ${ly.length} ly values for ${counts.length} classes.`);
      }
      return { parametrisation: config.parametrisation, dy: [...dy], ly: [...ly], wy: counts.map(() => 1) };
    }
    const nMax = Math.max(...counts);
    return {
      parametrisation: config.parametrisation,
      dy: config.dyInit === 'ones' ? counts.map(() => 1) : counts.map((n) => (n / nMax) ** config.gamma),
      ly: config.lyInit === 'zeros' ? counts.map(() => 0) : classPrior(counts).map((p) => config.tau * Math.log(p + 1e-12)),
      wy: counts.map(() => 1),
    };
  },
  perExample: ({ logits, labels }, prepared) =>
    tf.tidy(() =>
      parametricCrossEntropyPerExample(
        logits,
        labels,
        { dy: tf.tensor1d(prepared.dy as number[]), ly: tf.tensor1d(prepared.ly as number[]), wy: tf.tensor1d(prepared.wy as number[]) },
        prepared.parametrisation,
      ),
    ),
});
