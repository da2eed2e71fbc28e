/**
 * Training as a stream: each epoch's batches are pulled through the batch operators into the step,
 * one step at a time, and the run emits what happened (steps, epochs) as host-side events.
 *
 * Intuition: `fit` is `concat(epoch 0, epoch 1, …)` where an epoch is
 * `pullThrough(epochBatches(...), pipe(...transforms, step), {prefetch})`. The step yields to the
 * event loop before it runs, so progress bars redraw and signals are handled during long runs.
 * With `bilateral` (BBN), the epoch is `bilateralBatches(...)` instead and each step takes a pair.
 */
import { Observable, catchError, concat, concatMap, defer, map, of, pipe, type OperatorFunction } from 'rxjs';
import { UserError } from '../core/errors.js';
import type { HostBatch } from '../core/host-batch.js';
import type { Rng } from '../core/rng.js';
import type { LongTailDataset } from '../data/datasets.js';
import type { Sampler } from '../streams/samplers/sampler.js';
import { batchesPerEpoch, epochBatches } from '../streams/epoch-batches.js';
import { pullThrough } from '../streams/pull-source.js';
import { liftTransform, type BatchTransform } from '../transforms/batch-transform.js';
import { liftPairedTransformWith, type PairedTransform } from '../transforms/paired-transform.js';
import { trainStep, type StepResult, type TrainState } from './step.js';
import { applyClassWeights, type ClassWeightSchedule } from './class-weight-schedule.js';
import { bilateralBatches, type BilateralBatch } from '../streams/bilateral-batches.js';

/** Running totals of an epoch (enough to resume one mid-epoch with the same epoch summary). */
export interface EpochTotals {
  readonly lossSum: number;
  readonly correct: number;
  readonly samples: number;
  /** Batches skipped because their loss was not finite (with `onNonFinite: 'skip-batch'`). */
  readonly skipped: number;
}

/** Where training stands: the next step to run. */
export interface FitCursor {
  readonly epoch: number;
  readonly step: number;
  /** Totals of `epoch` up to `step` (zero at an epoch start). */
  readonly totals: EpochTotals;
}

/** The cursor of a fresh run. */
export const START_CURSOR: FitCursor = { epoch: 0, step: 0, totals: { lossSum: 0, correct: 0, samples: 0, skipped: 0 } };

/** A finished step. */
export interface StepEvent {
  readonly kind: 'step';
  readonly epoch: number;
  /** Step within the epoch. */
  readonly step: number;
  readonly stepsInEpoch: number;
  readonly lr: number;
  readonly result: StepResult;
  /** The epoch's totals including this step. */
  readonly totals: EpochTotals;
}

/** A finished epoch, with its training loss and accuracy averaged over the epoch's samples. */
export interface EpochEvent {
  readonly kind: 'epoch';
  readonly epoch: number;
  readonly lr: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  readonly samples: number;
  readonly skippedBatches: number;
}

/** What a training run emits. */
export type FitEvent = StepEvent | EpochEvent;

/**
 * A batch operator in the training stream: a one-batch operator, or a paired one (CMO) whose second
 * batch comes from another sampler over the same training subset, pulled one batch per main batch.
 */
export type FitTransform =
  | { readonly name: string; readonly transform: BatchTransform }
  | { readonly name: string; readonly paired: PairedTransform<HostBatch>; readonly secondSampler: Sampler }
  /** An operator on the pair of a bilateral run (DBN-Mix's bilateral mixup), after the per-side operators. */
  | { readonly name: string; readonly bilateral: PairedTransform<BilateralBatch> };

/** What to do when a batch's loss is NaN or ±Infinity. */
export type NonFinitePolicy = 'stop' | 'skip-batch';

/**
 * How one batch is trained at the epoch's learning rate (the default is `trainStep(state, batch, lr)`);
 * e.g. `samStepFunction` for SAM with a ρ schedule.
 */
export type StepFunction = (state: TrainState, batch: HostBatch, lr: number, epoch: number) => StepResult;

/** How one pair of batches (BBN's conventional and re-balancing batches) is trained at the epoch's learning rate, e.g. `bbnStep`. */
export type PairStepFunction = (state: TrainState, pair: BilateralBatch, lr: number, epoch: number) => StepResult;

/**
 * Bilateral training (BBN): each step takes a pair of equally sized batches, the first from `fit`'s
 * sampler and Rng stream (the same batches a plain run draws), the second from `rebalancingSampler`
 * with its own Rng stream (`rng.derive('epoch', e).derive('rebalancing')`).
 */
export interface BilateralFit {
  readonly rebalancingSampler: Sampler;
  readonly step: PairStepFunction;
}

