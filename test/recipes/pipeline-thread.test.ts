import { afterAll, describe, expect, it } from 'vitest';
import { lastValueFrom, take, toArray } from 'rxjs';
import * as E from 'fp-ts/lib/Either.js';
import { createRng } from '../../src/core/rng.js';
import type { HostBatch } from '../../src/core/host-batch.js';
import { datasets, type LongTailDataset } from '../../src/data/datasets.js';
import type { LabeledImages } from '../../src/data/labeled-images.js';
import { countClasses } from '../../src/core/class-counts.js';
import { pullThrough, type PullSource } from '../../src/streams/pull-source.js';
import { epochPipeline, type TrainingItem } from '../../src/train/epoch-pipeline.js';
import { buildPipeline, type PipelinePlan } from '../../src/recipes/pipeline-plan.js';
import { pipelineThreadAvailability, startPipelineThread, type PipelineThread } from '../../src/recipes/pipeline-thread.js';
import { plainValues } from '../helpers/plain-values.js';

const loaded = datasets.get('mnist-lt').load({ ratio: 100, profile: 'exp', subsetSeed: 0 });
if (E.isLeft(loaded)) throw new Error(loaded.left);
const mnist = loaded.right;

const basePlan: PipelinePlan = {
  sampler: 'instance',
  deferredResampling: null,
  rebalancingSampler: null,
  cropFlip: { padding: 2, flip: true, fill: [-mnist.mean[0]! / mnist.std[0]!] },
  transforms: [],
  bilateralMixup: null,
};

const sizes = { epochs: 3, batchSize: 32, maxStepsPerEpoch: 6 };
const started: PipelineThread[] = [];
afterAll(async () => {
  await Promise.all(started.map((t) => t.close()));
});

const collect = (source: PullSource<TrainingItem>): Promise<TrainingItem[]> => lastValueFrom(pullThrough(source, (s) => s, { prefetch: 2 }).pipe(toArray()));

/** An epoch's items from the main-thread pipeline and from a pipeline thread, for the same plan, Rng and sizes. */
const bothWays = async (dataset: LongTailDataset, plan: PipelinePlan, epoch: number, startBatch: number, threads = 1) => {
  const setup = { classCounts: dataset.trainCounts, normalization: dataset };
  const rng = createRng(7).derive('train');
  const built = buildPipeline(plan, setup);
  const options = {
    dataset,
    sampler: built.sampler,
    transforms: built.transforms,
    rng,
    ...sizes,
    ...(built.rebalancingSampler !== undefined ? { rebalancingSampler: built.rebalancingSampler } : {}),
  };
  const thread = startPipelineThread({ train: dataset.train, normalization: dataset, plan, classCounts: dataset.trainCounts, rng, threads, ...sizes });
  started.push(thread);
  const [main, worker] = [await collect(epochPipeline(options, epoch, startBatch)), await collect(thread.epochSource(epoch, startBatch))];
  return { main, worker, thread };
};

