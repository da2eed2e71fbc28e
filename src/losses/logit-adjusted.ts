/**
 * Logit-adjusted cross-entropy: cross-entropy on logits shifted by the scaled log prior.
 *
 * Intuition: adding τ·log π_j during training makes the network learn z − τ·log π, the logits of a
 * balanced-error classifier, so a plain argmax at test time no longer favours the head.
 *
 * Formula: ℓ_i = −log softmax(z_i + a)_{y_i},  a_j = log(π_j^τ + 1e-12),  π_j = n_j / Σ_k n_k.
 * (τ·log π_j for π_j > 0; the 1e-12 is the official code's guard, which also keeps empty classes finite.)
 *
 * Paper: Menon, Jayasumana, Rawat, Jain, Veit, Kumar, "Long-Tail Learning via Logit Adjustment",
 * ICLR 2021 (logit-adjusted softmax cross-entropy). Code and default τ = 1:
 * `google-research/google-research: logit_adjustment/utils.py` (`build_loss_fn`:
 * `logits + tf.math.log(base_probs**tau + 1e-12)`), τ = 1 from `main.py`'s flag default.
 *
 * @see balancedSoftmax (τ = 1), vsLoss (adds a multiplicative term), crossEntropy (τ = 0)
 */
import * as t from 'io-ts';
import * as tf from '@tensorflow/tfjs-core';
import { NonNegative } from '../config/codecs.js';
import type { ClassCounts } from '../core/class-counts.js';
import { defineLoss } from './loss-spec.js';
import { addPerClass, checkCounts, classPrior, oneHotOf, softmaxNll } from './internal.js';

/** Logit-adjusted loss's config. */
export const LogitAdjustedConfig = t.type({
  /** Scaling τ ≥ 0 of the log prior (0 gives cross-entropy). */
  tau: NonNegative,
});
/** Logit-adjusted loss's config type. */
export type LogitAdjustedConfig = t.TypeOf<typeof LogitAdjustedConfig>;

/** What `logitAdjusted.prepare` computes: the additive per-class offsets a_j. */
export interface LogitAdjustedPrepared {
  readonly offsets: readonly number[];
}

/** a_j = log(π_j^τ + 1e-12), the additive logit adjustment of the official code. */
export const logitAdjustments = (counts: ClassCounts, tau: number): number[] =>
  classPrior(counts).map((p) => Math.log(p ** tau + 1e-12));

/** Per-example cross-entropy of `logits + offsets` (the shared body of the additive-prior losses). */
export const offsetCrossEntropy = (logits: tf.Tensor2D, labels: tf.Tensor1D, offsets: readonly number[]): tf.Tensor1D =>
  tf.tidy(() => softmaxNll(addPerClass(logits, offsets), oneHotOf(labels, logits.shape[1])));

/** Logit-adjusted cross-entropy as a registered loss. */
export const logitAdjusted = defineLoss<LogitAdjustedConfig, LogitAdjustedPrepared>({
  name: 'logit-adjusted',
  summary: 'CE on z + τ·log π (logit-adjusted loss)',
  source: 'Menon et al., ICLR 2021; google-research logit_adjustment (τ = 1, log(π^τ + 1e-12))',
  configCodec: LogitAdjustedConfig,
  defaults: { tau: 1 },
  prepare: (config, counts) => {
    checkCounts(counts, 'logit-adjusted');
    return { offsets: logitAdjustments(counts, config.tau) };
  },
  perExample: ({ logits, labels }, prepared) => offsetCrossEntropy(logits, labels, prepared.offsets),
});
