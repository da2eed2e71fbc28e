/**
 * AutoBalance's search phase as `fit`'s step: the network trains on the parametric cross-entropy
 * −log softmax(sigmoid(dy)⊙z + ly)_y with (dy, ly) fixed within a step, and every `interval` steps from
 * the 0-based `startEpoch` on, (dy, ly) take one SGD-momentum step down the hypergradient of a balanced
 * validation loss (`autoBalanceHypergradient`, a one-step lookahead through the classifier layer).
 *
 * Bilevel problem (`ucr-optml/AutoBalance: loss_search.py`, `core/trainer.py`):
 *   min_θ L_val(w*(θ)),  w*(θ) = argmin_w L_train(w; θ)
 * Data: the training subset is split per class into search-train and validation parts, the validation
 * part ⌈valFraction·n_c⌉ images of class c (at least one left for training; 0.2 is the code's 80/20),
 * chosen by the seeded `rng`; the network trains on the search-train part only. Validation weights
 * ω_c ∝ N_val/n_val_c (`balancedValWeights`; `balance_val: false`, the split keeps the long tail).
 * Groups: classes sorted by training count (descending, ties by index) share θ in groups of `groupSize`
 * (`group_size`: 1 on CIFAR-10, 10 on CIFAR-100); `perClassParameters` interpolates them per class at
 * the group centres for retraining, as the code's `interp1d` does.
 * Upper optimiser: SGD with momentum 0.9 and weight decay 1e-4 at lr 0.01 (`configs/cifar10/dyly_no_init/1.yaml`).
 *
 * Deliberate deviations:
 *   - the hypergradient approximation (see `autoBalanceHypergradient`): the features of the step's
 *     training batch and of one validation batch (`valBatchSize` images drawn for each hyper-step) come
 *     from inference-mode passes, so a resumed run repeats what an uninterrupted one does;
 *   - the upper optimiser moves θ only at hyper-steps (PyTorch ≥ 2.0 behaviour; with PyTorch < 2.0 the
 *     code's per-iteration `up_optimizer.step()` on zeroed gradients also applies momentum and decay
 *     every iteration, methods-B §1, detail 2); its lr is constant (the code warms it up and decays it);
 *   - only the search phase: retraining a fresh network on the whole subset with the found θ
 *     (`retraining.py`) is a second run (the `autobalance` loss with `lossConfig.values`).
 *
 * @see autoBalanceHypergradient, parametricCrossEntropy
 */
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { batchTensorShape, type HostBatch } from '../core/host-batch.js';
import { draw, type Rng } from '../core/rng.js';
import type { Subset } from '../data/labeled-images.js';
import { subsetLabels } from '../data/labeled-images.js';
import type { ParametricCrossEntropyPrepared } from '../losses/parametric-cross-entropy.js';
import { gatherBatch, type Normalization } from '../streams/gather-batch.js';
import type { Model } from '../models/model.js';
import { autoBalanceHypergradient, balancedValWeights, type Hypergradient } from './autobalance-hypergradient.js';
import { classifierVariableNames } from './classifier-retraining.js';
import type { StepFunction } from './fit.js';
import { trainStep, type StepResult, type TrainState } from './step.js';

/** Settings of the AutoBalance search. */
export interface AutoBalanceConfig {
  /** Fraction of each class held out for the validation loss (0.2). */
  readonly valFraction: number;
  /** Classes per group of shared parameters (1). */
  readonly groupSize: number;
  /** Upper optimiser: lr (0.01), momentum (0.9), weight decay (1e-4). */
  readonly hyperLr: number;
  readonly hyperMomentum: number;
  readonly hyperWeightDecay: number;
  /** One hyper-step every this many training steps (20). */
  readonly interval: number;
  /** First 0-based epoch with hyper-steps (the code: 120 of 300). */
  readonly startEpoch: number;
  /**
   * η of the lookahead step, or null for the step's learning rate (the default, DARTS' ξ = lr: the
   * lookahead is the step the network is about to take). The code's Neumann η is 1, but through the
   * classifier alone a step of 1 on unnormalised features overshoots: on MNIST-LT's small CNN (hyper
   * lr 0.1) |ly| reached 60 within 8 hyper-steps and the network fell to chance.
   */
  readonly lookahead: number | null;
  /** Validation images per hyper-step (128). */
  readonly valBatchSize: number;
}

