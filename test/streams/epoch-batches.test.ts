import { describe, expect, it } from 'vitest';
import { concatMap, lastValueFrom, map, take, tap, toArray } from 'rxjs';
import { epochBatches, batchesPerEpoch } from '../../src/streams/epoch-batches.js';
import { gatherBatch } from '../../src/streams/gather-batch.js';
import { pullThrough } from '../../src/streams/pull-source.js';
import { instanceSampler } from '../../src/streams/samplers/instance-sampler.js';
import { classBalancedSampler } from '../../src/streams/samplers/class-balanced-sampler.js';
import { createRng } from '../../src/core/rng.js';
import type { LabeledImages, Subset } from '../../src/data/labeled-images.js';

const source: LabeledImages = {
  pixels: Uint8Array.from({ length: 10 * 4 }, (_, i) => i * 6),
  labels: Int32Array.from([0, 0, 0, 0, 0, 0, 1, 1, 1, 2]),
  shape: { height: 2, width: 2, channels: 1 },
  numClasses: 3,
  classNames: ['a', 'b', 'c'],
};
const subset: Subset = { source, indices: Int32Array.from([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]) };
const norm = { mean: [0.5], std: [0.25] };

const collect = (sampler = instanceSampler, seed = 1, batchSize = 4) =>
  lastValueFrom(
    pullThrough(
      epochBatches(subset, { sampler, batchSize, epoch: 0, epochs: 1, rng: createRng(seed), normalization: norm }),
      map((b) => b),
      { prefetch: 2 },
    ).pipe(toArray()),
  );

describe('gatherBatch', () => {
  it('gathers pixels, labels and dataset indices, normalised', () => {
    const b = gatherBatch(subset, [9, 0], norm);
    expect([...b.y]).toEqual([2, 0]);
    expect([...b.index]).toEqual([9, 0]);
    // pixel value v → (v/255 − 0.5)/0.25
    expect(b.x[0]).toBeCloseTo((216 / 255 - 0.5) / 0.25, 5);
    expect(b.x[4]).toBeCloseTo((0 / 255 - 0.5) / 0.25, 5);
    expect(b.x.length).toBe(8);
  });
});

describe('epochBatches', () => {
  it('covers every sample exactly once per epoch with the instance sampler, last batch smaller', async () => {
    const batches = await collect();
    expect(batches.map((b) => b.y.length)).toEqual([4, 4, 2]);
    expect(batchesPerEpoch(10, 4)).toBe(3);
    expect(batchesPerEpoch(10, 4, true)).toBe(2);
    expect(batches.flatMap((b) => [...b.index]).sort((a, b) => a - b)).toEqual([0, 1, 2, 3, 4, 5, 6, 7, 8, 9]);
  });

  it('gives the same batches for the same seed and others for another', async () => {
    const order = async (seed: number) => (await collect(instanceSampler, seed)).flatMap((b) => [...b.index]);
    expect(await order(3)).toEqual(await order(3));
    expect(await order(3)).not.toEqual(await order(4));
  });

  it('balances classes with the class-balanced sampler', async () => {
    const counts = [0, 0, 0];
    for (let seed = 0; seed < 300; seed++) {
      for (const b of await collect(classBalancedSampler, seed, 10)) for (const y of b.y) counts[y]!++;
    }
    for (const c of counts) expect(c / 3000).toBeCloseTo(1 / 3, 1);
  });

  it('makes no batch that is not asked for', async () => {
    let made = 0;
    const counting = epochBatches(subset, { sampler: instanceSampler, batchSize: 1, epoch: 0, epochs: 1, rng: createRng(0), normalization: norm });
    const taken = await lastValueFrom(
      pullThrough(counting, map((b) => (made++, b)), { prefetch: 1 }).pipe(take(3), toArray()),
    );
    expect(taken.length).toBe(3);
    expect(made).toBe(3);
  });

  it('a slow consumer never has more than prefetch batches built ahead of it', async () => {
    for (const prefetch of [1, 3]) {
      let built = 0;
      let consumed = 0;
      let worstAhead = 0;
      const batches = epochBatches(subset, { sampler: instanceSampler, batchSize: 1, epoch: 0, epochs: 1, rng: createRng(2), normalization: norm });
      const out = await lastValueFrom(
        pullThrough(
          batches,
          (batches$) =>
            batches$.pipe(
              // fromIterator builds a batch inside the credit's call and emits it at once: counting here counts builds.
              tap(() => {
                built++;
                worstAhead = Math.max(worstAhead, built - consumed);
              }),
              concatMap(async (b) => {
                await new Promise((r) => setTimeout(r, 2));
                consumed++;
                return b;
              }),
            ),
          { prefetch },
        ).pipe(toArray()),
      );
      expect(out).toHaveLength(10);
      expect(worstAhead).toBe(prefetch);
    }
  });

  it('rejects a non-positive batch size', () => {
    expect(() => epochBatches(subset, { sampler: instanceSampler, batchSize: 0, epoch: 0, epochs: 1, rng: createRng(0), normalization: norm })).toThrow(
      'epochBatches: batchSize must be a positive integer, got 0',
    );
  });
});
