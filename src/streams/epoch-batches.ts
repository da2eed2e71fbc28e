/**
 * One epoch of a subset as a pull source of host batches, in the order a sampler draws.
 */
import type { HostBatch } from '../core/host-batch.js';
import type { Rng } from '../core/rng.js';
import type { Subset } from '../data/labeled-images.js';
import { subsetLabels } from '../data/labeled-images.js';
import { countClasses } from '../core/class-counts.js';
import type { Sampler } from './samplers/sampler.js';
import { gatherBatch, type Normalization } from './gather-batch.js';
import { fromIterator, type PullSource } from './pull-source.js';

/** How to cut an epoch into batches. */
export interface EpochBatchesOptions {
  readonly sampler: Sampler;
  readonly batchSize: number;
  /** 0-based epoch, passed to the sampler. */
  readonly epoch: number;
  readonly epochs: number;
  /** This epoch's randomness (derive it from the run seed by epoch). */
  readonly rng: Rng;
  readonly normalization: Normalization;
  /** Drop a last, smaller batch (default false). */
  readonly dropLast?: boolean;
  /** Skip the epoch's first batches (resuming mid-epoch): the order is drawn as usual, then batches start here. */
  readonly startBatch?: number;
  /** End the epoch after this many batches (a budget for smoke tests and quick looks); all when absent. */
  readonly maxBatches?: number;
  /**
   * Yield every `batchStride`-th batch from `startBatch` on (default 1: all): with N pipeline threads,
   * thread i makes batches i, i + N, … of the same epoch order.
   */
  readonly batchStride?: number;
}

/** Number of batches `epochBatches` yields for `n` samples. */
export const batchesPerEpoch = (n: number, batchSize: number, dropLast = false): number =>
  dropLast ? Math.floor(n / batchSize) : Math.ceil(n / batchSize);

/**
 * The epoch's batches, made one at a time on demand. The sampler's order is drawn once per epoch
 * (N int32s); pixels are gathered only when a batch is requested.
 */
export const epochBatches = (subset: Subset, options: EpochBatchesOptions): PullSource<HostBatch> => {
  if (!(Number.isInteger(options.batchSize) && options.batchSize > 0)) {
    throw new Error(`epochBatches: batchSize must be a positive integer, got ${options.batchSize}`);
  }
  const stride = checkStride(options.batchStride, 'epochBatches');
  return fromIterator(function* () {
    const labels = subsetLabels(subset);
    const counts = countClasses(labels, subset.source.numClasses);
    // The sampler returns positions in the subset (it sees the subset's labels).
    const labelSets = subsetLabelSets(subset);
    const order = options.sampler.epochOrder(
      { labels, counts, epoch: options.epoch, epochs: options.epochs, ...(labelSets !== undefined ? { labelSets } : {}) },
      options.rng.derive('sampler'),
    );
    const total = Math.min(batchesPerEpoch(order.length, options.batchSize, options.dropLast), options.maxBatches ?? Infinity);
    for (let b = options.startBatch ?? 0; b < total; b += stride) {
      const positions = order.subarray(b * options.batchSize, Math.min(order.length, (b + 1) * options.batchSize));
      yield gatherBatch(subset, positions, options.normalization);
    }
  });
};

/**
 * A batch stride (default 1), or a programmer error naming `fn`.
 * @throws Error when the stride is not a positive integer
 */
export const checkStride = (stride: number | undefined, fn: string): number => {
  const s = stride ?? 1;
  if (!(Number.isInteger(s) && s > 0)) throw new Error(`${fn}: batchStride must be a positive integer, got ${s}`);
  return s;
};

/** The label sets of a multi-label subset's samples (from the source's multi-hot targets), in subset order. */
export const subsetLabelSets = (subset: Subset): number[][] | undefined => {
  const { source } = subset;
  const { targets } = source;
  if (targets === undefined) return undefined;
  const C = source.numClasses;
  return Array.from(subset.indices, (i) => {
    const set: number[] = [];
    for (let c = 0; c < C; c++) if (targets[i * C + c] === 1) set.push(c);
    return set;
  });
};
