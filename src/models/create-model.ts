/**
 * A registered model with the classifier head a run asks for: the model's own heads ('linear',
 * 'cosine'), or 'prototypes', the cosine to fixed simplex prototypes (PAL's anchored head).
 *
 * Intuition: the anchored head is not a property of one backbone, so it wraps any model: the model is
 * built with its cosine head (no bias, so no unused bias variable), its features are measured with one
 * inference pass on a zero image, and its logits are replaced by cos(features, P) for the frozen
 * simplex ETF P of `simplexEtfPrototypes(C, D)` (`withFixedPrototypes`, scale 1: the loss applies s).
 *
 * @see withFixedPrototypes, simplexEtfPrototypes, pal
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../core/rng.js';
import type { HeadKind } from './cosine-head.js';
import { simplexEtfPrototypes, withFixedPrototypes } from './fixed-prototypes.js';
import type { Model, ModelEntry, ModelSpec } from './model.js';

/** The classifier heads a run can ask for. */
export type RunHead = HeadKind | 'prototypes';

/** `ModelSpec` with a run's head. */
export interface RunModelSpec extends Omit<ModelSpec, 'head'> {
  readonly head?: RunHead;
}

/** Width D of `model`'s features for samples of `spec.shape` (one inference pass on a zero image). */
export const featureDimension = (model: Model, spec: Pick<ModelSpec, 'shape'>): number =>
  tf.tidy(() => {
    const { height, width, channels } = spec.shape;
    return model.forward(tf.zeros([1, height, width, channels]) as tf.Tensor4D, { training: false }).features.shape[1];
  });

/**
 * `entry.create(spec, rng)`, or for head 'prototypes' that model (with its cosine head, same weights
 * for the same seed) under fixed simplex-ETF prototypes; its own classifier kernel then gets no gradient.
 * @throws Error for 'prototypes' when C > D + 1 (the ETF needs D ≥ C − 1 feature dimensions)
 */
export const createModel = (entry: ModelEntry, spec: RunModelSpec, rng: Rng): Model => {
  const { head, ...rest } = spec;
  if (head !== 'prototypes') return entry.create({ ...rest, ...(head !== undefined ? { head } : {}) }, rng);
  const base = entry.create({ ...rest, head: 'cosine' }, rng);
  try {
    const dim = featureDimension(base, spec);
    return withFixedPrototypes(base, simplexEtfPrototypes(spec.numClasses, dim), dim);
  } catch (e) {
    base.dispose();
    throw e;
  }
};
