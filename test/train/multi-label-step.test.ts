import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import * as t from 'io-ts';
import { initBackend } from '../../src/backend/index.js';
import { countTopOneHits, trainStep, type TrainState } from '../../src/train/step.js';
import { createSgdMomentum } from '../../src/train/sgd-momentum.js';
import { createSmallCnn } from '../../src/models/small-cnn.js';
import { defineLoss } from '../../src/losses/loss-spec.js';
import { distributionBalanced } from '../../src/losses/distribution-balanced.js';
import { createRng } from '../../src/core/rng.js';
import { UserError } from '../../src/core/errors.js';
import type { HostBatch } from '../../src/core/host-batch.js';
import { epochBatches, subsetLabelSets } from '../../src/streams/epoch-batches.js';
import { multiLabelSampler } from '../../src/streams/samplers/multi-label-sampler.js';
import { lastValueFrom, toArray } from 'rxjs';
import { pullThrough, type PullSource } from '../../src/streams/pull-source.js';
import { identity } from 'rxjs';
import type { MultiLabelImages } from '../../src/data/multi-label-mosaic.js';

const shape = { height: 8, width: 8, channels: 1 };
const C = 3;
/** Four samples with label sets {0, 2}, {1}, {0, 1, 2}, {2}; y is the rarest (largest) label. */
/** Every batch of a pull source. */
const collect = <T>(source: PullSource<T>): Promise<T[]> => lastValueFrom(pullThrough(source, identity, { prefetch: 1 }).pipe(toArray()));

const TARGETS = Uint8Array.from([1, 0, 1, 0, 1, 0, 1, 1, 1, 0, 0, 1]);
const batch = (): HostBatch => ({
  x: Float32Array.from({ length: 4 * 64 }, (_, p) => Math.sin(p)),
  y: Int32Array.from([2, 1, 2, 2]),
  index: Int32Array.from([0, 1, 2, 3]),
  shape,
  targets: TARGETS,
});

const stateWith = (loss: TrainState['loss'], prepared: unknown): TrainState => {
  const model = createSmallCnn({ shape, numClasses: C }, createRng(1));
  return { model, loss, prepared, reduction: 'mean', optimizer: createSgdMomentum(model.variables.trainable, { momentum: 0.9, weightDecay: 0 }) };
};

beforeAll(async () => {
  await initBackend('cpu');
});

describe('a multi-label batch in trainStep', () => {
  it('passes the multi-hot targets to the loss as an [N, C] float tensor', () => {
    const seen: number[][][] = [];
    const spy = defineLoss({
      name: 'spy',
      summary: 'records its targets',
      source: 'test',
      configCodec: t.type({}),
      defaults: {},
      prepare: () => null,
      perExample: ({ logits, targets }) =>
        tf.tidy(() => {
          if (targets !== undefined) seen.push(targets.arraySync());
          return tf.mean(tf.square(logits), 1) as tf.Tensor1D;
        }),
    });
    const state = stateWith(spy, null);
    trainStep(state, batch(), 0.01);
    expect(seen).toEqual([[[1, 0, 1], [0, 1, 0], [1, 1, 1], [0, 0, 1]]]);
    state.model.dispose();
    state.optimizer.dispose();
  });

  it('trains db-loss on multi-hot targets without leaking, its loss falling', () => {
    const state = stateWith(distributionBalanced, distributionBalanced.prepare(distributionBalanced.defaults, [2, 2, 3]));
    const before = tf.memory().numTensors;
    const losses = Array.from({ length: 10 }, () => trainStep(state, batch(), 0.05).loss);
    expect(tf.memory().numTensors).toBe(before);
    expect(losses[9]!).toBeLessThan(losses[0]! * 0.7);
    state.model.dispose();
    state.optimizer.dispose();
  });

  it('refuses mixed targets on a multi-label batch in one sentence', () => {
    const state = stateWith(distributionBalanced, distributionBalanced.prepare(distributionBalanced.defaults, [2, 2, 3]));
    const mixed = { ...batch(), mix: { y: Int32Array.from([0, 0, 0, 0]), lambda: Float32Array.from([0.5, 0.5, 0.5, 0.5]) } };
    expect(() => trainStep(state, mixed, 0.01)).toThrow(UserError);
    expect(() => trainStep(state, mixed, 0.01)).toThrow('Mixing operators (mixup, CutMix, CMO) do not mix multi-label targets; drop them for a multi-label dataset.');
    state.model.dispose();
    state.optimizer.dispose();
  });
});

describe('countTopOneHits', () => {
  it('counts a hit when the top class is the label (single-label) or in the label set (multi-label)', () => {
    const logits = [
      [5, 0, 0], // top 0: in {0, 2}; not label 2
      [0, 5, 0], // top 1: in {1}; label 1
      [0, 0, 5], // top 2: in {0, 1, 2}; label 2
      [5, 0, 0], // top 0: not in {2}; not label 2
    ];
    const hits = (b: HostBatch) => tf.tidy(() => countTopOneHits(tf.tensor2d(logits), tf.tensor1d(b.y, 'int32'), b));
    expect(hits(batch())).toBe(3);
    const { targets: _dropped, ...single } = batch();
    expect(hits(single)).toBe(2);
  });
});

describe('label sets on the stream', () => {
  const images: MultiLabelImages = {
    pixels: new Uint8Array(4 * 64),
    labels: Int32Array.from([2, 1, 2, 2]),
    targets: TARGETS,
    shape,
    numClasses: C,
    classNames: ['a', 'b', 'c'],
  };
  const subset = { source: images, indices: Int32Array.from([3, 1, 0, 2]) };

  it('reads a subset’s label sets from its multi-hot targets, in subset order', () => {
    expect(subsetLabelSets(subset)).toEqual([[2], [1], [0, 2], [0, 1, 2]]);
    expect(subsetLabelSets({ source: { ...images, targets: undefined } as never, indices: subset.indices })).toBeUndefined();
  });

  it('hands them to the sampler: the multi-label sampler draws the same order as one bound to those sets', async () => {
    const rng = createRng(9);
    const common = { batchSize: 4, epoch: 0, epochs: 1, rng, normalization: { mean: [0], std: [1] } };
    const viaStream = await collect(epochBatches(subset, { ...common, sampler: multiLabelSampler() }));
    const bound = multiLabelSampler({ labelSets: [[2], [1], [0, 2], [0, 1, 2]] });
    const expected = await collect(epochBatches(subset, { ...common, sampler: bound }));
    expect(Array.from(viaStream[0]!.index)).toEqual(Array.from(expected[0]!.index));
    // …and not the order of the single-label reading ({rarest label} per sample).
    const single = multiLabelSampler({ labelSets: [[2], [1], [2], [2]] });
    const other = await collect(epochBatches(subset, { ...common, sampler: single }));
    expect(viaStream[0]!.targets!.length).toBe(4 * C);
    expect(Array.from(other[0]!.index)).not.toEqual(Array.from(viaStream[0]!.index));
  });
});
