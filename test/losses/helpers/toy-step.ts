/**
 * A few `trainStep`s of a small CNN on a separable two-class toy batch: shows a registered loss trains
 * through the ordinary step (logits, labels and the model's features), without leaking tensors.
 */
import * as tf from '@tensorflow/tfjs-core';
import { expect } from 'vitest';
import { trainStep } from '../../../src/train/step.js';
import { createSgdMomentum } from '../../../src/train/sgd-momentum.js';
import { createSmallCnn } from '../../../src/models/small-cnn.js';
import { createRng } from '../../../src/core/rng.js';
import type { HostBatch } from '../../../src/core/host-batch.js';
import type { LossSpec } from '../../../src/losses/loss-spec.js';

const shape = { height: 8, width: 8, channels: 1 };

/** Bright top half (class 0) vs bright bottom half (class 1). */
const toyBatch = (n: number): HostBatch => {
  const x = new Float32Array(n * 64);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    for (let p = 0; p < 64; p++) x[i * 64 + p] = (p < 32) === (y[i] === 0) ? 1 : -1;
  }
  return { x, y, index: Int32Array.from({ length: n }, (_, i) => i), shape };
};

/** The step losses of `steps` steps at learning rate `lr` (asserts no tensor is left behind). */
export const toyStepLosses = <C, P>(spec: LossSpec<C, P>, config: C, steps = 8, lr = 0.05): number[] => {
  const model = createSmallCnn({ shape, numClasses: 2 }, createRng(0));
  const optimizer = createSgdMomentum(model.variables.trainable, { momentum: 0.9, weightDecay: 5e-4 });
  const state = { model, loss: spec, prepared: spec.prepare(config, [8, 8]), reduction: 'mean' as const, optimizer };
  const batch = toyBatch(16);
  const before = tf.memory().numTensors;
  const losses = Array.from({ length: steps }, () => trainStep(state, batch, lr).loss);
  expect(tf.memory().numTensors).toBe(before);
  optimizer.dispose();
  model.dispose();
  return losses;
};
