/**
 * A model and loss with hand-computable gradients: logits = x·W for x ∈ R^D (a 1×1×D image) and
 * W ∈ R^{D×1}, per-example loss ½(x·W)², so ∇_W ℓ = (x·W)·x.
 */
import * as t from 'io-ts';
import * as tf from '@tensorflow/tfjs-core';
import { defineLoss } from '../../../src/losses/loss-spec.js';
import type { Model } from '../../../src/models/model.js';
import type { HostBatch } from '../../../src/core/host-batch.js';
import { uniqueVariableName } from '../../../src/models/init.js';

export const quadraticModel = (w: readonly number[]): Model => {
  const kernel = tf.variable(tf.tensor2d([...w], [w.length, 1]), true, uniqueVariableName('quadratic/w'));
  const variables = { trainable: new Map([['w', kernel]]), state: new Map<string, tf.Variable>() };
  return {
    name: 'quadratic',
    variables,
    forward: (x) =>
      tf.tidy(() => {
        const features = tf.reshape(x, [x.shape[0], w.length]) as tf.Tensor2D;
        return { logits: tf.matMul(features, kernel) as tf.Tensor2D, features };
      }),
    dispose: () => kernel.dispose(),
  };
};

export const halfSquare = defineLoss<Record<string, never>, null>({
  name: 'half-square',
  summary: '½‖z‖² (test double)',
  source: 'test',
  configCodec: t.type({}) as never,
  defaults: {},
  prepare: () => null,
  perExample: ({ logits }) => tf.mul(0.5, tf.sum(tf.square(logits), 1)) as tf.Tensor1D,
});

/** A batch of 1×1×D "images" with the given labels. */
export const vectorBatch = (xs: ReadonlyArray<readonly number[]>, labels: readonly number[]): HostBatch => ({
  x: Float32Array.from(xs.flat()),
  y: Int32Array.from(labels),
  index: Int32Array.from(labels, (_, i) => i),
  shape: { height: 1, width: 1, channels: xs[0]!.length },
});
