import { describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';

describe('shared identity on wasm', () => {
  it('clones without copying: one buffer, one more reference, readable after the original is disposed', async () => {
    await initBackend('wasm', { threads: 1 });
    const before = tf.memory().numTensors;
    const x = tf.tensor2d([1, -2, 3, 4.5], [2, 2]);
    const buffers = tf.engine().backend.numDataIds();
    const y = tf.clone(x);
    expect(tf.engine().backend.numDataIds()).toBe(buffers);
    x.dispose();
    expect(Array.from(y.dataSync())).toEqual([1, -2, 3, 4.5]);
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
    expect(tf.engine().backend.numDataIds()).toBe(buffers - 1);
  });

  it('shares a cast to the same dtype and still converts to another dtype', async () => {
    await initBackend('wasm', { threads: 1 });
    const x = tf.tensor1d([1.7, -2.2, 0]);
    const buffers = tf.engine().backend.numDataIds();
    const same = tf.cast(x, 'float32');
    expect(tf.engine().backend.numDataIds()).toBe(buffers);
    const ints = tf.cast(x, 'int32');
    expect(ints.dtype).toBe('int32');
    expect(Array.from(ints.dataSync())).toEqual([1, -2, 0]);
    expect(Array.from(same.dataSync())).toEqual(Array.from(x.dataSync()));
    tf.dispose([x, same, ints]);
  });

  it('keeps gradients through saved (cloned) tensors equal to cpu', async () => {
    const f = (x: tf.Tensor) => tf.sum(tf.mul(tf.relu(x), x));
    const xv = [0.5, -1, 2, -0.25, 3];
    await initBackend('cpu');
    const expected = tf.tidy(() => Array.from(tf.grad(f)(tf.tensor1d(xv)).dataSync()));
    await initBackend('wasm', { threads: 1 });
    const got = tf.tidy(() => Array.from(tf.grad(f)(tf.tensor1d(xv)).dataSync()));
    expect(got).toEqual(expected);
    expect(got).toEqual([1, 0, 4, 0, 6]);
  });
});
