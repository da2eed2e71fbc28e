/**
 * Sharpness-aware minimisation (SAM) as a step beside `trainStep`: ascend to the worst point within
 * radius ρ, take the gradient there, come back and let the base optimiser (SGD-momentum) step with it.
 *
 * Intuition: the update follows the gradient at w + ε, ε = ρ·g/‖g‖, which favours flat minima; on
 * long-tailed data Rangwani et al. show it lets the tail classes escape saddle points.
 *
 * Algorithm (davda54/sam `sam.py`, used unchanged by `val-iisc/Saddle-LongTail`), per batch:
 *   1. g = ∇L(w)                          (forward/backward at w, training mode)
 *   2. ε = ρ·g / (‖g‖₂ + 1e-12)           (one global L2 norm over every trainable tensor; adaptive = false)
 *   3. g' = ∇L(w + ε)                     (forward/backward at the perturbed weights)
 *   4. w ← the exact copy saved before 2; base step with g' (weight decay and momentum live there).
 *
 * Batch-norm statistics are updated once per step, by the first pass (at w). The official code runs both
 * passes in training mode and so updates them twice, the second time with activations of the perturbed
 * weights; we follow the common variant (davda54/sam's `disable_running_stats` for the second pass).
 * How: the model's state variables (running means and variances) are snapshot after pass 1 and
 * assigned back after the last pass, so the second pass's updates are undone exactly.
 *
 * Per-class ρ (`classRho`): classes are grouped by their ρ. The loss splits into group losses
 * L = Σ_g L_g (each example's loss counted in its class's group, with the whole batch's reduction
 * denominator), and each group is perturbed on its own: the update direction is
 *   Σ_{g: ρ_g > 0} ∇L_g(w + ρ_g·∇L_g(w)/‖∇L_g(w)‖) + ∇L_0(w),
 * where L_0 gathers the classes with ρ = 0 (their gradient is taken at w, as a plain step). With one ρ
 * for every class this is exactly step 1–4. A tail-only SAM in the manner of ImbSAM (Zhou et al., ICCV
 * 2023: SAM on the tail classes' loss only) is `classRho` with ρ on the tail classes and 0 elsewhere.
 * Cost: 1 + 2·(number of distinct positive ρ among the batch's classes) forward/backward passes
 * (2 for plain SAM). With mixed targets, an example belongs to the group of its first label.
 *
 * Paper: Foret, Kleiner, Mobahi, Neyshabur, "Sharpness-Aware Minimization for Efficiently Improving
 * Generalization", ICLR 2021; for class imbalance Rangwani, Aithal, Mishra, Babu, "Escaping Saddle
 * Points for Effective Generalization on Class-Imbalanced Data", NeurIPS 2022 (ρ 0.1–0.8 on CIFAR-LT,
 * with DRW; see `samRhoSchedule`).
 *
 * @see trainStep (ρ = 0 gives exactly its update), samRhoSchedule, steppedRho
 */
import * as tf from '@tensorflow/tfjs-core';
import { batchTensorShape, type HostBatch } from '../core/host-batch.js';
import { UserError } from '../core/errors.js';
import { mixedPerExample, reduceStepLoss, trainStep, type StepResult, type TrainState, countTopOneHits } from './step.js';
import type { StepFunction } from './fit.js';
import type { RhoSchedule } from './schedules/sam-rho.js';

/** SAM's settings for one step. */
export interface SamOptions {
  /** Radius ρ ≥ 0 of the ascent step; 0 makes the step a plain one. */
  readonly rho: number;
  /** ρ per class (overrides `rho`; indexed by label): classes that share a value share a perturbation. */
  readonly classRho?: readonly number[];
}

/** A set of batch examples perturbed together: their ρ, and a 0/1 mask over the batch (null: all of it). */
interface RhoGroup {
  readonly rho: number;
  readonly mask: Float32Array | null;
}

const EPSILON = 1e-12;

/** The batch's examples grouped by the ρ of their class. */
const rhoGroups = (labels: Int32Array, options: SamOptions): RhoGroup[] => {
  const rhoOf = (y: number): number => {
    const r = options.classRho === undefined ? options.rho : options.classRho[y];
    if (r === undefined) throw new Error(`samStep: classRho has ${options.classRho!.length} values but the batch has label ${y}`);
    if (!(Number.isFinite(r) && r >= 0)) throw new Error(`samStep: ρ must be a finite number ≥ 0, got ${r}`);
    return r;
  };
  const values = [...new Set(Array.from(labels, rhoOf))];
  if (values.length === 1) return [{ rho: values[0]!, mask: null }];
  return values.map((rho) => ({ rho, mask: Float32Array.from(labels, (y) => (rhoOf(y) === rho ? 1 : 0)) }));
};

const numericError = (state: TrainState, value: number): UserError => new UserError('numeric', `The ${state.loss.name} loss became ${value}.`, 3);

/**
 * Runs one SAM step at learning rate `lr`. Reports the loss and accuracy of the first pass (before
 * the update, at w), as `trainStep` does.
 * @throws UserError (kind 'numeric') when the loss at w or at a perturbed point is not finite; the
 *   weights are then left as they were (and, for a perturbed pass, the running statistics too)
 * @throws Error when a ρ is negative or `classRho` does not cover a label of the batch
 */
