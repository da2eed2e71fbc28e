/**
 * End-to-end check of everything the wasm backend swaps in for training (conv, max-pool and matMul
 * gradients, threads, the batch norm built from pools and 1×1 depthwise convolutions): the same
 * loss and the same gradients as tfjs's own autodiff on the cpu backend.
 */
import { afterAll, describe, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend, shutdownBackend } from '../../src/backend/index.js';
import { batchNormTraining, channelMean, type BatchNormState } from '../../src/models/batch-norm.js';
import { createResNetCifar } from '../../src/models/resnet32.js';
import { createSmallCnn } from '../../src/models/small-cnn.js';
import type { Model } from '../../src/models/model.js';
import { createRng } from '../../src/core/rng.js';
import { expectAllClose, lcgArray } from './close.js';

/** Loss and gradients (in variable order) of a mean-squared-logits loss, on host arrays. */
const lossAndGrads = (model: Model, x: tf.Tensor4D): Float32Array[] =>
  tf.tidy(() => {
    const { value, grads } = tf.variableGrads(() => tf.mean(tf.square(model.forward(x, { training: true }).logits)) as tf.Scalar);
    return [value.dataSync() as Float32Array, ...[...model.variables.trainable.values()].map((v) => grads[v.name]!.dataSync() as Float32Array)];
  });

const onBoth = async (run: () => Float32Array[], threads: number): Promise<[Float32Array[], Float32Array[]]> => {
  await initBackend('wasm', { threads });
  const wasm = run();
  await initBackend('cpu');
  const cpu = run();
  return [wasm, cpu];
};

describe('training gradients on wasm equal cpu autodiff', () => {
  afterAll(async () => {
    await shutdownBackend();
  });

  it('small CNN (conv, max-pool, dense), 2 threads', async () => {
    const xv = lcgArray(3 * 12 * 12, 11, 0, 1);
    const run = () => {
      const model = createSmallCnn({ shape: { height: 12, width: 12, channels: 1 }, numClasses: 10 }, createRng(5));
      const out = lossAndGrads(model, tf.tensor4d(xv, [3, 12, 12, 1]));
      model.dispose();
      return out;
    };
    const [wasm, cpu] = await onBoth(run, 2);
    wasm.forEach((g, i) => expectAllClose(g, cpu[i]!, 2e-4));
  });

  it('ResNet (1 block per stage: stride-2 convs, shortcuts, batch norm), 2 threads', async () => {
    const xv = lcgArray(4 * 8 * 8 * 3, 12, 0, 1);
    const run = () => {
      const model = createResNetCifar({ shape: { height: 8, width: 8, channels: 3 }, numClasses: 5 }, createRng(6), 1);
      const out = lossAndGrads(model, tf.tensor4d(xv, [4, 8, 8, 3]));
      const stats = [...model.variables.state.values()].map((v) => v.dataSync() as Float32Array);
      model.dispose();
      return [...out, ...stats];
    };
    const [wasm, cpu] = await onBoth(run, 2);
    wasm.forEach((g, i) => expectAllClose(g, cpu[i]!, 2e-4));
  });

  it('batch norm: values and gradients of autodiff through tf.moments; channel means of a pool', async () => {
    const shape: [number, number, number, number] = [3, 5, 4, 6];
    const xv = lcgArray(3 * 5 * 4 * 6, 21, -2, 3);
    const dyv = lcgArray(xv.length, 22);
    const ours = () =>
      tf.tidy(() => {
        const s: BatchNormState = { runningMean: tf.variable(tf.zeros([6]), false), runningVar: tf.variable(tf.ones([6]), false), epsilon: 1e-5, momentum: 0.1 };
        const f = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => batchNormTraining(x as tf.Tensor4D, g as tf.Tensor1D, b as tf.Tensor1D, s);
        const args = [tf.tensor4d(xv, shape), tf.tensor1d(lcgArray(6, 23, 0.5, 1.5)), tf.tensor1d(lcgArray(6, 24))];
        // One call: the running statistics are updated once.
        const { value, grads } = tf.valueAndGrads((x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => f(x, g, b))(args, tf.tensor4d(dyv, shape));
        const out = [value, ...grads, channelMean(args[0] as tf.Tensor4D), s.runningMean, s.runningVar].map((t) => t.dataSync() as Float32Array);
        s.runningMean.dispose();
        s.runningVar.dispose();
        return out;
      });
    const reference = () =>
      tf.tidy(() => {
        const f = (x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => {
          const { mean, variance } = tf.moments(x, [0, 1, 2]);
          return tf.add(tf.mul(tf.div(tf.sub(x, mean), tf.sqrt(tf.add(variance, 1e-5))), g), b);
        };
        const args = [tf.tensor4d(xv, shape), tf.tensor1d(lcgArray(6, 23, 0.5, 1.5)), tf.tensor1d(lcgArray(6, 24))];
        const grads = tf.grads((x: tf.Tensor, g: tf.Tensor, b: tf.Tensor) => tf.sum(tf.mul(f(x, g, b), tf.tensor4d(dyv, shape))))(args);
        const { mean, variance } = tf.moments(args[0]!, [0, 1, 2]);
        const m = 3 * 5 * 4;
        const runningMean = tf.mul(mean, 0.1);
        const runningVar = tf.add(0.9, tf.mul(variance, (0.1 * m) / (m - 1)));
        return [f(args[0]!, args[1]!, args[2]!), ...grads, mean, runningMean, runningVar].map((t) => t.dataSync() as Float32Array);
      });
    await initBackend('cpu');
    const ref = reference();
    for (const backend of ['wasm', 'cpu'] as const) {
      await initBackend(backend, { threads: 1 });
      ours().forEach((t, i) => expectAllClose(t, ref[i]!, 1e-4));
    }
  });
});