/** The code's settings (CIFAR-10), the start at epoch 0. */
export const AUTOBALANCE_DEFAULTS: AutoBalanceConfig = Object.freeze({
  valFraction: 0.2,
  groupSize: 1,
  hyperLr: 0.01,
  hyperMomentum: 0.9,
  hyperWeightDecay: 1e-4,
  interval: 20,
  startEpoch: 0,
  lookahead: null,
  valBatchSize: 128,
});

/** The host state of the search (save it in checkpoints). */
export interface AutoBalanceState {
  /** Per-group parameters and the upper optimiser's momentum buffers. */
  readonly dy: readonly number[];
  readonly ly: readonly number[];
  readonly dyVelocity: readonly number[];
  readonly lyVelocity: readonly number[];
  /** Training steps taken so far (hyper-steps fall on multiples of `interval`). */
  readonly steps: number;
  /** Hyper-steps taken so far. */
  readonly hyperSteps: number;
}

/** The search-train and validation parts of a training subset. */
export interface AutoBalanceSplit {
  readonly train: Subset;
  readonly val: Subset;
  readonly trainCounts: readonly number[];
  readonly valCounts: readonly number[];
}

/**
 * Splits `subset` per class: ⌈valFraction·n_c⌉ images of class c to validation (never all of a class:
 * one is left for training; none from a class of one image), chosen by `rng`; both parts keep subset order.
 */
export const autoBalanceSplit = (subset: Subset, numClasses: number, valFraction: number, rng: Rng): AutoBalanceSplit => {
  const labels = subsetLabels(subset);
  const byClass: number[][] = Array.from({ length: numClasses }, () => []);
  labels.forEach((y, p) => byClass[y]!.push(p));
  const toVal = new Set<number>();
  byClass.forEach((positions, c) => {
    const n = positions.length;
    const nVal = n < 2 ? 0 : Math.min(n - 1, Math.ceil(valFraction * n - 1e-9));
    const [order] = draw(rng.derive('class', c), (d) => d.permutation(n));
    for (let i = 0; i < nVal; i++) toVal.add(positions[order[i]!]!);
  });
  const keep = (inVal: boolean) => Int32Array.from(Array.from(subset.indices).filter((_, p) => toVal.has(p) === inVal));
  const counts = (inVal: boolean) => byClass.map((positions) => positions.filter((p) => toVal.has(p) === inVal).length);
  return {
    train: { source: subset.source, indices: keep(false) },
    val: { source: subset.source, indices: keep(true) },
    trainCounts: counts(false),
    valCounts: counts(true),
  };
};

