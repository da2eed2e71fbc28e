import { describe, expect, it } from 'vitest';
import { lastValueFrom, map, take, toArray } from 'rxjs';
import { createRng } from '../../src/core/rng.js';
import type { LabeledImages, Subset } from '../../src/data/labeled-images.js';
import { bilateralBatches, type BilateralBatch } from '../../src/streams/bilateral-batches.js';
import { epochBatches } from '../../src/streams/epoch-batches.js';
import { pullThrough, type PullSource } from '../../src/streams/pull-source.js';
import { instanceSampler } from '../../src/streams/samplers/instance-sampler.js';
import { reversedSampler } from '../../src/streams/samplers/reversed-sampler.js';
import type { HostBatch } from '../../src/core/host-batch.js';

/** 2×1 grey images whose two pixels encode the image index; labels long-tailed 60/12/3, interleaved with spares. */
const makeSubset = (): Subset => {
  const counts = [60, 12, 3];
  const labels = Int32Array.from(counts.flatMap((c, y) => new Array<number>(c + 5).fill(y)));
  const pixels = new Uint8Array(labels.length * 2);
  labels.forEach((_, i) => {
    pixels[2 * i] = i % 256;
    pixels[2 * i + 1] = 255 - (i % 256);
  });
  const source: LabeledImages = { pixels, labels, shape: { height: 2, width: 1, channels: 1 }, numClasses: 3, classNames: ['a', 'b', 'c'] };
  // Keep counts[y] images of each class (skip the 5 spares), in dataset order.
  const indices: number[] = [];
  let k = 0;
  counts.forEach((c) => {
    for (let j = 0; j < c; j++) indices.push(k + j);
    k += c + 5;
  });
  return { source, indices: Int32Array.from(indices) };
};

const normalization = { mean: [0], std: [1] };
const run = <T>(source: PullSource<T>): Promise<T[]> => lastValueFrom(pullThrough(source, map((x: T) => x)).pipe(toArray()));

describe('bilateralBatches', () => {
  const subset = makeSubset();
  const root = createRng(2020);
  const options = {
    conventional: { sampler: instanceSampler, rng: root.derive('conventional', 0) },
    rebalancing: { sampler: reversedSampler, rng: root.derive('rebalancing', 0) },
    batchSize: 16,
    epoch: 0,
    epochs: 10,
    normalization,
  };

  it('zips two equally sized batches per step, N/batchSize steps an epoch', async () => {
    const pairs = await run<BilateralBatch>(bilateralBatches(subset, options));
    expect(pairs.map((p) => p.conventional.y.length)).toEqual([16, 16, 16, 16, 11]);
    expect(pairs.map((p) => p.rebalancing.y.length)).toEqual([16, 16, 16, 16, 11]);
    const dropped = await run<BilateralBatch>(bilateralBatches(subset, { ...options, dropLast: true }));
    expect(dropped).toHaveLength(4);
  });

  it('gives each side exactly the stream epochBatches gives for that sampler and Rng', async () => {
    const pairs = await run<BilateralBatch>(bilateralBatches(subset, options));
    for (const side of ['conventional', 'rebalancing'] as const) {
      const alone = await run<HostBatch>(epochBatches(subset, { ...options, sampler: options[side].sampler, rng: options[side].rng }));
      expect(pairs.map((p) => [...p[side].index])).toEqual(alone.map((b) => [...b.index]));
      expect(pairs.map((p) => [...p[side].x])).toEqual(alone.map((b) => [...b.x]));
    }
  });

  it('starts mid-epoch and stops at a budget with the pairs of the whole epoch (resuming, maxStepsPerEpoch)', async () => {
    const all = await run<BilateralBatch>(bilateralBatches(subset, options));
    const part = await run<BilateralBatch>(bilateralBatches(subset, { ...options, startBatch: 1, maxBatches: 3 }));
    const ids = (ps: BilateralBatch[]) => ps.map((p) => [[...p.conventional.index], [...p.rebalancing.index]]);
    expect(ids(part)).toEqual(ids(all.slice(1, 3)));
    expect(await run<BilateralBatch>(bilateralBatches(subset, { ...options, startBatch: 5 }))).toEqual([]);
  });

  it('gathers the images and labels of dataset indices in the subset', async () => {
    const pairs = await run<BilateralBatch>(bilateralBatches(subset, options));
    const members = new Set(subset.indices);
    for (const p of pairs) {
      for (const b of [p.conventional, p.rebalancing]) {
        b.index.forEach((i, j) => {
          expect(members.has(i)).toBe(true);
          expect(b.y[j]).toBe(subset.source.labels[i]);
          expect(b.x[2 * j]).toBeCloseTo((i % 256) / 255, 6);
          expect(b.x[2 * j + 1]).toBeCloseTo((255 - (i % 256)) / 255, 6);
        });
      }
    }
  });

  it('draws the sides independently: the conventional one once per sample, the reversed one tail-heavy', async () => {
    const pairs = await run<BilateralBatch>(bilateralBatches(subset, options));
    const conventional = pairs.flatMap((p) => [...p.conventional.index]);
    expect([...conventional].sort((a, b) => a - b)).toEqual([...subset.indices].sort((a, b) => a - b));
    const tail = pairs.flatMap((p) => [...p.rebalancing.y]).filter((y) => y === 2).length;
    // P(tail) = 20/26 under n_max/n_j weights (1, 5, 20), about 58 of 75: far above the 3/75 of the conventional side.
    expect(tail).toBeGreaterThan(45);
  });

  it('depends on each side’s Rng alone', async () => {
    const same = await run<BilateralBatch>(bilateralBatches(subset, { ...options, rebalancing: { sampler: instanceSampler, rng: options.conventional.rng } }));
    for (const p of same) expect([...p.rebalancing.index]).toEqual([...p.conventional.index]);
    const a = await run<BilateralBatch>(bilateralBatches(subset, options));
    const b = await run<BilateralBatch>(
      bilateralBatches(subset, { ...options, rebalancing: { ...options.rebalancing, rng: root.derive('rebalancing', 1) } }),
    );
    expect(b.map((p) => [...p.conventional.index])).toEqual(a.map((p) => [...p.conventional.index]));
    expect(b.map((p) => [...p.rebalancing.index])).not.toEqual(a.map((p) => [...p.rebalancing.index]));
  });

  it('makes pairs only on demand', async () => {
    const firstTwo = await lastValueFrom(pullThrough(bilateralBatches(subset, options), map((p: BilateralBatch) => p.conventional.y.length)).pipe(take(2), toArray()));
    expect(firstTwo).toEqual([16, 16]);
  });

  it('refuses a bad batch size', () => {
    expect(() => bilateralBatches(subset, { ...options, batchSize: 0 })).toThrow(/bilateralBatches: batchSize must be a positive integer/);
  });
});
