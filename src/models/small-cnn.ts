/**
 * A small CNN for 28×28 images: conv3×3(32)–ReLU–maxpool2 → conv3×3(64)–ReLU–maxpool2 → dense(128)–ReLU → dense(C)
 * (or a cosine head over the 128 features).
 * The PyTorch peer in ../../shared/REFERENCE.md is the same network ("MNIST CNN").
 */
import * as tf from '@tensorflow/tfjs-core';
import type { Rng } from '../core/rng.js';
import { heNormal, constantVariable } from './init.js';
import { headLogits } from './cosine-head.js';
import { disposeVariables, type Model, type ModelEntry, type ModelSpec } from './model.js';

/** Builds the small CNN for `spec` with weights drawn from `rng`. */
export const createSmallCnn = (spec: ModelSpec, rng: Rng): Model => {
  const { height, width, channels } = spec.shape;
  const h2 = Math.floor(Math.floor(height / 2) / 2);
  const w2 = Math.floor(Math.floor(width / 2) / 2);
  const flat = h2 * w2 * 64;
  const trainable = new Map<string, tf.Variable>([
    ['conv1/kernel', heNormal(rng.derive('conv1'), [3, 3, channels, 32], 9 * channels, 'conv1/kernel')],
    ['conv1/bias', constantVariable([32], 0, 'conv1/bias')],
    ['conv2/kernel', heNormal(rng.derive('conv2'), [3, 3, 32, 64], 9 * 32, 'conv2/kernel')],
    ['conv2/bias', constantVariable([64], 0, 'conv2/bias')],
    ['fc1/kernel', heNormal(rng.derive('fc1'), [flat, 128], flat, 'fc1/kernel')],
    ['fc1/bias', constantVariable([128], 0, 'fc1/bias')],
    ['fc2/kernel', heNormal(rng.derive('fc2'), [128, spec.numClasses], 128, 'fc2/kernel')],
  ]);
  if (spec.head !== 'cosine') trainable.set('fc2/bias', constantVariable([spec.numClasses], 0, 'fc2/bias'));
  const p = (k: string): tf.Variable => trainable.get(k)!;
  const variables = { trainable, state: new Map<string, tf.Variable>() };
  return {
    name: 'small-cnn',
    variables,
    forward: (x) =>
      tf.tidy(() => {
        let h = tf.relu(tf.add<tf.Tensor4D>(tf.conv2d(x, p('conv1/kernel') as tf.Tensor4D, 1, 'same'), p('conv1/bias')));
        h = tf.maxPool(h, 2, 2, 'valid');
        h = tf.relu(tf.add<tf.Tensor4D>(tf.conv2d(h, p('conv2/kernel') as tf.Tensor4D, 1, 'same'), p('conv2/bias')));
        h = tf.maxPool(h, 2, 2, 'valid');
        const flatH = tf.reshape(h, [x.shape[0], flat]);
        const features = tf.relu(tf.add(tf.matMul(flatH, p('fc1/kernel') as tf.Tensor2D), p('fc1/bias'))) as tf.Tensor2D;
        const logits = headLogits(spec.head, features, p('fc2/kernel') as tf.Tensor2D, () => p('fc2/bias'));
        return { logits, features };
      }),
    dispose: () => disposeVariables(variables),
  };
};

/** The small CNN as a registry entry. */
export const smallCnn: ModelEntry = {
  name: 'small-cnn',
  summary: 'conv32–pool–conv64–pool–dense128 for 28×28 images',
  source: 'the classic Keras/PyTorch MNIST example network',
  create: createSmallCnn,
};