/** What `fit` needs. */
export interface FitOptions {
  readonly dataset: LongTailDataset;
  readonly state: TrainState;
  readonly sampler: Sampler;
  /** Batch operators applied in order (each gets its own Rng stream per epoch). */
  readonly transforms: ReadonlyArray<FitTransform>;
  readonly epochs: number;
  readonly batchSize: number;
  /** Learning rate at a 0-based epoch. */
  readonly lr: (epoch: number) => number;
  /** The run's root Rng; epoch e uses `rng.derive('epoch', e)`. */
  readonly rng: Rng;
  /** Batches made ahead of the step (default 2). */
  readonly prefetch?: number;
  /** Where to start (for resuming); default the first step of epoch 0. */
  readonly from?: FitCursor;
  /** Default 'stop': the run fails with the epoch, step and loss named. */
  readonly onNonFinite?: NonFinitePolicy;
  /** Per-class loss weights by epoch (e.g. deferred re-weighting); uniform when absent or undefined. */
  readonly classWeights?: ClassWeightSchedule;
  /** At most this many steps per epoch (a budget); the whole epoch when absent. */
  readonly maxStepsPerEpoch?: number;
  /** The step to run on each batch; `trainStep` when absent. */
  readonly step?: StepFunction;
  /**
   * Train on pairs of batches instead (BBN): one-batch operators apply to each side with its own Rng
   * stream, class weights to each side; `step` is not used, and paired operators are refused.
   */
  readonly bilateral?: BilateralFit;
}

/** Samples in a batch, or in the first batch of a pair. */
const samplesIn = (b: HostBatch | BilateralBatch): number => ('conventional' in b ? b.conventional.y.length : b.y.length);

/** A step result marking a batch skipped for a non-finite loss. */
const skippedResult = (size: number): StepResult => ({ loss: Number.NaN, size, correct: 0, skipped: true });

/**
 * The step as an RxJS operator. It yields to the event loop before each step, so progress bars
 * redraw and signals are handled during long runs.
 */
export const stepOperator = <T extends HostBatch | BilateralBatch = HostBatch>(
  state: TrainState,
  lr: number,
  onNonFinite: NonFinitePolicy = 'stop',
  run: (batch: T) => StepResult = (batch) => trainStep(state, batch as HostBatch, lr),
): OperatorFunction<T, StepResult> =>
  concatMap(
    (batch) =>
      new Observable<StepResult>((subscriber) => {
        // Cancellable: a step not yet started when the run is stopped never runs (and never touches the weights).
        const pending = setImmediate(() => {
          let result: StepResult;
          try {
            result = run(batch);
          } catch (e) {
            if (onNonFinite === 'skip-batch' && e instanceof UserError && e.kind === 'numeric') result = skippedResult(samplesIn(batch));
            else {
              subscriber.error(e);
              return;
            }
          }
          subscriber.next(result);
          subscriber.complete();
        });
        return () => clearImmediate(pending);
      }),
  );

