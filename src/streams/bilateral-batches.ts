/**
 * Bilateral pairing: one epoch of a subset drawn by two samplers at once and zipped batch by batch,
 * as BBN's two branches consume it (Zhou et al., CVPR 2020: the conventional branch on the uniform
 * loader, the re-balancing branch on the reversed sampler; `lib/dataset/imbalance_cifar.py` in
 * Megvii-Nanjing/BBN) and as DBN-Mix pairs a uniform with a balanced loader.
 *
 * Intuition: two independent epoch orders of the same length N over the same subset, each from its own
 * Rng, cut at the same batch boundaries; batch b of the pair is (batch b of the first order, batch b
 * of the second). Each side equals what `epochBatches` yields for that sampler and Rng alone.
 */
import type { HostBatch } from '../core/host-batch.js';
import type { Rng } from '../core/rng.js';
import type { Subset } from '../data/labeled-images.js';
import { subsetLabels } from '../data/labeled-images.js';
import { countClasses } from '../core/class-counts.js';
import type { Sampler } from './samplers/sampler.js';
import { gatherBatch, type Normalization } from './gather-batch.js';
import { batchesPerEpoch, checkStride } from './epoch-batches.js';
import { fromIterator, type PullSource } from './pull-source.js';

/** One side of the pair: which sampler draws it, from which Rng (derive it from the run seed by branch and epoch). */
export interface BilateralSide {
  readonly sampler: Sampler;
  readonly rng: Rng;
}

/** How to cut an epoch into paired batches. */
export interface BilateralBatchesOptions {
  /** The conventional (e.g. instance-balanced) side. */
  readonly conventional: BilateralSide;
  /** The re-balancing (e.g. reversed or class-balanced) side. */
  readonly rebalancing: BilateralSide;
  readonly batchSize: number;
  /** 0-based epoch, passed to both samplers. */
  readonly epoch: number;
  readonly epochs: number;
  readonly normalization: Normalization;
  /** Drop a last, smaller pair of batches (default false). */
  readonly dropLast?: boolean;
  /** Skip the epoch's first pairs (resuming mid-epoch): both orders are drawn as usual, then pairs start here. */
  readonly startBatch?: number;
  /** End the epoch after this many pairs (a budget); all when absent. */
  readonly maxBatches?: number;
  /** Yield every `batchStride`-th pair from `startBatch` on (default 1), as `epochBatches` does. */
  readonly batchStride?: number;
}

/** A batch for each branch, of the same size. */
export interface BilateralBatch {
  readonly conventional: HostBatch;
  readonly rebalancing: HostBatch;
}

/**
 * The epoch's paired batches, made one pair per credit. Both orders are drawn once per epoch, each
 * with `side.rng.derive('sampler')` exactly as `epochBatches` does, so each side on its own is the
 * stream `epochBatches(subset, {sampler, rng})` would give.
 * @throws Error when `batchSize` is not a positive integer, or a sampler's order is not of length N
 */
export const bilateralBatches = (subset: Subset, options: BilateralBatchesOptions): PullSource<BilateralBatch> => {
  if (!(Number.isInteger(options.batchSize) && options.batchSize > 0)) {
    throw new Error(`bilateralBatches: batchSize must be a positive integer, got ${options.batchSize}`);
  }
  const stride = checkStride(options.batchStride, 'bilateralBatches');
  return fromIterator(function* () {
    const labels = subsetLabels(subset);
    const counts = countClasses(labels, subset.source.numClasses);
    const ctx = { labels, counts, epoch: options.epoch, epochs: options.epochs };
    const orderOf = (side: BilateralSide, which: string): Int32Array => {
      const order = side.sampler.epochOrder(ctx, side.rng.derive('sampler'));
      if (order.length !== labels.length) {
        throw new Error(`bilateralBatches: the ${which} sampler '${side.sampler.name}' drew ${order.length} positions for ${labels.length} samples`);
      }
      return order;
    };
    const first = orderOf(options.conventional, 'conventional');
    const second = orderOf(options.rebalancing, 'rebalancing');
    const { batchSize } = options;
    const total = Math.min(batchesPerEpoch(labels.length, batchSize, options.dropLast), options.maxBatches ?? Infinity);
    for (let b = options.startBatch ?? 0; b < total; b += stride) {
      const end = Math.min(labels.length, (b + 1) * batchSize);
      yield {
        conventional: gatherBatch(subset, first.subarray(b * batchSize, end), options.normalization),
        rebalancing: gatherBatch(subset, second.subarray(b * batchSize, end), options.normalization),
      };
    }
  });
};