describe('pipeline thread', () => {
  it('is available when running from sources with tsx installed', () => {
    expect(pipelineThreadAvailability()).toEqual({ available: true });
  });

  it('makes exactly the batches of the main-thread pipeline: crop/flip, CMO and pure noise after deferred re-sampling, resumed mid-epoch', async () => {
    const plan: PipelinePlan = {
      ...basePlan,
      sampler: 'instance',
      deferredResampling: { sampler: 'class-balanced', fromEpoch: 1 },
      transforms: [
        { name: 'cmo', config: { startEpoch: 0, skipLastEpochs: 0, probability: 1 } },
        { name: 'pure-noise', config: { startEpoch: 0 } },
      ],
    };
    const { main, worker } = await bothWays(mnist, plan, 1, 2);
    expect(main).toHaveLength(4);
    expect(worker.map(plainValues)).toEqual(main.map(plainValues));
    // The operators did act: CMO mixes targets, pure noise marks replaced images.
    const first = main[0] as HostBatch;
    expect(first.mix).toBeDefined();
    expect(main.some((b) => (b as HostBatch).noise?.some((v) => v === 1))).toBe(true);
    // Provenance is in the dataset's indices, not the thread's packed copy.
    expect([...first.index].every((i) => mnist.train.indices.includes(i))).toBe(true);
  });

  it('makes the same batches with three threads, each making every third, put back in order', async () => {
    const plan: PipelinePlan = { ...basePlan, transforms: [{ name: 'cmo', config: { startEpoch: 0, skipLastEpochs: 0, probability: 1 } }] };
    const { main, worker, thread } = await bothWays(mnist, plan, 1, 1, 3);
    expect(thread.threads).toBe(3);
    expect(main).toHaveLength(5);
    expect(worker.map(plainValues)).toEqual(main.map(plainValues));
  });

  it('makes every epoch of a stage the same, including the next epochs made ahead by two threads', async () => {
    const plan: PipelinePlan = { ...basePlan, transforms: [{ name: 'pure-noise', config: { startEpoch: 1 } }] };
    const { main, thread } = await bothWays(mnist, plan, 0, 0, 2);
    expect(main).toHaveLength(6);
    const setup = { classCounts: mnist.trainCounts, normalization: mnist };
    const built = buildPipeline(plan, setup);
    const options = { dataset: mnist, sampler: built.sampler, transforms: built.transforms, rng: createRng(7).derive('train'), ...sizes };
    for (const epoch of [1, 2]) {
      const expected = await collect(epochPipeline(options, epoch, 0));
      // A short pause lets the threads make the epoch's first batches ahead, as they do while steps run.
      await new Promise((r) => setTimeout(r, 50));
      expect((await collect(thread.epochSource(epoch, 0))).map(plainValues)).toEqual(expected.map(plainValues));
    }
  });

  it('makes the same pairs for a bilateral run (DBN-Mix: reversed sampler, bilateral mixup)', async () => {
    const plan: PipelinePlan = { ...basePlan, rebalancingSampler: 'reversed', bilateralMixup: { alpha: 1, clampLambda: true } };
    const { main, worker } = await bothWays(mnist, plan, 0, 0);
    expect(main).toHaveLength(6);
    expect('conventional' in main[0]!).toBe(true);
    expect(worker.map(plainValues)).toEqual(main.map(plainValues));
  });

  it('makes the same batches with Open-Sampling (a second stream, generated images appended)', async () => {
    const plan: PipelinePlan = { ...basePlan, cropFlip: null, transforms: [{ name: 'open-sampling', config: {} }] };
    const { main, worker } = await bothWays(mnist, plan, 2, 0);
    expect((main[0] as HostBatch).y.length).toBeGreaterThan(sizes.batchSize);
    expect(worker.map(plainValues)).toEqual(main.map(plainValues));
  });

  it('carries multi-label targets through the shared copy', async () => {
    // 40 images of 4×4×1 with label sets {c, (c+1) mod 3}.
    const n = 40;
    const C = 3;
    const labels = Int32Array.from({ length: n }, (_, i) => i % C);
    const targets = new Uint8Array(n * C);
    labels.forEach((c, i) => {
      targets[i * C + c] = 1;
      targets[i * C + ((c + 1) % C)] = 1;
    });
    const source: LabeledImages = { pixels: Uint8Array.from({ length: n * 16 }, (_, i) => (i * 7) % 256), labels, shape: { height: 4, width: 4, channels: 1 }, numClasses: C, classNames: ['a', 'b', 'c'], targets };
    // A subset that skips and reorders images, so packed and dataset positions differ.
    const train = { source, indices: Int32Array.from({ length: 30 }, (_, k) => (k * 7 + 3) % n) };
    const trainLabels = Int32Array.from(train.indices, (i) => labels[i]!);
    const dataset = { ...mnist, train, trainCounts: countClasses(trainLabels, C), numClasses: C, shape: source.shape };
    const { main, worker } = await bothWays(dataset, { ...basePlan, sampler: 'multi-label', cropFlip: null }, 0, 0);
    expect((main[0] as HostBatch).targets).toBeDefined();
    expect(worker.map(plainValues)).toEqual(main.map(plainValues));
  });

  it('serves another epoch after one was left mid-way, and ends the source with an error once closed', async () => {
    const { thread } = await bothWays(mnist, basePlan, 0, 0);
    const two = await lastValueFrom(pullThrough(thread.epochSource(1, 0), (s) => s).pipe(take(2), toArray()));
    expect(two).toHaveLength(2);
    const rest = await collect(thread.epochSource(2, 3));
    expect(rest).toHaveLength(3);
    await thread.close();
    await thread.close();
    await expect(collect(thread.epochSource(0, 0))).rejects.toThrow(/pipeline thread/);
  });

  it('fails the epoch with the reason when the plan cannot be built in the thread', async () => {
    const thread = startPipelineThread({
      train: mnist.train,
      normalization: mnist,
      plan: { ...basePlan, sampler: 'no-such-sampler' },
      classCounts: mnist.trainCounts,
      rng: createRng(0),
      ...sizes,
    });
    started.push(thread);
    await expect(collect(thread.epochSource(0, 0))).rejects.toThrow(/pipeline thread: .*no-such-sampler/);
  });
});
