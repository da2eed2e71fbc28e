import { describe, expect, it } from 'vitest';
import { lastValueFrom, toArray } from 'rxjs';
import * as E from 'fp-ts/lib/Either.js';
import { createRng } from '../../src/core/rng.js';
import { datasets } from '../../src/data/datasets.js';
import { pullThrough } from '../../src/streams/pull-source.js';
import { epochPipeline, type TrainingItem } from '../../src/train/epoch-pipeline.js';
import { buildPipeline, type PipelinePlan } from '../../src/recipes/pipeline-plan.js';
import { plainValues } from '../helpers/plain-values.js';

const loaded = datasets.get('mnist-lt').load({ ratio: 100, profile: 'exp', subsetSeed: 0 });
if (E.isLeft(loaded)) throw new Error(loaded.left);
const mnist = loaded.right;

const optionsFor = (plan: PipelinePlan) => {
  const built = buildPipeline(plan, { classCounts: mnist.trainCounts, normalization: mnist });
  return {
    dataset: mnist,
    sampler: built.sampler,
    transforms: built.transforms,
    epochs: 4,
    batchSize: 24,
    rng: createRng(3),
    maxStepsPerEpoch: 10,
    ...(built.rebalancingSampler !== undefined ? { rebalancingSampler: built.rebalancingSampler } : {}),
  };
};

const collect = (source: ReturnType<typeof epochPipeline>): Promise<TrainingItem[]> => lastValueFrom(pullThrough(source, (s) => s, { prefetch: 2 }).pipe(toArray()));

const fill = [-mnist.mean[0]! / mnist.std[0]!];
const plans: Record<string, PipelinePlan> = {
  'crop/flip, CMO and pure noise': {
    sampler: 'class-balanced',
    deferredResampling: null,
    rebalancingSampler: null,
    cropFlip: { padding: 2, flip: true, fill },
    transforms: [
      { name: 'cmo', config: { startEpoch: 0, skipLastEpochs: 0, probability: 0.5 } },
      { name: 'pure-noise', config: { startEpoch: 0 } },
    ],
    bilateralMixup: null,
  },
  'bilateral pairs with bilateral mixup': {
    sampler: 'instance',
    deferredResampling: null,
    rebalancingSampler: 'reversed',
    cropFlip: { padding: 2, flip: false, fill },
    transforms: [],
    bilateralMixup: { alpha: 1, clampLambda: true },
  },
};

describe('epochPipeline', () => {
  it.each(Object.keys(plans))('with stride N, share i is every N-th item of the whole epoch from i on (%s)', async (name) => {
    const options = optionsFor(plans[name]!);
    const whole = (await collect(epochPipeline(options, 2, 0))).map(plainValues);
    expect(whole).toHaveLength(10);
    for (const n of [2, 3]) {
      for (let i = 0; i < n; i++) {
        const part = (await collect(epochPipeline(options, 2, i, n))).map(plainValues);
        expect(part).toEqual(whole.filter((_, j) => j % n === i));
      }
    }
    // Resuming at batch 4 with stride 3 gives batches 4 and 7.
    expect((await collect(epochPipeline(options, 2, 4, 3))).map(plainValues)).toEqual([whole[4], whole[7]]);
  });

  it('refuses a stride that is not a positive integer', () => {
    const options = optionsFor(plans['crop/flip, CMO and pure noise']!);
    expect(() => epochPipeline(options, 0, 0, 0)).toThrow('epochBatches: batchStride must be a positive integer, got 0');
  });
});
