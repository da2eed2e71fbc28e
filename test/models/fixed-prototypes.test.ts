import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { simplexEtfPrototypes, withFixedPrototypes } from '../../src/models/fixed-prototypes.js';
import { createSmallCnn } from '../../src/models/small-cnn.js';
import { trainStep } from '../../src/train/step.js';
import { createSgdMomentum } from '../../src/train/sgd-momentum.js';
import { crossEntropy } from '../../src/losses/cross-entropy.js';
import { createRng, draw } from '../../src/core/rng.js';

const gram = (p: Float32Array, dim: number, k: number) =>
  Array.from({ length: k }, (_, i) => Array.from({ length: k }, (_, j) => Array.from({ length: dim }, (_, d) => p[d * k + i]! * p[d * k + j]!).reduce((a, b) => a + b)));

describe('simplexEtfPrototypes', () => {
  it('gives unit vectors with pairwise inner products −1/(K − 1), also in the tight case D = K − 1', () => {
    for (const [k, dim] of [
      [2, 1],
      [3, 2],
      [4, 3],
      [10, 64],
    ] as const) {
      const g = gram(simplexEtfPrototypes(k, dim), dim, k);
      g.forEach((row, i) => row.forEach((v, j) => expect(v, `K=${k} D=${dim} (${i}, ${j})`).toBeCloseTo(i === j ? 1 : -1 / (k - 1), 6)));
    }
  });

  it('the prototypes sum to zero (a centred frame)', () => {
    const p = simplexEtfPrototypes(5, 8);
    for (let d = 0; d < 8; d++) expect(Array.from(p.subarray(d * 5, d * 5 + 5)).reduce((a, b) => a + b)).toBeCloseTo(0, 6);
  });

  it('refuses fewer than 2 classes and too few dimensions', () => {
    expect(() => simplexEtfPrototypes(1, 4)).toThrow('simplexEtfPrototypes: need at least 2 classes, got 1');
    expect(() => simplexEtfPrototypes(5, 3)).toThrow('simplexEtfPrototypes: 5 classes need at least 4 feature dimensions, got 3');
  });
});

describe('withFixedPrototypes', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('gives s·cos logits to the frozen prototypes; training moves the features, never the prototypes', () => {
    const shape = { height: 8, width: 8, channels: 1 };
    const prototypes = simplexEtfPrototypes(3, 128);
    const model = withFixedPrototypes(createSmallCnn({ shape, numClasses: 3 }, createRng(0)), prototypes, 128, 10);
    const x = draw(createRng(1), (d) => Float32Array.from({ length: 2 * 64 }, () => d.normal()))[0];
    const logits = tf.tidy(() => Array.from(model.forward(tf.tensor4d(x, [2, 8, 8, 1]), { training: false }).logits.dataSync()));
    expect(logits.every((v) => Math.abs(v) <= 10 + 1e-4)).toBe(true);
    const state = {
      model,
      loss: crossEntropy,
      prepared: crossEntropy.prepare(crossEntropy.defaults, [1, 1, 1]),
      reduction: 'mean' as const,
      optimizer: createSgdMomentum(model.variables.trainable, { momentum: 0.9, weightDecay: 5e-4 }),
    };
    const fc2 = Array.from(model.variables.trainable.get('fc2/kernel')!.dataSync());
    const fc1 = Array.from(model.variables.trainable.get('fc1/kernel')!.dataSync());
    const before = tf.memory().numTensors;
    trainStep(state, { x, y: Int32Array.from([0, 2]), index: Int32Array.from([0, 1]), shape }, 0.1);
    expect(tf.memory().numTensors).toBe(before);
    expect(Array.from(model.variables.trainable.get('fc2/kernel')!.dataSync())).toEqual(fc2); // the unused linear head
    expect(Array.from(model.variables.trainable.get('fc1/kernel')!.dataSync())).not.toEqual(fc1);
    state.optimizer.dispose();
    model.dispose();
  });

  it('refuses a non-positive scale', () => {
    expect(() => withFixedPrototypes({} as never, new Float32Array(2), 1, 0)).toThrow('withFixedPrototypes: the scale must be positive, got 0');
  });
});
