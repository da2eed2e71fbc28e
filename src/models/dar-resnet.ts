/**
 * A CIFAR ResNet whose batch norms are DAR-BN layers (OPeN): natural and pure-noise samples get separate
 * batch statistics in training, and only natural samples move the running statistics.
 *
 * Same variables, names and initialisation as `createResNetCifar`, so without noise marks it computes
 * exactly what ResNet-32 computes (and the same seed gives the same weights). `forwardRouted` takes
 * the batch's noise marks; `withNoiseRouting` turns it into a plain `Model` for one batch, which is how
 * the training step uses it (`noiseRoutedStepFunction`).
 *
 * Paper: Zada, Benou, Irani, ICML 2022 (DAR-BN replaces every batch norm of the network).
 *
 * @see darBatchNormTraining, createResNetCifar
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../core/rng.js';
import { batchNormInference } from './batch-norm.js';
import { headLogits } from './cosine-head.js';
import { heNormal, constantVariable } from './init.js';
import { darBatchNormTraining, type NoiseGradient } from './dar-batch-norm.js';
import { disposeVariables, type ForwardResult, type Model, type ModelEntry, type ModelSpec } from './model.js';
import { basicBlock, cifarBlockSpecs, convLayer, resNetParts, type NormLayer } from './resnet-blocks.js';

/** A model that can route samples marked as pure noise through separate normalisation statistics. */
export interface NoiseRoutedModel extends Model {
  /** `forward` with per-sample noise marks (1 = pure noise); marks only matter in training mode. */
  forwardRouted(x: tf.Tensor4D, noise: ArrayLike<number> | undefined, options: { readonly training: boolean }): ForwardResult;
}

/** True when `m` accepts noise marks. */
export const isNoiseRoutedModel = (m: Model): m is NoiseRoutedModel => typeof (m as Partial<NoiseRoutedModel>).forwardRouted === 'function';

/** `model` as a plain `Model` whose forward pass routes with `noise` (for one batch). */
export const withNoiseRouting = (model: NoiseRoutedModel, noise: ArrayLike<number> | undefined): Model => ({
  name: model.name,
  variables: model.variables,
  forward: (x, options) => model.forwardRouted(x, noise, options),
  dispose: () => model.dispose(),
});

/** DAR-BN ResNet-(6n+2) (ResNet-32 for n = 5) for `spec`, weights from `rng`. */
export const createDarResNet = (spec: ModelSpec, rng: Rng, blocksPerStage = 5, noiseGradient: NoiseGradient = 'full'): NoiseRoutedModel => {
  const parts = resNetParts(rng);
  parts.conv('stem/conv', 3, spec.shape.channels, 16);
  parts.bn('stem/bn', 16);
  const blocks = cifarBlockSpecs(blocksPerStage).map((b) => parts.block(b.name, b.cin, b.cout, b.stride));
  parts.trainable.set('fc/kernel', heNormal(rng.derive('fc'), [64, spec.numClasses], 64, 'fc/kernel'));
  if (spec.head !== 'cosine') parts.trainable.set('fc/bias', constantVariable([spec.numClasses], 0, 'fc/bias'));
  const variables = { trainable: parts.trainable, state: parts.state };
  const forwardRouted = (x: tf.Tensor4D, noise: ArrayLike<number> | undefined, { training }: { readonly training: boolean }): ForwardResult =>
    tf.tidy(() => {
      const norm: NormLayer = (h, name) => {
        const gamma = parts.p(`${name}/gamma`) as tf.Tensor1D;
        const beta = parts.p(`${name}/beta`) as tf.Tensor1D;
        const state = parts.bnStates.get(name)!;
        return training ? darBatchNormTraining(h, noise, gamma, beta, state, noiseGradient) : batchNormInference(h, gamma, beta, state);
      };
      let h = tf.relu<tf.Tensor4D>(norm(convLayer(parts, x, 'stem/conv', 1), 'stem/bn'));
      for (const b of blocks) h = basicBlock(parts, h, b, norm);
      const features = tf.mean(h, [1, 2]) as tf.Tensor2D;
      const logits = headLogits(spec.head, features, parts.p('fc/kernel') as tf.Tensor2D, () => parts.p('fc/bias'));
      return { logits, features };
    });
  return {
    name: 'dar-resnet32',
    variables,
    forward: (x, options) => forwardRouted(x, undefined, options),
    forwardRouted,
    dispose: () => {
      disposeVariables(variables);
      parts.disposeConstants();
    },
  };
};

/** DAR-BN ResNet-32 as a registry entry. */
export const darResNet32: ModelEntry = {
  name: 'dar-resnet32',
  summary: 'ResNet-32 with DAR-BN: pure-noise samples normalised with their own batch statistics, running statistics from natural samples only',
  source: 'Zada et al., ICML 2022 (OPeN, DAR-BN); seungjaeryanlee/pure-noise models/dar_bn.py (reproduction)',
  noiseRouted: true,
  create: (spec, rng) => createDarResNet(spec, rng),
};
