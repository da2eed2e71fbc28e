import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { crossEntropy, crossEntropyPerExample } from '../../src/losses/cross-entropy.js';
import { decodeWith } from '../../src/config/report.js';
import { expectClose } from '../helpers/expect-close.js';

const logits = [
  [2, 1, 0.5],
  [-1, 3, 0],
  [0.2, 0.2, 0.2],
];
const labels = [0, 2, 1];

/** float64 reference straight from the formula. */
const reference = (eps: number) =>
  logits.map((row, i) => {
    const m = Math.max(...row);
    const lse = m + Math.log(row.reduce((s, z) => s + Math.exp(z - m), 0));
    const logp = row.map((z) => z - lse);
    return -(1 - eps) * logp[labels[i]!]! - (eps / row.length) * logp.reduce((s, v) => s + v, 0);
  });

describe('cross-entropy', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('matches the formula (golden values, ε = 0 and ε = 0.1)', () => {
    // python3: import numpy as np; z=np.array(logits); -(z - np.log(np.exp(z).sum(1, keepdims=True)))[[0,1,2],[0,2,1]]
    expectClose(reference(0), [0.46436878, 3.0658839, 1.09861229], 1e-6);
    for (const eps of [0, 0.1]) {
      const got = tf.tidy(() => crossEntropyPerExample(tf.tensor2d(logits), tf.tensor1d(labels, 'int32'), eps).dataSync().slice());
      expectClose(got, reference(eps), 1e-5);
    }
  });

  it('has the gradient softmax − onehot (mean over the batch)', () => {
    const g = tf.tidy(() => {
      const y = tf.tensor1d(labels, 'int32');
      return tf.grad((z: tf.Tensor) => tf.mean(crossEntropyPerExample(z as tf.Tensor2D, y)))(tf.tensor2d(logits)).dataSync().slice();
    });
    const expected = logits.flatMap((row, i) => {
      const s = row.reduce((a, z) => a + Math.exp(z), 0);
      return row.map((z, j) => (Math.exp(z) / s - (j === labels[i] ? 1 : 0)) / logits.length);
    });
    expectClose(g, expected, 1e-6);
  });

  it('decodes its config and reports a bad one with the path', () => {
    expect(decodeWith(crossEntropy.configCodec, { labelSmoothing: 0.1 })).toEqual(E.right({ labelSmoothing: 0.1 }));
    expect(decodeWith(crossEntropy.configCodec, { labelSmoothing: 2 }, 'lossConfig')).toEqual(
      E.left('lossConfig.labelSmoothing: expected a number in [0, 1], got 2'),
    );
  });

  it('leaves no tensors behind', () => {
    const before = tf.memory().numTensors;
    const z = tf.tensor2d(logits);
    const y = tf.tensor1d(labels, 'int32');
    tf.tidy(() => {
      crossEntropy.perExample({ logits: z, labels: y }, crossEntropy.prepare(crossEntropy.defaults, [1, 1, 1]));
    });
    z.dispose();
    y.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });
});
