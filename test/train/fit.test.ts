import { beforeAll, describe, expect, it } from 'vitest';
import { lastValueFrom, toArray } from 'rxjs';
import { initBackend } from '../../src/backend/index.js';
import { fit, type FitOptions, type PairStepFunction, type StepFunction } from '../../src/train/fit.js';
import { trainStep, type TrainState } from '../../src/train/step.js';
import { createSgdMomentum } from '../../src/train/sgd-momentum.js';
import { instanceSampler } from '../../src/streams/samplers/instance-sampler.js';
import { createRng, draw } from '../../src/core/rng.js';
import { reversedSampler } from '../../src/streams/samplers/reversed-sampler.js';
import type { BilateralBatch } from '../../src/streams/bilateral-batches.js';
import type { BatchTransform } from '../../src/transforms/batch-transform.js';
import type { PairedTransform } from '../../src/transforms/paired-transform.js';
import type { HostBatch } from '../../src/core/host-batch.js';
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

describe('fit with bilateral (BBN) batches', () => {
  /** A transform that tags each batch with a number drawn from its Rng (in x[0]). */
  const tag: BatchTransform = (batch, rng) => {
    const [u] = draw(rng, (d) => d.uniform());
    const x = batch.x.slice();
    x[0] = u;
    return { ...batch, x };
  };
  const transforms = [{ name: 'tag', transform: tag }];
  const none = {} as TrainState;
  const result = (b: HostBatch) => ({ loss: 1, size: b.y.length, correct: 0 });
  const base = { dataset, state: none, sampler: instanceSampler, transforms, epochs: 2, batchSize: 2, lr: (e: number) => 0.1 / (e + 1), rng: createRng(7) };
  const plainRun = async () => {
    const seen: HostBatch[] = [];
    await lastValueFrom(fit({ ...base, step: (_s, b) => (seen.push(b), result(b)) }).pipe(toArray()));
    return seen;
  };
  const pairRun = async (extra: Partial<FitOptions> = {}) => {
    const seen: Array<{ pair: BilateralBatch; lr: number; epoch: number }> = [];
    const step: PairStepFunction = (_s, pair, lr, epoch) => (seen.push({ pair, lr, epoch }), result(pair.conventional));
    const events = await lastValueFrom(fit({ ...base, bilateral: { rebalancingSampler: reversedSampler, step }, ...extra }).pipe(toArray()));
    return { seen, events };
  };
  const ids = (b: HostBatch) => [...b.index];

  it('steps on pairs whose first side is the plain run’s stream (batches and operator randomness), the second its own', async () => {
    const plain = await plainRun();
    const { seen, events } = await pairRun();
    expect(seen.map((s) => [s.epoch, s.lr])).toEqual([
      [0, 0.1],
      [0, 0.1],
      [1, 0.05],
      [1, 0.05],
    ]);
    expect(seen.map((s) => ids(s.pair.conventional))).toEqual(plain.map(ids));
    expect(seen.map((s) => s.pair.conventional.x[0])).toEqual(plain.map((b) => b.x[0]));
    // The re-balancing side's operator draws come from another stream.
    seen.forEach((s, i) => expect(s.pair.rebalancing.x[0]).not.toBe(plain[i]!.x[0]));
    expect(events.filter((e) => e.kind === 'epoch').map((e) => e.kind === 'epoch' && e.samples)).toEqual([4, 4]);
  });

  it('resumes mid-epoch with the same pairs, weighs both sides, stops at the step budget, and refuses paired operators', async () => {
    const all = (await pairRun()).seen;
    const tail = (await pairRun({ from: { epoch: 1, step: 1, totals: { lossSum: 0, correct: 0, samples: 0, skipped: 0 } } })).seen;
    const key = (s: { pair: BilateralBatch }) => [ids(s.pair.conventional), ids(s.pair.rebalancing), s.pair.conventional.x[0], s.pair.rebalancing.x[0]];
    expect(tail.map(key)).toEqual(all.slice(3).map(key));
    const weighted = (await pairRun({ classWeights: () => [2, 0.5], maxStepsPerEpoch: 1 })).seen;
    expect(weighted).toHaveLength(2);
    for (const { pair } of weighted) {
      for (const b of [pair.conventional, pair.rebalancing]) expect([...b.weight!]).toEqual([...b.y].map((y) => (y === 0 ? 2 : 0.5)));
    }
    const paired = { name: 'cmo', paired: ((a: HostBatch) => a) as unknown as PairedTransform<HostBatch>, secondSampler: instanceSampler };
    await expect(pairRun({ transforms: [paired] })).rejects.toThrow("fit: the paired operator 'cmo' cannot run on bilateral (BBN) batches");
  });
});
