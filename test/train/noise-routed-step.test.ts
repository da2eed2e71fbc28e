import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { noiseRoutedStepFunction } from '../../src/train/noise-routed-step.js';
import type { HostBatch } from '../../src/core/host-batch.js';
import { trainStep, type TrainState } from '../../src/train/step.js';
import { samStep } from '../../src/train/sam.js';
import { createSgdMomentum } from '../../src/train/sgd-momentum.js';
import { createDarResNet } from '../../src/models/dar-resnet.js';
import { createSmallCnn } from '../../src/models/small-cnn.js';
import { crossEntropy } from '../../src/losses/cross-entropy.js';
import { createRng, draw } from '../../src/core/rng.js';
import type { Model } from '../../src/models/model.js';

const shape = { height: 8, width: 8, channels: 3 };
const batch = (noise?: number[]): HostBatch => ({
  x: draw(createRng(1), (d) => Float32Array.from({ length: 4 * 192 }, () => d.normal()))[0],
  y: Int32Array.from([0, 1, 2, 0]),
  index: Int32Array.from([0, 1, 2, 3]),
  shape,
  ...(noise === undefined ? {} : { noise: Uint8Array.from(noise) }),
});
const stateOf = (model: Model): TrainState => ({
  model,
  loss: crossEntropy,
  prepared: crossEntropy.prepare(crossEntropy.defaults, [1, 1, 1]),
  reduction: 'mean',
  optimizer: createSgdMomentum(model.variables.trainable, { momentum: 0.9, weightDecay: 5e-4 }),
});
const dispose = (s: TrainState) => {
  s.optimizer.dispose();
  s.model.dispose();
};
const stats = (s: TrainState) => [...s.model.variables.state.values()].flatMap((v) => Array.from(v.dataSync()));

describe('noiseRoutedStepFunction', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('is the inner step for unmarked batches, and routes marked ones through DAR-BN without leaking', () => {
    const step = noiseRoutedStepFunction();
    const [a, b, c] = [0, 0, 0].map(() => stateOf(createDarResNet({ shape, numClasses: 3 }, createRng(6), 1)));
    step(a!, batch(), 0.05, 0);
    trainStep(b!, batch(), 0.05);
    expect(stats(a!)).toEqual(stats(b!));
    const before = tf.memory().numTensors;
    step(c!, batch([0, 1, 1, 0]), 0.05, 0);
    expect(tf.memory().numTensors).toBe(before);
    expect(stats(c!)).not.toEqual(stats(b!));
    [a, b, c].forEach((s) => dispose(s!));
  });

  it('wraps any step, e.g. SAM', () => {
    const step = noiseRoutedStepFunction((s, bt, lr) => samStep(s, bt, lr, { rho: 0.1 }));
    const s = stateOf(createDarResNet({ shape, numClasses: 3 }, createRng(7), 1));
    expect(Number.isFinite(step(s, batch([1, 0, 0, 0]), 0.05, 0).loss)).toBe(true);
    dispose(s);
  });

  it('refuses noise marks for a model that cannot route them', () => {
    const s = stateOf(createSmallCnn({ shape, numClasses: 3 }, createRng(0)));
    expect(() => noiseRoutedStepFunction()(s, batch([0, 1, 0, 0]), 0.05, 0)).toThrow(
      "noiseRoutedStepFunction: the model 'small-cnn' cannot route pure-noise samples (use a DAR-BN model)",
    );
    dispose(s);
  });
});