/** One epoch of training from `cursor.step` on, as step events ending with the epoch event. */
export const fitEpoch = (options: FitOptions, cursor: FitCursor): Observable<FitEvent> =>
  defer(() => {
    const { epoch } = cursor;
    const rng = options.rng.derive('epoch', epoch);
    const lr = options.lr(epoch);
    const batchesOf = (sampler: Sampler, batchRng: Rng) =>
      epochBatches(options.dataset.train, {
        sampler,
        batchSize: options.batchSize,
        epoch,
        epochs: options.epochs,
        rng: batchRng,
        normalization: options.dataset,
        startBatch: cursor.step,
        ...(options.maxStepsPerEpoch !== undefined ? { maxBatches: options.maxStepsPerEpoch } : {}),
      });
    const stepsInEpoch = Math.min(batchesPerEpoch(options.dataset.train.indices.length, options.batchSize), options.maxStepsPerEpoch ?? Infinity);
    const ctx = { epoch, epochs: options.epochs };
    const weights = options.classWeights?.(epoch);
    const weigh = (b: HostBatch): HostBatch => (weights === undefined ? b : applyClassWeights(b, weights));
    const prefetch = { prefetch: options.prefetch ?? 2 };
    let results$: Observable<StepResult>;
    if (options.bilateral === undefined) {
      const source = batchesOf(options.sampler, rng.derive('batches'));
      const transforms = options.transforms.map((t) => {
        if ('bilateral' in t) throw new Error(`fit: the bilateral operator '${t.name}' needs a bilateral run (options.bilateral)`);
        return 'paired' in t
          ? liftPairedTransformWith(t.paired, batchesOf(t.secondSampler, rng.derive('second', t.name)), rng.derive('transform', t.name), cursor.step, ctx)
          : liftTransform(t.transform, rng.derive('transform', t.name), cursor.step, ctx);
      });
      const process = pipe(
        (s: Observable<HostBatch>) => transforms.reduce((acc, op) => acc.pipe(op), s),
        (s: Observable<HostBatch>) => (weights === undefined ? s : s.pipe(map(weigh))),
        stepOperator(options.state, lr, options.onNonFinite, options.step === undefined ? undefined : (b) => options.step!(options.state, b, lr, epoch)),
      );
      results$ = pullThrough(source, process, prefetch);
    } else {
      const { rebalancingSampler, step: pairStep } = options.bilateral;
      const source = bilateralBatches(options.dataset.train, {
        conventional: { sampler: options.sampler, rng: rng.derive('batches') },
        rebalancing: { sampler: rebalancingSampler, rng: rng.derive('rebalancing') },
        batchSize: options.batchSize,
        epoch,
        epochs: options.epochs,
        normalization: options.dataset,
        startBatch: cursor.step,
        ...(options.maxStepsPerEpoch !== undefined ? { maxBatches: options.maxStepsPerEpoch } : {}),
      });
      const transforms = options.transforms.map((t) => {
        if ('paired' in t) throw new Error(`fit: the paired operator '${t.name}' cannot run on bilateral (BBN) batches`);
        if ('bilateral' in t) {
          const pairRng = rng.derive('transform', t.name);
          return (s: Observable<BilateralBatch>) =>
            defer(() => {
              let k = cursor.step;
              return s.pipe(map((p) => t.bilateral(p.conventional, p.rebalancing, pairRng.derive(k++), ctx)));
            });
        }
        // Each side gets its own stream of the operator's randomness, the conventional one the stream of a plain run.
        const sides = { conventional: rng.derive('transform', t.name), rebalancing: rng.derive('rebalancing-transform', t.name) };
        return (s: Observable<BilateralBatch>) =>
          defer(() => {
            let k = cursor.step;
            return s.pipe(
              map((p) => {
                const i = k++;
                return { conventional: t.transform(p.conventional, sides.conventional.derive(i), ctx), rebalancing: t.transform(p.rebalancing, sides.rebalancing.derive(i), ctx) };
              }),
            );
          });
      });
      const process = pipe(
        (s: Observable<BilateralBatch>) => transforms.reduce((acc, op) => acc.pipe(op), s),
        map((p: BilateralBatch): BilateralBatch => ({ conventional: weigh(p.conventional), rebalancing: weigh(p.rebalancing) })),
        stepOperator<BilateralBatch>(options.state, lr, options.onNonFinite, (p) => pairStep(options.state, p, lr, epoch)),
      );
      results$ = pullThrough(source, process, prefetch);
    }
    let step = cursor.step;
    let totals = cursor.totals;
    const steps$ = results$.pipe(
      map((result): FitEvent => {
        totals =
          result.skipped === true
            ? { ...totals, skipped: totals.skipped + 1 }
            : {
                lossSum: totals.lossSum + result.loss * result.size,
                correct: totals.correct + result.correct,
                samples: totals.samples + result.size,
                skipped: totals.skipped,
              };
        return { kind: 'step', epoch, step: step++, stepsInEpoch, lr, result, totals };
      }),
      catchError((e: unknown) => {
        if (e instanceof UserError && e.kind === 'numeric') {
          throw new UserError('numeric', `${e.message.replace(/\.$/, '')} at epoch ${epoch + 1}, step ${step + 1}.`, e.exitCode);
        }
        throw e;
      }),
    );
    const summary$ = defer(() =>
      of<FitEvent>({
        kind: 'epoch',
        epoch,
        lr,
        trainLoss: totals.samples > 0 ? totals.lossSum / totals.samples : Number.NaN,
        trainAccuracy: totals.samples > 0 ? totals.correct / totals.samples : Number.NaN,
        samples: totals.samples,
        skippedBatches: totals.skipped,
      }),
    );
    return concat(steps$, summary$);
  });

/** All epochs from the cursor to `epochs − 1`, in order. */
export const fit = (options: FitOptions): Observable<FitEvent> => {
  const from = options.from ?? START_CURSOR;
  const epochs = Array.from({ length: Math.max(0, options.epochs - from.epoch) }, (_, i) => from.epoch + i);
  return concat(...epochs.map((e) => fitEpoch(options, e === from.epoch ? from : { ...START_CURSOR, epoch: e })));
};
