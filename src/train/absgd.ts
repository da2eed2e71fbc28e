/**
 * ABSGD, attentional-biased SGD: each example's loss is weighted by p_i ∝ exp(ℓ_i/λ) within the batch,
 * normalised by a moving average across iterations, then SGD-momentum steps as usual.
 *
 * Intuition: the weights solve a KL-regularised distributionally robust objective
 * max_p Σ p_i ℓ_i − λ·KL(p‖uniform); λ > 0 up-weights the hard (often tail) examples, λ < 0
 * down-weights them (noisy labels), λ → ∞ is the plain mean.
 *
 * Update of the official code (`qiqi-helloworld/ABSGD: mylosses.py`, the `ROBSGD` criterion), per batch
 * of B examples with losses ℓ_i (already multiplied by class weights when a CB/DRW rule is on):
 *   λ ≥ 200:  loss = Σ ℓ_i / B                                  (the "λ = ∞" convention, stage 1)
 *   else:     e_i = exp(ℓ_i/λ);  u ← (1 − γ)·u + γ·α·mean_i e_i  (u starts at 0, persists across epochs)
 *             p_i = stopgrad(e_i / (u·B));  loss = Σ p_i ℓ_i.
 * Defaults from `train.py`: γ (`drogamma`) 0.1, α (`robAlpha`) 0.5, λ 10 until `lamda_shots` = 160 then
 * λ = 1 (`myLambda = lamda if epoch >= lamda_shots`, 0-based epochs). The README's CIFAR commands use
 * λ 200 → 5 (CIFAR-10) with γ 0.7.
 *
 * Numerics: we keep log u and compute p_i = exp(ℓ_i/λ − log u − log B) with a max-shifted
 * log-mean-exp, so small λ does not overflow where the official exp(ℓ/λ) would (same values otherwise).
 * With α < 1, Σ p_i ≈ 1/α at steady state: the effective learning rate grows, as in the official code.
 *
 * Paper: Qi, Xu, Yin, Jin, Yang, "Attentional-Biased Stochastic Gradient Descent", TMLR 2023
 * (arXiv 2012.06951).
 *
 * @see createAbsgd (the stateful reducer for `TrainState.reducer`), reduceLoss
 */
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import type { LossReducer, StepResult, TrainState } from './step.js';
import { trainStep } from './step.js';
import type { StepFunction } from './fit.js';
import type { HostBatch } from '../core/host-batch.js';
import { stopGradient } from '../losses/internal.js';

/** λ at or above this is the plain mean (the official convention for "λ = ∞"). */
export const ABSGD_OFF_LAMBDA = 200;

/** The moving-average normaliser: log u, −∞ for u = 0 (the start). A checkpoint keeps this number. */
export interface AbsgdState {
  readonly logU: number;
}

/** The normaliser before the first weighted step. */
export const ABSGD_START: AbsgdState = Object.freeze({ logU: -Infinity });

/** Hyper-parameters of the attention weights. */
export interface AbsgdWeighting {
  /** Moving-average rate γ of u (`drogamma`). */
  readonly gamma: number;
  /** Scale α inside the moving average (`robAlpha`). */
  readonly alpha: number;
}

/** What `absgdReduce` returns: the scalar to optimise, the detached weights p, and the next state. */
export interface AbsgdReduction {
  readonly loss: tf.Scalar;
  readonly weights: tf.Tensor1D;
  readonly state: AbsgdState;
}

const logAddExp = (a: number, b: number): number => {
  if (a === -Infinity) return b;
  if (b === -Infinity) return a;
  const m = Math.max(a, b);
  return m + Math.log(Math.exp(a - m) + Math.exp(b - m));
};

/**
 * ABSGD's reduction of per-example losses ℓ ([B]) at λ from `state`; reads one scalar back to update
 * log u. Call it inside a tidy (or gradient) scope; the weights carry no gradient.
 * @throws Error when λ is 0 or NaN, or γ, α are outside (0, 1] and (0, ∞)
 */
export const absgdReduce = (losses: tf.Tensor1D, lambda: number, weighting: AbsgdWeighting, state: AbsgdState): AbsgdReduction => {
  if (Number.isNaN(lambda) || lambda === 0) throw new Error(`absgdReduce: λ must be a non-zero number, got ${lambda}`);
  if (!(weighting.gamma > 0 && weighting.gamma <= 1)) throw new Error(`absgdReduce: γ must be in (0, 1], got ${weighting.gamma}`);
  if (!(weighting.alpha > 0 && Number.isFinite(weighting.alpha))) throw new Error(`absgdReduce: α must be a positive number, got ${weighting.alpha}`);
  const b = losses.shape[0];
  if (lambda >= ABSGD_OFF_LAMBDA) {
    const weights = tf.fill([b], 1 / b) as tf.Tensor1D;
    return { loss: tf.div(tf.sum(losses), b) as tf.Scalar, weights, state };
  }
  const scaled = tf.div(stopGradient(losses), lambda) as tf.Tensor1D;
  const logMeanE = tf.sub(tf.logSumExp(scaled), Math.log(b)).dataSync()[0]!;
  const logU = logAddExp(Math.log1p(-weighting.gamma) + state.logU, Math.log(weighting.gamma * weighting.alpha) + logMeanE);
  const weights = tf.exp(tf.sub(scaled, logU + Math.log(b))) as tf.Tensor1D;
  return { loss: tf.sum(tf.mul(weights, losses)) as tf.Scalar, weights, state: { logU } };
};