export const samStep = (state: TrainState, batch: HostBatch, lr: number, options: SamOptions): StepResult => {
  const groups = rhoGroups(batch.y, options);
  return tf.tidy(() => {
    const x = tf.tensor4d(batch.x, batchTensorShape(batch));
    const labels = tf.tensor1d(batch.y, 'int32');
    const weights = batch.weight === undefined ? undefined : tf.tensor1d(batch.weight);
    const trainable = state.model.variables.trainable;
    const names = [...trainable.keys()];
    const vars = [...trainable.values()];
    let logitsForAccuracy: tf.Tensor2D | undefined;
    const lossOf = (mask: Float32Array | null, keepLogits: boolean) => (): tf.Scalar => {
      const { logits, features } = state.model.forward(x, { training: true });
      if (keepLogits) logitsForAccuracy = tf.keep(logits);
      const per = mixedPerExample(state, logits, labels, features, batch);
      return reduceStepLoss(state, mask === null ? per : (tf.mul(per, tf.tensor1d(mask)) as tf.Tensor1D), weights);
    };
    const gradsOf = (mask: Float32Array | null): { value: number; grads: Array<tf.Tensor | undefined> } => {
      const r = tf.variableGrads(lossOf(mask, false), vars);
      return { value: r.value.dataSync()[0]!, grads: vars.map((v) => r.grads[v.name]) };
    };

    // Pass 1, at w: the reported loss and accuracy, the only batch-norm update, and ∇L(w).
    const first = tf.variableGrads(lossOf(null, true), vars);
    const lossValue = first.value.dataSync()[0]!;
    if (!Number.isFinite(lossValue)) {
      logitsForAccuracy?.dispose();
      throw numericError(state, lossValue);
    }
    const firstGrads = vars.map((v) => first.grads[v.name]);
    let direction: Array<tf.Tensor | undefined> = firstGrads;

    const perturbed = groups.filter((g) => g.rho > 0);
    if (perturbed.length > 0) {
      const stateVars = [...state.model.variables.state.values()];
      const statsAfterFirst = stateVars.map((v) => tf.clone(v));
      const saved = vars.map((v) => tf.clone(v));
      const restore = () => {
        vars.forEach((v, i) => v.assign(saved[i]!));
        stateVars.forEach((v, i) => v.assign(statsAfterFirst[i]!));
      };
      const add = (a: tf.Tensor | undefined, b: tf.Tensor | undefined, sign = 1): tf.Tensor | undefined =>
        a === undefined ? (b === undefined ? undefined : sign === 1 ? b : tf.neg(b)) : b === undefined ? a : sign === 1 ? tf.add(a, b) : tf.sub(a, b);
      // Gradient at w of the classes with ρ = 0: the full gradient minus the perturbed groups' gradients at w.
      let plainPart: Array<tf.Tensor | undefined> | undefined = groups.length > perturbed.length ? firstGrads : undefined;
      let descent: Array<tf.Tensor | undefined> = vars.map(() => undefined);
      for (const g of perturbed) {
        const ascent = g.mask === null ? firstGrads : gradsOf(g.mask).grads;
        if (plainPart !== undefined) plainPart = plainPart.map((p, i) => add(p, ascent[i], -1));
        const sq = ascent.filter((t): t is tf.Tensor => t !== undefined).map((t) => tf.sum(tf.square(t)));
        const norm = sq.length === 0 ? tf.scalar(0) : tf.sqrt(tf.addN(sq));
        const scale = tf.div(g.rho, tf.add(norm, EPSILON));
        vars.forEach((v, i) => {
          const a = ascent[i];
          if (a !== undefined) v.assign(tf.add(saved[i]!, tf.mul(a, scale)));
        });
        const atPerturbed = gradsOf(g.mask);
        restore();
        if (!Number.isFinite(atPerturbed.value)) {
          logitsForAccuracy?.dispose();
          throw numericError(state, atPerturbed.value);
        }
        descent = descent.map((d, i) => add(d, atPerturbed.grads[i]));
      }
      direction = plainPart === undefined ? descent : descent.map((d, i) => add(d, plainPart![i]));
    }

    const byName: Record<string, tf.Tensor> = {};
    names.forEach((name, i) => {
      const g = direction[i];
      if (g !== undefined) byName[name] = g;
    });
    state.optimizer.apply(trainable, byName, lr);
    const correct = countTopOneHits(logitsForAccuracy!, labels, batch);
    logitsForAccuracy!.dispose();
    return { loss: lossValue, size: batch.y.length, correct };
  });
};

/**
 * SAM as `fit`'s step: ρ from `rho(epoch)` (e.g. `samRhoSchedule({rho, startEpoch})`), and `trainStep`
 * itself in epochs where ρ is 0, so a late SAM start costs nothing before it. With `classScale`, class
 * c's ρ is `classScale[c]·rho(epoch)` (per-class radii that follow the schedule; 0 leaves a class plain).
 */
export const samStepFunction =
  (rho: RhoSchedule, classScale?: readonly number[]): StepFunction =>
  (state, batch, lr, epoch) => {
    const r = rho(epoch);
    if (r === 0) return trainStep(state, batch, lr);
    return samStep(state, batch, lr, classScale === undefined ? { rho: r } : { rho: r, classRho: classScale.map((c) => c * r) });
  };
