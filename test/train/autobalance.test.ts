import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { createRng, draw } from '../../src/core/rng.js';
import type { LabeledImages, Subset } from '../../src/data/labeled-images.js';
import { subsetLabels } from '../../src/data/labeled-images.js';
import { parametricCrossEntropy } from '../../src/losses/parametric-cross-entropy.js';
import type { Model } from '../../src/models/model.js';
import { uniqueVariableName } from '../../src/models/init.js';
import { gatherBatch } from '../../src/streams/gather-batch.js';
import { autoBalanceSplit, classGroups, createAutoBalance, decodeAutoBalanceState, perClassParameters } from '../../src/train/autobalance.js';
import { createSgdMomentum } from '../../src/train/sgd-momentum.js';
import type { TrainState } from '../../src/train/step.js';

/** Images of 1×2×1 bytes: pixel p stands for the feature (p − 128)/40 under `norm`. */
const norm = { mean: [128 / 255], std: [40 / 255] };

/** Three overlapping 2-D Gaussian classes with `counts` samples each. */
const gaussianImages = (counts: readonly number[], seed: number): LabeledImages => {
  const means = [
    [0, 0],
    [1.2, 0],
    [0.6, 1],
  ];
  const [samples] = draw(createRng(seed), (d) =>
    counts.flatMap((n, c) => Array.from({ length: n }, () => ({ y: c, x: means[c]!.map((m) => m + 0.7 * d.normal()) }))),
  );
  const byte = (v: number) => Math.max(0, Math.min(255, Math.round(128 + 40 * v)));
  return {
    pixels: Uint8Array.from(samples.flatMap((s) => s.x.map(byte))),
    labels: Int32Array.from(samples.map((s) => s.y)),
    shape: { height: 1, width: 2, channels: 1 },
    numClasses: 3,
    classNames: ['a', 'b', 'c'],
  };
};

const everything = (source: LabeledImages): Subset => ({ source, indices: Int32Array.from(source.labels, (_, i) => i) });

/** A linear classifier on the two pixels: logits = x·fc/kernel + fc/bias, features x. */
const linearModel = (): Model => {
  const kernel = tf.variable(tf.zeros([2, 3]), true, uniqueVariableName('fc/kernel'));
  const bias = tf.variable(tf.zeros([3]), true, uniqueVariableName('fc/bias'));
  return {
    name: 'linear',
    variables: { trainable: new Map([['fc/kernel', kernel], ['fc/bias', bias]]), state: new Map() },
    forward: (x) =>
      tf.tidy(() => {
        const features = tf.reshape(x, [x.shape[0], 2]) as tf.Tensor2D;
        return { features, logits: tf.add(tf.matMul(features, kernel), bias) as tf.Tensor2D };
      }),
    dispose: () => {
      kernel.dispose();
      bias.dispose();
    },
  };
};

describe('autoBalanceSplit', () => {
  it('holds out ⌈0.2·n_c⌉ of each class (one left for training, none from a class of one), deterministically for the seed', () => {
    const subset = everything(gaussianImages([50, 7, 1], 1));
    const a = autoBalanceSplit(subset, 3, 0.2, createRng(5));
    expect(a.valCounts).toEqual([10, 2, 0]);
    expect(a.trainCounts).toEqual([40, 5, 1]);
    expect(Array.from(subsetLabels(a.val)).filter((y) => y === 1)).toHaveLength(2);
    // Disjoint, covering, in subset order.
    const all = [...a.train.indices, ...a.val.indices].sort((x, y) => x - y);
    expect(all).toEqual(Array.from(subset.indices));
    expect(Array.from(a.val.indices)).toEqual([...a.val.indices].sort((x, y) => x - y));
    expect(autoBalanceSplit(subset, 3, 0.2, createRng(5))).toEqual(a);
    expect(Array.from(autoBalanceSplit(subset, 3, 0.2, createRng(6)).val.indices)).not.toEqual(Array.from(a.val.indices));
    expect(autoBalanceSplit(everything(gaussianImages([2, 2, 2], 1)), 3, 0.9, createRng(0)).valCounts).toEqual([1, 1, 1]);
  });
});