/** λ for the two stages: `stage1` before 0-based epoch `switchEpoch`, `stage2` from it on (`lamda_shots`). */
export const twoStageLambda =
  (config: { readonly stage1: number; readonly stage2: number; readonly switchEpoch: number }) =>
  (epoch: number): number =>
    epoch >= config.switchEpoch ? config.stage2 : config.stage1;

/** ABSGD's configuration: the two λ stages and the weighting. */
export interface AbsgdConfig extends AbsgdWeighting {
  /** λ of the first stage (`init_lamda`; ≥ 200 for plain CE). */
  readonly stage1Lambda: number;
  /** λ of the second stage (`lamda`). */
  readonly stage2Lambda: number;
  /** First 0-based epoch of the second stage (`lamda_shots`). */
  readonly switchEpoch: number;
}

/** `train.py`'s defaults: λ 10 → 1 at epoch 160, γ 0.1, α 0.5. */
export const ABSGD_DEFAULTS: AbsgdConfig = Object.freeze({ stage1Lambda: 10, stage2Lambda: 1, switchEpoch: 160, gamma: 0.1, alpha: 0.5 });

/** ABSGD with its normaliser state, to plug into a step. */
export interface Absgd {
  readonly config: AbsgdConfig;
  /** The normaliser now (save it in checkpoints). */
  state(): AbsgdState;
  /** Sets the normaliser (when resuming). */
  restore(state: AbsgdState): void;
  /** λ at an epoch. */
  lambdaAt(epoch: number): number;
  /**
   * The reducer for `TrainState.reducer` at an epoch: ℓ_i = perExample_i·weight_i (class weights enter
   * before the exponential, as in the official code), reduced by `absgdReduce`; every call advances u.
   */
  reducerAt(epoch: number): LossReducer;
}

/** Creates ABSGD with `config` (defaults: `ABSGD_DEFAULTS`) and its normaliser at `initial`. */
export const createAbsgd = (config: Partial<AbsgdConfig> = {}, initial: AbsgdState = ABSGD_START): Absgd => {
  const c: AbsgdConfig = { ...ABSGD_DEFAULTS, ...config };
  const lambdaAt = twoStageLambda({ stage1: c.stage1Lambda, stage2: c.stage2Lambda, switchEpoch: c.switchEpoch });
  let current = initial;
  return {
    config: c,
    state: () => current,
    restore: (s) => {
      current = s;
    },
    lambdaAt,
    reducerAt: (epoch) => (perExample, weights) => {
      const losses = weights === undefined ? perExample : (tf.mul(perExample, weights) as tf.Tensor1D);
      const r = absgdReduce(losses, lambdaAt(epoch), c, current);
      current = r.state;
      return r.loss;
    },
  };
};

/**
 * `fit`'s step with ABSGD's reducer for the epoch (and any other step underneath, `trainStep` by default).
 * A step that throws (a non-finite loss: the weights are left untouched) leaves the normaliser as it
 * was too, so a skipped batch does not move u.
 */
export const absgdStepFunction =
  (absgd: Absgd, inner: (state: TrainState, batch: HostBatch, lr: number, epoch: number) => StepResult = (s, b, lr) => trainStep(s, b, lr)): StepFunction =>
  (state, batch, lr, epoch) => {
    const before = absgd.state();
    try {
      return inner({ ...state, reducer: absgd.reducerAt(epoch) }, batch, lr, epoch);
    } catch (e) {
      absgd.restore(before);
      throw e;
    }
  };

/** ABSGD's state as JSON for a checkpoint: log u, or null for u = 0 (JSON has no −∞); float64, so it comes back exactly. */
export const encodeAbsgdState = (s: AbsgdState): { readonly logU: number | null } => ({ logU: s.logU === -Infinity ? null : s.logU });

/** Reads `encodeAbsgdState`'s JSON back; Left says what is wrong. */
export const decodeAbsgdState = (u: unknown): E.Either<string, AbsgdState> => {
  const logU = typeof u === 'object' && u !== null ? (u as { logU?: unknown }).logU : undefined;
  if (logU === null) return E.right(ABSGD_START);
  if (typeof logU === 'number' && Number.isFinite(logU)) return E.right({ logU });
  return E.left(`ABSGD's state must be { logU: a finite number or null }, got ${JSON.stringify(u) ?? String(u)}`);
};
