/**
 * A step that passes the batch's pure-noise marks to a DAR-BN model (OPeN), around any other step.
 *
 * Intuition: the marks travel on the host batch (`noise`, 1 where a transform replaced the image with
 * pure noise); the step shows the model a per-batch view whose forward pass routes with them, so
 * `trainStep`, `samStep` and ABSGD work unchanged. Batches without marks train as usual.
 *
 * @see createDarResNet, darBatchNormTraining
 */
import { isNoiseRoutedModel, withNoiseRouting } from '../models/dar-resnet.js';
import type { StepFunction } from './fit.js';
import { trainStep } from './step.js';

/**
 * `inner` (default `trainStep`) with the model routing the batch's noise marks.
 * @throws Error when a batch carries noise marks and the model cannot route them
 */
export const noiseRoutedStepFunction =
  (inner: StepFunction = (s, b, lr) => trainStep(s, b, lr)): StepFunction =>
  (state, batch, lr, epoch) => {
    const noise = batch.noise;
    if (noise === undefined) return inner(state, batch, lr, epoch);
    if (!isNoiseRoutedModel(state.model)) throw new Error(`noiseRoutedStepFunction: the model '${state.model.name}' cannot route pure-noise samples (use a DAR-BN model)`);
    return inner({ ...state, model: withNoiseRouting(state.model, noise) }, batch, lr, epoch);
  };
