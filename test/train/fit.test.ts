import { beforeAll, describe, expect, it } from 'vitest';
import { lastValueFrom, toArray } from 'rxjs';
import { initBackend } from '../../src/backend/index.js';
import { fit, type StepFunction } from '../../src/train/fit.js';
import { trainStep, type TrainState } from '../../src/train/step.js';
import { createSgdMomentum } from '../../src/train/sgd-momentum.js';
import { instanceSampler } from '../../src/streams/samplers/instance-sampler.js';
import { createRng } from '../../src/core/rng.js';
import type { LongTailDataset } from '../../src/data/datasets.js';
import { halfSquare, quadraticModel } from './helpers/quadratic-model.js';

const shape = { height: 1, width: 1, channels: 2 };
const images = { pixels: Uint8Array.from([255, 0, 0, 255, 255, 255, 0, 0]), labels: Int32Array.from([0, 1, 0, 1]), shape, numClasses: 2, classNames: ['a', 'b'] };
const dataset: LongTailDataset = {
  name: 'toy',
  train: { source: images, indices: Int32Array.from([0, 1, 2, 3]) },
  test: { source: images, indices: Int32Array.from([0, 1]) },
  trainCounts: [2, 2],
  testCounts: [1, 1],
  numClasses: 2,
  classNames: ['a', 'b'],
  shape,
  mean: [0.5, 0.5],
  std: [0.5, 0.5],
  flipInvariant: false,
};

describe('fit with a step function', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('runs the given step on every batch with the epoch’s learning rate and the epoch', async () => {
    const model = quadraticModel([0.5, -0.5]);
    const state: TrainState = {
      model,
      loss: halfSquare,
      prepared: null,
      reduction: 'mean',
      optimizer: createSgdMomentum(model.variables.trainable, { momentum: 0, weightDecay: 0 }),
    };
    const calls: Array<[number, number, number]> = [];
    const step: StepFunction = (s, batch, lr, epoch) => {
      calls.push([epoch, lr, batch.y.length]);
      return trainStep(s, batch, lr);
    };
    const events = await lastValueFrom(
      fit({ dataset, state, sampler: instanceSampler, transforms: [], epochs: 2, batchSize: 2, lr: (e) => 0.1 / (e + 1), rng: createRng(0), step }).pipe(toArray()),
    );
    expect(calls).toEqual([
      [0, 0.1, 2],
      [0, 0.1, 2],
      [1, 0.05, 2],
      [1, 0.05, 2],
    ]);
    expect(events.filter((e) => e.kind === 'step')).toHaveLength(4);
    state.optimizer.dispose();
    model.dispose();
  });
});