/** Group of each class: classes sorted by `counts` (descending, ties by index) in runs of `groupSize`. */
export const classGroups = (counts: readonly number[], groupSize: number): Int32Array => {
  const order = counts.map((n, c) => [n, c] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const groupOf = new Int32Array(counts.length);
  order.forEach(([, c], rank) => (groupOf[c] = Math.floor(rank / groupSize)));
  return groupOf;
};

/**
 * Per-class values of per-group ones: with groups of one class, the group's value; otherwise linear
 * interpolation in the frequency rank between group centres (constant beyond the first and last
 * centre), as `retraining.py`'s `interp1d` over the groups.
 */
export const perClassParameters = (groupValues: readonly number[], counts: readonly number[], groupSize: number): number[] => {
  const groupOf = classGroups(counts, groupSize);
  if (groupSize === 1) return Array.from(groupOf, (g) => groupValues[g]!);
  const order = counts.map((n, c) => [n, c] as const).sort((a, b) => b[0] - a[0] || a[1] - b[1]);
  const centres = groupValues.map((_, g) => {
    const last = Math.min(counts.length, (g + 1) * groupSize) - 1;
    return (g * groupSize + last) / 2;
  });
  const out = new Array<number>(counts.length).fill(0);
  order.forEach(([, c], rank) => {
    let value: number;
    if (rank <= centres[0]!) value = groupValues[0]!;
    else if (rank >= centres[centres.length - 1]!) value = groupValues[groupValues.length - 1]!;
    else {
      const g = centres.findIndex((x, i) => x <= rank && rank <= centres[i + 1]!);
      const t = (rank - centres[g]!) / (centres[g + 1]! - centres[g]!);
      value = (1 - t) * groupValues[g]! + t * groupValues[g + 1]!;
    }
    out[c] = value;
  });
  return out;
};

/** AutoBalance's search, to plug into `fit`. */
export interface AutoBalance {
  readonly config: AutoBalanceConfig;
  readonly split: AutoBalanceSplit;
  /** Group of each class. */
  readonly groupOf: Int32Array;
  state(): AutoBalanceState;
  /** Sets the state (when resuming); Left when the sizes are wrong. */
  restore(state: AutoBalanceState): E.Either<string, void>;
  /** The loss parameters now, per class (what the next step trains with). */
  prepared(): ParametricCrossEntropyPrepared;
  /** The hypergradient's validation loss at the last hyper-step (NaN before the first). */
  lastValLoss(): number;
  /** `fit`'s step (expects the `autobalance` loss in the state). */
  readonly step: StepFunction;
}

/** Checks and decodes a checkpoint's `autobalance` entry. */
export const decodeAutoBalanceState = (u: unknown): E.Either<string, AutoBalanceState> => {
  const numbers = (x: unknown): x is number[] => Array.isArray(x) && x.every((v) => typeof v === 'number' && Number.isFinite(v));
  if (typeof u !== 'object' || u === null) return E.left('the AutoBalance state is missing');
  const s = u as Record<string, unknown>;
  if (!numbers(s.dy) || !numbers(s.ly) || !numbers(s.dyVelocity) || !numbers(s.lyVelocity)) return E.left('the AutoBalance parameters are not arrays of finite numbers');
  if (!Number.isInteger(s.steps) || !Number.isInteger(s.hyperSteps)) return E.left('the AutoBalance step counters are not integers');
  return E.right({ dy: s.dy, ly: s.ly, dyVelocity: s.dyVelocity, lyVelocity: s.lyVelocity, steps: s.steps as number, hyperSteps: s.hyperSteps as number });
};

/** Features of a host batch from an inference-mode pass (inside a tidy scope). */
const featuresOf = (model: Model, batch: HostBatch): tf.Tensor2D => model.forward(tf.tensor4d(batch.x, batchTensorShape(batch)), { training: false }).features;

/**
 * Creates the search over the training subset `subset`: splits it (`rng.derive('split')`), starts θ
 * at `initialFor(search-train counts)` (the `autobalance` loss's prepared values, per class, so CDT and
 * logit-adjustment initialisations see the counts the network trains on; each group starts at the mean
 * of its classes) and draws validation batches from `rng.derive('val', hyperStep)`.
 * @throws Error when the initial values are not one per class
 */
export const createAutoBalance = (
  subset: Subset,
  numClasses: number,
  normalization: Normalization,
  initialFor: (trainCounts: readonly number[]) => ParametricCrossEntropyPrepared,
  rng: Rng,
  config: Partial<AutoBalanceConfig> = {},
): AutoBalance => {
  const c: AutoBalanceConfig = { ...AUTOBALANCE_DEFAULTS, ...config };
  const split = autoBalanceSplit(subset, numClasses, c.valFraction, rng.derive('split'));
  const initial = initialFor(split.trainCounts);
  if (initial.dy.length !== numClasses || initial.ly.length !== numClasses) {
    throw new Error(`createAutoBalance: the initial parameters have ${initial.dy.length}/${initial.ly.length} values for ${numClasses} classes`);
  }
  const groupOf = classGroups(split.trainCounts, c.groupSize);
  const numGroups = Math.max(...groupOf) + 1;
  const groupMean = (values: readonly number[]) =>
    Array.from({ length: numGroups }, (_, g) => {
      const members = values.filter((_, k) => groupOf[k] === g);
      return members.reduce((a, b) => a + b, 0) / members.length;
    });
  const valWeights = balancedValWeights(split.valCounts);
  const valSize = split.val.indices.length;
  let s: AutoBalanceState = {
    dy: groupMean(initial.dy),
    ly: groupMean(initial.ly),
    dyVelocity: new Array<number>(numGroups).fill(0),
    lyVelocity: new Array<number>(numGroups).fill(0),
    steps: 0,
    hyperSteps: 0,
  };
  let valLoss = Number.NaN;
  const prepared = (state: AutoBalanceState): ParametricCrossEntropyPrepared => ({
    parametrisation: initial.parametrisation,
    dy: Array.from(groupOf, (g) => state.dy[g]!),
    ly: Array.from(groupOf, (g) => state.ly[g]!),
    wy: initial.wy,
  });

  /** One SGD-momentum step on θ (PyTorch's SGD: v ← μv + (g + λθ), θ ← θ − lr·v). */
  const hyperStep = (state: TrainState, batch: HostBatch, lr: number): AutoBalanceState => {
    const [positions] = draw(rng.derive('val', s.hyperSteps), (d) => d.permutation(valSize).slice(0, Math.min(c.valBatchSize, valSize)));
    const valBatch = gatherBatch(split.val, positions, normalization);
    const names = classifierVariableNames(state.model);
    const variable = (suffix: string) => {
      const name = names.find((n) => n.endsWith(suffix));
      return name === undefined ? undefined : state.model.variables.trainable.get(name);
    };
    const kernel = variable('/kernel');
    const bias = variable('/bias');
    if (kernel === undefined) throw new Error(`AutoBalance: the model '${state.model.name}' has no classifier kernel`);
    const hyper = tf.tidy((): Hypergradient => {
      const train = { features: featuresOf(state.model, batch), labels: tf.tensor1d(batch.y, 'int32') };
      const val = { features: featuresOf(state.model, valBatch), labels: tf.tensor1d(valBatch.y, 'int32') };
      return autoBalanceHypergradient({
        train,
        val,
        valWeights: tf.tensor1d(valWeights),
        classifier: { kernel: kernel as tf.Tensor2D, ...(bias !== undefined ? { bias: bias as tf.Tensor1D } : {}) },
        dy: tf.tensor1d(s.dy as number[]),
        ly: tf.tensor1d(s.ly as number[]),
        groupOf,
        parametrisation: initial.parametrisation,
        lookahead: c.lookahead ?? lr,
      });
    });
    valLoss = hyper.valLoss;
    const move = (theta: readonly number[], velocity: readonly number[], grad: Float32Array) => {
      const v = theta.map((x, g) => c.hyperMomentum * velocity[g]! + grad[g]! + c.hyperWeightDecay * x);
      return { theta: theta.map((x, g) => x - c.hyperLr * v[g]!), velocity: v };
    };
    const dy = move(s.dy, s.dyVelocity, hyper.dy);
    const ly = move(s.ly, s.lyVelocity, hyper.ly);
    return { dy: dy.theta, ly: ly.theta, dyVelocity: dy.velocity, lyVelocity: ly.velocity, steps: s.steps, hyperSteps: s.hyperSteps + 1 };
  };

  const step: StepFunction = (state: TrainState, batch: HostBatch, lr: number, epoch: number): StepResult => {
    if (batch.mix !== undefined) throw new Error('AutoBalance: batches with mixed targets are not supported');
    const next = epoch >= c.startEpoch && s.steps % c.interval === 0 && valSize > 0 ? hyperStep(state, batch, lr) : s;
    const result = trainStep({ ...state, prepared: prepared(next) }, batch, lr);
    // Only a step that went through keeps the new θ (a skipped batch leaves the search as it was).
    s = { ...next, steps: s.steps + 1 };
    return result;
  };

  return {
    config: c,
    split,
    groupOf,
    state: () => s,
    restore: (saved) => {
      const sizes = [saved.dy, saved.ly, saved.dyVelocity, saved.lyVelocity].map((a) => a.length);
      if (sizes.some((n) => n !== numGroups)) return E.left(`AutoBalance has ${numGroups} parameter groups, the checkpoint ${sizes.join('/')}`);
      s = { ...saved, dy: [...saved.dy], ly: [...saved.ly], dyVelocity: [...saved.dyVelocity], lyVelocity: [...saved.lyVelocity] };
      return E.right(undefined);
    },
    prepared: () => prepared(s),
    lastValLoss: () => valLoss,
    step,
  };
};
