/**
 * What a model is: named variables and a pure forward function returning logits and features.
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Named } from '../core/registry.js';
import type { Rng } from '../core/rng.js';
import type { SampleShape } from '../core/host-batch.js';
import type { HeadKind } from './cosine-head.js';

/** Output of a forward pass. */
export interface ForwardResult {
  /** [N, C] class scores. */
  readonly logits: tf.Tensor2D;
  /** [N, D] the representation the classifier reads (for contrastive and prototype losses). */
  readonly features: tf.Tensor2D;
}

/** A model's variables: trainable ones, and state such as batch-norm running statistics. */
export interface ModelVariables {
  readonly trainable: ReadonlyMap<string, tf.Variable>;
  readonly state: ReadonlyMap<string, tf.Variable>;
}

/** A functional model over NHWC images. */
export interface Model {
  readonly name: string;
  readonly variables: ModelVariables;
  /** Runs the network; in training mode batch norm uses batch statistics and updates its running state. */
  forward(x: tf.Tensor4D, options: { readonly training: boolean }): ForwardResult;
  /** Frees every variable. */
  dispose(): void;
}

/** What a model needs to know about the data, and which classifier head to end with. */
export interface ModelSpec {
  readonly shape: SampleShape;
  readonly numClasses: number;
  /** 'linear' (with bias, the default) or 'cosine' (normalised, no bias, for margin losses). */
  readonly head?: HeadKind;
}

/** A model constructor the CLI can name. Weights are initialised from `rng` (same seed, same weights). */
export interface ModelEntry extends Named {
  readonly source: string;
  /** True when the models it creates have BBN's two-input train pass (`forwardBilateral`, `isBilateralModel`). */
  readonly bilateral?: boolean;
  /**
   * True when the models it creates route pure-noise samples through DAR-BN (`forwardRouted`,
   * `isNoiseRoutedModel`); a run then trains with `noiseRoutedStepFunction`.
   */
  readonly noiseRouted?: boolean;
  create(spec: ModelSpec, rng: Rng): Model;
}

/** Frees every variable of `v`. */
export const disposeVariables = (v: ModelVariables): void => {
  for (const x of v.trainable.values()) x.dispose();
  for (const x of v.state.values()) x.dispose();
};

/** Number of trainable scalars. */
export const countParameters = (v: ModelVariables): number => {
  let n = 0;
  for (const x of v.trainable.values()) n += x.size;
  return n;
};
