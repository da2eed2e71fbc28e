/**
 * What a training step is fed: one epoch's batches, from the sampler's order through the batch
 * operators, as a pull source. `fit` runs it on the main thread by default; a pipeline thread
 * (`startPipelineThread`) runs this same function in a worker, so both give the same batches.
 *
 * Intuition: everything before the class weights and the step is a pure function of (options, epoch,
 * batch index), so it can run anywhere that has the pixels: the sampler's order comes from
 * `rng.derive('batches').derive('sampler')`, batch k's operator randomness from `…derive(k)`.
 */
import { defer, map, type Observable } from 'rxjs';
import type { HostBatch } from '../core/host-batch.js';
import type { Rng } from '../core/rng.js';
import type { LongTailDataset } from '../data/datasets.js';
import type { Sampler } from '../streams/samplers/sampler.js';
import { epochBatches } from '../streams/epoch-batches.js';
import { mapPullSource, type PullSource } from '../streams/pull-source.js';
import { bilateralBatches, type BilateralBatch } from '../streams/bilateral-batches.js';
import { liftTransform, type BatchTransform } from '../transforms/batch-transform.js';
import { liftPairedTransformWith, type PairedTransform } from '../transforms/paired-transform.js';

/**
 * A batch operator in the training stream: a one-batch operator, or a paired one (CMO) whose second
 * batch comes from another sampler over the same training subset, pulled one batch per main batch.
 */
export type FitTransform =
  | { readonly name: string; readonly transform: BatchTransform }
  | { readonly name: string; readonly paired: PairedTransform<HostBatch>; readonly secondSampler: Sampler }
  /** An operator on the pair of a bilateral run (DBN-Mix's bilateral mixup), after the per-side operators. */
  | { readonly name: string; readonly bilateral: PairedTransform<BilateralBatch> };

/** What the step of a training run is fed: a batch, or a (conventional, re-balancing) pair of batches. */
export type TrainingItem = HostBatch | BilateralBatch;

/** Where an epoch's batches come from: the items from batch `startBatch` of 0-based `epoch` on, one per credit. */
export type EpochSource = (epoch: number, startBatch: number) => PullSource<TrainingItem>;

/** What makes an epoch's batches: the parts of `FitOptions` before the class weights and the step. */
export interface EpochPipelineOptions {
  /** The training subset and the normalisation its pixels go through. */
  readonly dataset: Pick<LongTailDataset, 'train' | 'mean' | 'std'>;
  readonly sampler: Sampler;
  /** Batch operators applied in order (each gets its own Rng stream per epoch). */
  readonly transforms: ReadonlyArray<FitTransform>;
  readonly epochs: number;
  readonly batchSize: number;
  /** The run's root Rng; epoch e uses `rng.derive('epoch', e)`. */
  readonly rng: Rng;
  /** At most this many batches per epoch; the whole epoch when absent. */
  readonly maxStepsPerEpoch?: number;
  /** Bilateral (BBN, DBN-Mix): pairs of batches, the second side drawn by this sampler. */
  readonly rebalancingSampler?: Sampler;
}

/**
 * The epoch's items from batch `startBatch` on, through the operators: `HostBatch`es, or
 * `BilateralBatch`es when `rebalancingSampler` is set (one-batch operators then apply to each side
 * with its own Rng stream, bilateral ones to the pair; paired operators are refused). With `stride`
 * N, only batches startBatch, startBatch + N, … (one of N pipeline threads), each exactly as in the
 * whole epoch.
 * @throws Error for an operator the kind of run cannot apply
 */
export const epochPipeline = (options: EpochPipelineOptions, epoch: number, startBatch: number, stride = 1): PullSource<TrainingItem> => {
  const rng = options.rng.derive('epoch', epoch);
  const ctx = { epoch, epochs: options.epochs };
  const common = {
    batchSize: options.batchSize,
    epoch,
    epochs: options.epochs,
    normalization: options.dataset,
    startBatch,
    batchStride: stride,
    ...(options.maxStepsPerEpoch !== undefined ? { maxBatches: options.maxStepsPerEpoch } : {}),
  };
  const train = options.dataset.train;
  if (options.rebalancingSampler === undefined) {
    const batchesOf = (sampler: Sampler, batchRng: Rng) => epochBatches(train, { ...common, sampler, rng: batchRng });
    const transforms = options.transforms.map((t) => {
      if ('bilateral' in t) throw new Error(`fit: the bilateral operator '${t.name}' needs a bilateral run (options.bilateral)`);
      return 'paired' in t
        ? liftPairedTransformWith(t.paired, batchesOf(t.secondSampler, rng.derive('second', t.name)), rng.derive('transform', t.name), startBatch, ctx, stride)
        : liftTransform(t.transform, rng.derive('transform', t.name), startBatch, ctx, stride);
    });
    return mapPullSource(batchesOf(options.sampler, rng.derive('batches')), (s) => transforms.reduce((acc, op) => acc.pipe(op), s));
  }
  const source = bilateralBatches(train, {
    ...common,
    conventional: { sampler: options.sampler, rng: rng.derive('batches') },
    rebalancing: { sampler: options.rebalancingSampler, rng: rng.derive('rebalancing') },
  });
  const transforms = options.transforms.map((t) => {
    if ('paired' in t) throw new Error(`fit: the paired operator '${t.name}' cannot run on bilateral (BBN) batches`);
    if ('bilateral' in t) {
      const pairRng = rng.derive('transform', t.name);
      return (s: Observable<BilateralBatch>) =>
        defer(() => {
          let k = startBatch;
          return s.pipe(
            map((p) => {
              const out = t.bilateral(p.conventional, p.rebalancing, pairRng.derive(k), ctx);
              k += stride;
              return out;
            }),
          );
        });
    }
    // Each side gets its own stream of the operator's randomness, the conventional one the stream of a plain run.
    const sides = { conventional: rng.derive('transform', t.name), rebalancing: rng.derive('rebalancing-transform', t.name) };
    return (s: Observable<BilateralBatch>) =>
      defer(() => {
        let k = startBatch;
        return s.pipe(
          map((p) => {
            const i = k;
            k += stride;
            return { conventional: t.transform(p.conventional, sides.conventional.derive(i), ctx), rebalancing: t.transform(p.rebalancing, sides.rebalancing.derive(i), ctx) };
          }),
        );
      });
  });
  return mapPullSource(source, (s) => transforms.reduce((acc, op) => acc.pipe(op), s));
};
