import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { bbnStep } from '../../src/train/bbn-step.js';
import type { TrainState } from '../../src/train/step.js';
import { createSgdMomentum } from '../../src/train/sgd-momentum.js';
import { createBbnSmallCnn } from '../../src/models/bbn.js';
import { createSmallCnn } from '../../src/models/small-cnn.js';
import { crossEntropy } from '../../src/losses/cross-entropy.js';
import { createRng, draw } from '../../src/core/rng.js';
import type { HostBatch } from '../../src/core/host-batch.js';
import type { Model } from '../../src/models/model.js';

const shape = { height: 8, width: 8, channels: 1 };
const batch = (labels: number[], seed: number): HostBatch => ({
  x: draw(createRng(seed), (d) => Float32Array.from({ length: labels.length * 64 }, () => d.normal()))[0],
  y: Int32Array.from(labels),
  index: Int32Array.from(labels, (_, i) => i),
  shape,
});
const stateOf = (model: Model): TrainState => ({
  model,
  loss: crossEntropy,
  prepared: crossEntropy.prepare(crossEntropy.defaults, [1, 1, 1]),
  reduction: 'mean',
  optimizer: createSgdMomentum(model.variables.trainable, { momentum: 0.9, weightDecay: 0 }),
});
const dispose = (s: TrainState) => {
  s.optimizer.dispose();
  s.model.dispose();
};
const pair = { conventional: batch([0, 1, 2, 0], 1), rebalancing: batch([2, 2, 1, 0], 2) };

describe('bbnStep', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('reports α·CE(z, y_c) + (1 − α)·CE(z, y_r) of the bilateral logits before the update', () => {
    const s = stateOf(createBbnSmallCnn({ shape, numClasses: 3 }, createRng(4)));
    const alpha = 0.7;
    const expected = tf.tidy(() => {
      const model = s.model as ReturnType<typeof createBbnSmallCnn>;
      const x = (b: HostBatch) => tf.tensor4d(b.x, [4, 8, 8, 1]);
      const logits = model.forwardBilateral(x(pair.conventional), x(pair.rebalancing), alpha, { training: true }).logits;
      const ce = (y: Int32Array) => tf.losses.softmaxCrossEntropy(tf.oneHot(tf.tensor1d(y, 'int32'), 3), logits, undefined, undefined, tf.Reduction.NONE);
      return tf.mean(tf.add(tf.mul(ce(pair.conventional.y), alpha), tf.mul(ce(pair.rebalancing.y), 1 - alpha))).dataSync()[0]!;
    });
    const before = tf.memory().numTensors;
    const r = bbnStep(s, pair, 0.05, alpha);
    expect(tf.memory().numTensors).toBe(before);
    expect(r.loss).toBeCloseTo(expected, 5);
    expect(r.size).toBe(4);
    dispose(s);
  });

  it('α = 1 trains the conventional branch only, α = 0 the re-balancing one (the other gets no gradient)', () => {
    for (const [alpha, moved, still] of [
      [1, 'cb/fc1/kernel', 'rb/fc1/kernel'],
      [0, 'rb/fc1/kernel', 'cb/fc1/kernel'],
    ] as const) {
      const s = stateOf(createBbnSmallCnn({ shape, numClasses: 3 }, createRng(5)));
      const w = (k: string) => Array.from(s.model.variables.trainable.get(k)!.dataSync());
      const [m0, s0] = [w(moved), w(still)];
      bbnStep(s, pair, 0.05, alpha);
      expect(w(moved)).not.toEqual(m0);
      expect(w(still)).toEqual(s0);
      dispose(s);
    }
  });

  it('refuses a model without branches, batches of different sizes and mixed targets', () => {
    const plain = stateOf(createSmallCnn({ shape, numClasses: 3 }, createRng(0)));
    expect(() => bbnStep(plain, pair, 0.1, 0.5)).toThrow("bbnStep: the model 'small-cnn' has no bilateral forward pass (use a BBN model)");
    dispose(plain);
    const s = stateOf(createBbnSmallCnn({ shape, numClasses: 3 }, createRng(0)));
    expect(() => bbnStep(s, { conventional: batch([0, 1], 1), rebalancing: batch([0], 2) }, 0.1, 0.5)).toThrow(
      'bbnStep: the conventional batch has 2 samples, the re-balancing one 1',
    );
    const mixed = { ...pair.conventional, mix: { y: Int32Array.from([1, 1, 1, 1]), lambda: new Float32Array(4).fill(0.5) } };
    expect(() => bbnStep(s, { conventional: mixed, rebalancing: pair.rebalancing }, 0.1, 0.5)).toThrow('bbnStep: batches with mixed targets are not supported');
    dispose(s);
  });
});
