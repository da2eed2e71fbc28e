import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { lastValueFrom, toArray } from 'rxjs';
import { initBackend } from '../../src/backend/index.js';
import { mixedPerExample, trainStep, type TrainState } from '../../src/train/step.js';
import { createSgdMomentum } from '../../src/train/sgd-momentum.js';
import { fit } from '../../src/train/fit.js';
import { createSmallCnn } from '../../src/models/small-cnn.js';
import { crossEntropy } from '../../src/losses/cross-entropy.js';
import { instanceSampler } from '../../src/streams/samplers/instance-sampler.js';
import { createRng } from '../../src/core/rng.js';
import { UserError } from '../../src/core/errors.js';
import type { HostBatch } from '../../src/core/host-batch.js';
import { defineLoss } from '../../src/losses/loss-spec.js';
import * as t from 'io-ts';
import type { LongTailDataset } from '../../src/data/datasets.js';

const shape = { height: 8, width: 8, channels: 1 };

/** Two easily separable classes: bright top half vs bright bottom half. */
const toyBatch = (n: number): HostBatch => {
  const x = new Float32Array(n * 64);
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    y[i] = i % 2;
    for (let p = 0; p < 64; p++) x[i * 64 + p] = (p < 32) === (y[i] === 0) ? 1 : -1;
  }
  return { x, y, index: Int32Array.from({ length: n }, (_, i) => i), shape };
};

const makeState = (seed: number): TrainState => {
  const model = createSmallCnn({ shape, numClasses: 2 }, createRng(seed));
  return {
    model,
    loss: crossEntropy,
    prepared: crossEntropy.prepare(crossEntropy.defaults, [1, 1]),
    reduction: 'mean',
    optimizer: createSgdMomentum(model.variables.trainable, { momentum: 0.9, weightDecay: 5e-4 }),
  };
};
const dispose = (s: TrainState) => {
  s.optimizer.dispose();
  s.model.dispose();
};

describe('trainStep', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('learns a separable toy problem and leaks no tensor', () => {
    const state = makeState(0);
    const batch = toyBatch(16);
    const before = tf.memory().numTensors;
    const losses: number[] = [];
    for (let i = 0; i < 8; i++) losses.push(trainStep(state, batch, 0.05).loss);
    expect(tf.memory().numTensors).toBe(before);
    expect(losses[7]!).toBeLessThan(losses[0]! * 0.5);
    expect(trainStep(state, batch, 0.05).correct).toBe(16);
    dispose(state);
  });

  it('refuses a non-finite loss in one sentence and leaves the weights untouched', () => {
    // A loss that diverges: NaN times the logits (so it still depends on every weight).
    const diverging = defineLoss<Record<string, never>, null>({
      name: 'diverging',
      summary: 'test double',
      source: 'test',
      configCodec: t.type({}) as never,
      defaults: {},
      prepare: () => null,
      perExample: ({ logits }) => tf.mul(tf.sum(logits, 1), Number.NaN) as tf.Tensor1D,
    });
    const state = { ...makeState(1), loss: diverging };
    const bad = toyBatch(4);
    const w = state.model.variables.trainable.get('fc2/kernel')!;
    const before = w.dataSync().slice();
    const tensors = tf.memory().numTensors;
    let caught: unknown;
    try {
      trainStep(state, bad, 0.1);
    } catch (e) {
      caught = e;
    }
    expect(caught).toBeInstanceOf(UserError);
    expect((caught as UserError).message).toBe('The diverging loss became NaN.');
    expect([...w.dataSync()]).toEqual([...before]);
    expect(tf.memory().numTensors).toBe(tensors);
    dispose(state);
  });
});

describe('fit', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  const source = toyBatch(24);
  const dataset: LongTailDataset = {
    name: 'toy',
    train: {
      source: { pixels: Uint8Array.from(source.x, (v) => (v > 0 ? 255 : 0)), labels: source.y, shape, numClasses: 2, classNames: ['top', 'bottom'] },
      indices: Int32Array.from({ length: 24 }, (_, i) => i),
    },
    test: {
      source: { pixels: new Uint8Array(64), labels: new Int32Array(1), shape, numClasses: 2, classNames: ['top', 'bottom'] },
      indices: new Int32Array(1),
    },
    trainCounts: [12, 12],
    testCounts: [1, 0],
    numClasses: 2,
    classNames: ['top', 'bottom'],
    shape,
    mean: [0.5],
    std: [0.5],
    flipInvariant: false,
  };

  const run = async (seed: number) => {
    const state = makeState(seed);
    const events = await lastValueFrom(
      fit({ dataset, state, sampler: instanceSampler, transforms: [], epochs: 2, batchSize: 8, lr: () => 0.05, rng: createRng(seed) }).pipe(toArray()),
    );
    const weights = state.model.variables.trainable.get('fc2/kernel')!.dataSync().slice();
    dispose(state);
    return { events, weights };
  };

  it('emits 3 step events and an epoch event per epoch, in order', async () => {
    const { events } = await run(0);
    expect(events.map((e) => (e.kind === 'step' ? `s${e.epoch}.${e.step}` : `e${e.epoch}`))).toEqual([
      's0.0', 's0.1', 's0.2', 'e0', 's1.0', 's1.1', 's1.2', 'e1',
    ]);
    const last = events[7]!;
    expect(last.kind === 'epoch' && last.samples).toBe(24);
  });

  it('gives bit-identical weights for the same seed and different ones for another', async () => {
    const [a, b, c] = [await run(3), await run(3), await run(4)];
    expect([...a.weights]).toEqual([...b.weights]);
    expect([...a.weights]).not.toEqual([...c.weights]);
  });
});

describe('mixed targets', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('are consumed as λ·L(y_a) + (1 − λ)·L(y_b) per example', () => {
    const logits = [[2, 0, -1], [0.5, 0.5, 3]];
    const batch: HostBatch = {
      x: new Float32Array(2),
      y: Int32Array.from([0, 2]),
      index: Int32Array.from([0, 1]),
      shape: { height: 1, width: 1, channels: 1 },
      mix: { y: Int32Array.from([1, 0]), lambda: Float32Array.from([0.25, 1]) },
    };
    const ce = (row: number[], k: number) => Math.log(row.reduce((s, z) => s + Math.exp(z), 0)) - row[k]!;
    const expected = [0.25 * ce(logits[0]!, 0) + 0.75 * ce(logits[0]!, 1), ce(logits[1]!, 2)];
    const got = tf.tidy(() =>
      mixedPerExample({ loss: crossEntropy, prepared: { labelSmoothing: 0 } }, tf.tensor2d(logits), tf.tensor1d(batch.y, 'int32'), tf.zeros([2, 1]), batch).dataSync().slice(),
    );
    expect(got[0]).toBeCloseTo(expected[0]!, 5);
    expect(got[1]).toBeCloseTo(expected[1]!, 5);
  });
});
