/**
 * The small CNN with DAR-BN after each convolution (OPeN on the digit datasets):
 * conv3×3(32)–DAR-BN–ReLU–maxpool2 → conv3×3(64)–DAR-BN–ReLU–maxpool2 → dense(128)–ReLU → dense(C)
 * (or a cosine head over the 128 features). The convolutions have no bias (batch norm's β takes its place).
 *
 * Intuition: `small-cnn` has no batch norm, so DAR-BN's routing would have nothing to act on; this is
 * the smallest network where pure-noise images and natural ones get separate batch statistics, for
 * quick OPeN runs on MNIST-sized images (`dar-resnet32` is the CIFAR model).
 *
 * Paper: Zada, Benou, Irani, ICML 2022 (DAR-BN replaces every batch norm of the network); the network
 * itself is ours (the small CNN of `createSmallCnn` with batch norms added).
 *
 * @see createSmallCnn, createDarResNet, darBatchNormTraining
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../core/rng.js';
import { batchNormInference } from './batch-norm.js';
import { headLogits } from './cosine-head.js';
import { heNormal, constantVariable } from './init.js';
import { darBatchNormTraining } from './dar-batch-norm.js';
import type { NoiseRoutedModel } from './dar-resnet.js';
import { disposeVariables, type ForwardResult, type ModelEntry, type ModelSpec } from './model.js';
import { convLayer, resNetParts } from './resnet-blocks.js';

/** DAR-BN small CNN for `spec`, weights from `rng`. */
export const createDarSmallCnn = (spec: ModelSpec, rng: Rng): NoiseRoutedModel => {
  const { height, width, channels } = spec.shape;
  const flat = Math.floor(Math.floor(height / 2) / 2) * Math.floor(Math.floor(width / 2) / 2) * 64;
  const parts = resNetParts(rng);
  parts.conv('conv1', 3, channels, 32);
  parts.bn('bn1', 32);
  parts.conv('conv2', 3, 32, 64);
  parts.bn('bn2', 64);
  parts.trainable.set('fc1/kernel', heNormal(rng.derive('fc1'), [flat, 128], flat, 'fc1/kernel'));
  parts.trainable.set('fc1/bias', constantVariable([128], 0, 'fc1/bias'));
  parts.trainable.set('fc2/kernel', heNormal(rng.derive('fc2'), [128, spec.numClasses], 128, 'fc2/kernel'));
  if (spec.head !== 'cosine') parts.trainable.set('fc2/bias', constantVariable([spec.numClasses], 0, 'fc2/bias'));
  const variables = { trainable: parts.trainable, state: parts.state };
  const forwardRouted = (x: tf.Tensor4D, noise: ArrayLike<number> | undefined, { training }: { readonly training: boolean }): ForwardResult =>
    tf.tidy(() => {
      const norm = (h: tf.Tensor4D, name: string): tf.Tensor4D => {
        const gamma = parts.p(`${name}/gamma`) as tf.Tensor1D;
        const beta = parts.p(`${name}/beta`) as tf.Tensor1D;
        const state = parts.bnStates.get(name)!;
        return training ? darBatchNormTraining(h, noise, gamma, beta, state) : batchNormInference(h, gamma, beta, state);
      };
      let h = tf.maxPool(tf.relu(norm(convLayer(parts, x, 'conv1', 1), 'bn1')), 2, 2, 'valid');
      h = tf.maxPool(tf.relu(norm(convLayer(parts, h, 'conv2', 1), 'bn2')), 2, 2, 'valid');
      const flatH = tf.reshape(h, [x.shape[0], flat]);
      const features = tf.relu(tf.add(tf.matMul(flatH, parts.p('fc1/kernel') as tf.Tensor2D), parts.p('fc1/bias'))) as tf.Tensor2D;
      const logits = headLogits(spec.head, features, parts.p('fc2/kernel') as tf.Tensor2D, () => parts.p('fc2/bias'));
      return { logits, features };
    });
  return {
    name: 'dar-small-cnn',
    variables,
    forward: (x, options) => forwardRouted(x, undefined, options),
    forwardRouted,
    dispose: () => {
      disposeVariables(variables);
      parts.disposeConstants();
    },
  };
};

/** DAR-BN small CNN as a registry entry. */
export const darSmallCnn: ModelEntry = {
  name: 'dar-small-cnn',
  summary: 'small CNN with DAR-BN after each conv (pure-noise samples normalised apart) for 28×28 images',
  source: 'Zada et al., ICML 2022 (DAR-BN); the network is the small CNN with batch norms (ours)',
  noiseRouted: true,
  create: (spec, rng) => createDarSmallCnn(spec, rng),
};
