/**
 * A loss that sees the model's classifier kernel: `LossInputs.classifierKernel` filled with the
 * model's [D, C] `fc/kernel` (or `fc2/kernel`) variable, so prototype regularisers use their exact
 * form (the zero-centroid penalty ‖mean_j w_j/‖w_j‖‖² of `zeroCentroidPenalty`) instead of the logit
 * form they fall back to without it.
 *
 * Intuition: the kernel is read inside the step's gradient scope (the loss is evaluated there), so the
 * penalty's gradient reaches the prototypes; losses that do not read the kernel are unchanged. Wrapping
 * the loss, not the step, gives every step (plain, SAM, ABSGD, OT, BBN) the same inputs.
 *
 * @see zeroCentroidPenalty, lmSoftmax, classifierVariableNames
 */
import type * as tf from '@tensorflow/tfjs-core';
import type { LossSpec } from '../losses/loss-spec.js';
import type { Model } from '../models/model.js';

/** The model's classifier kernel variable (`fc/kernel`, else `fc2/kernel`), or undefined when it has neither. */
export const classifierKernelOf = (model: Model): tf.Variable | undefined =>
  model.variables.trainable.get('fc/kernel') ?? model.variables.trainable.get('fc2/kernel');

/**
 * `loss` with `classifierKernel` set to `kernel` whenever the caller passes none; `loss` itself when
 * `kernel` is undefined.
 */
export const withClassifierKernel = <C, P>(loss: LossSpec<C, P>, kernel: tf.Variable | undefined): LossSpec<C, P> =>
  kernel === undefined
    ? loss
    : { ...loss, perExample: (inputs, prepared) => loss.perExample({ ...inputs, classifierKernel: inputs.classifierKernel ?? (kernel as tf.Tensor2D) }, prepared) };