describe('classGroups and perClassParameters', () => {
  it('groups classes by descending count (ties by index) and interpolates between group centres', () => {
    const counts = [5, 50, 20, 20, 1, 8];
    // Ranks: 1 (50), 2 (20), 3 (20), 5 (8), 0 (5), 4 (1).
    expect(Array.from(classGroups(counts, 1))).toEqual([4, 0, 1, 2, 5, 3]);
    expect(Array.from(classGroups(counts, 2))).toEqual([2, 0, 0, 1, 2, 1]);
    expect(perClassParameters([1, 2, 3, 4, 5, 6], counts, 1)).toEqual([5, 1, 2, 3, 6, 4]);
    // Groups of 3: centres at ranks 1 and 4; ranks 0,1 → 10, 4,5 → 40, rank 2 → 10 + 30·1/3, rank 3 → 10 + 30·2/3.
    const values = perClassParameters([10, 40], counts, 3);
    const byRank = [1, 2, 3, 5, 0, 4].map((c) => values[c]!);
    expect(byRank[0]).toBe(10);
    expect(byRank[1]).toBe(10);
    expect(byRank[2]).toBeCloseTo(20, 12);
    expect(byRank[3]).toBeCloseTo(30, 12);
    expect(byRank[4]).toBe(40);
    expect(byRank[5]).toBe(40);
  });
});

describe('decodeAutoBalanceState', () => {
  it('accepts what the search saves and refuses malformed entries', () => {
    const s = { dy: [1, 2], ly: [0, 0], dyVelocity: [0, 0], lyVelocity: [0, 0], steps: 3, hyperSteps: 1 };
    expect(decodeAutoBalanceState(JSON.parse(JSON.stringify(s)))).toEqual(E.right(s));
    expect(E.isLeft(decodeAutoBalanceState({ ...s, dy: [1, 'x'] }))).toBe(true);
    expect(E.isLeft(decodeAutoBalanceState({ ...s, steps: 1.5 }))).toBe(true);
    expect(E.isLeft(decodeAutoBalanceState(undefined))).toBe(true);
  });
});

describe('createAutoBalance on a synthetic imbalanced problem', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('moves the tail toward a smaller Δ and offset than the head (the direction of CDT and logit adjustment)', () => {
    const source = gaussianImages([400, 80, 16], 3);
    const subset = everything(source);
    const model = linearModel();
    const optimizer = createSgdMomentum(model.variables.trainable, { momentum: 0.9, weightDecay: 0 });
    const search = createAutoBalance(subset, 3, norm, (counts) => parametricCrossEntropy.prepare({ ...parametricCrossEntropy.defaults }, counts), createRng(0), { interval: 1, hyperLr: 5, valBatchSize: 64, startEpoch: 1 });
    const state: TrainState = { model, loss: parametricCrossEntropy, prepared: null, reduction: 'mean', optimizer };
    try {
      const train = search.split.train;
      const before = tf.memory().numTensors;
      for (let epoch = 0; epoch < 12; epoch++) {
        const [order] = draw(createRng(100 + epoch), (d) => d.permutation(train.indices.length));
        for (let at = 0; at + 32 <= order.length; at += 32) search.step(state, gatherBatch(train, order.slice(at, at + 32), norm), 0.1, epoch);
      }
      expect(tf.memory().numTensors).toBe(before);
      const s = search.state();
      // No hyper-step in epoch 0 (startEpoch 1): 12 epochs × 12 steps, 11 × 12 hyper-steps.
      expect(s.steps).toBe(144);
      expect(s.hyperSteps).toBe(132);
      // Groups of one class in count order: group 0 the head (class 0), group 2 the tail (class 2).
      expect(Array.from(search.groupOf)).toEqual([0, 1, 2]);
      // Measured: ly head − tail 3.31 (logit adjustment's τ·log(π_head/π_tail) = log 25 = 3.22), dy 2.63 vs 1.37.
      expect(s.ly[0]! - s.ly[2]!).toBeGreaterThan(1);
      expect(s.dy[0]! - s.dy[2]!).toBeGreaterThan(0.3);
      expect(Number.isFinite(search.lastValLoss())).toBe(true);
      expect(search.prepared().ly).toEqual(s.ly);
    } finally {
      optimizer.dispose();
      model.dispose();
    }
  });
});
