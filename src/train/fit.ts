/**
 * Training as a stream: each epoch's batches are pulled through the batch operators into the step,
 * one step at a time, and the run emits what happened (steps, epochs) as host-side events.
 *
 * Intuition: `fit` is `concat(epoch 0, epoch 1, …)` where an epoch is
 * `pullThrough(epochPipeline(...), pipe(classWeights, step), {prefetch})`: the epoch's batches
 * through the operators (on the main thread, or in a pipeline thread via `epochSource`), then the
 * step. The step yields to the event loop before it runs, so progress bars redraw and signals are
 * handled during long runs. With `bilateral` (BBN), the items are pairs and each step takes a pair.
 */
import { Observable, catchError, concat, concatMap, defer, map, of, pipe, type OperatorFunction } from 'rxjs';
import { UserError } from '../core/errors.js';
import type { HostBatch } from '../core/host-batch.js';
import type { Rng } from '../core/rng.js';
import type { LongTailDataset } from '../data/datasets.js';
import type { Sampler } from '../streams/samplers/sampler.js';
import { batchesPerEpoch } from '../streams/epoch-batches.js';
import { pullThrough } from '../streams/pull-source.js';
import { epochPipeline, type EpochSource, type FitTransform, type TrainingItem } from './epoch-pipeline.js';
import { trainStep, type StepResult, type TrainState } from './step.js';
import { applyClassWeights, type ClassWeightSchedule } from './class-weight-schedule.js';
import type { BilateralBatch } from '../streams/bilateral-batches.js';

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

export type { FitTransform } from './epoch-pipeline.js';

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
  /**
   * Where each epoch's batches come from, already through the operators (a pipeline thread's
   * `epochSource`, which runs `epochPipeline` in a worker); `epochPipeline` over these options on the
   * main thread when absent. It must yield what `epochPipeline` would: pairs for a bilateral run.
   */
  readonly epochSource?: EpochSource;
}

/** The item as a batch, or a programmer error when an epoch source yields pairs to a one-branch run. */
const asBatch = (item: TrainingItem): HostBatch => {
  if ('conventional' in item) throw new Error('fit: the epoch source yields pairs of batches, but the run has no bilateral step (options.bilateral)');
  return item;
};

/** The item as a pair, or a programmer error when an epoch source yields single batches to a bilateral run. */
const asPair = (item: TrainingItem): BilateralBatch => {
  if (!('conventional' in item)) throw new Error('fit: the epoch source yields single batches, but the run is bilateral (options.bilateral)');
  return item;
};

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
    const lr = options.lr(epoch);
    const stepsInEpoch = Math.min(batchesPerEpoch(options.dataset.train.indices.length, options.batchSize), options.maxStepsPerEpoch ?? Infinity);
    const weights = options.classWeights?.(epoch);
    const weigh = (b: HostBatch): HostBatch => (weights === undefined ? b : applyClassWeights(b, weights));
    const prefetch = { prefetch: options.prefetch ?? 2 };
    const source =
      options.epochSource?.(epoch, cursor.step) ??
      epochPipeline({ ...options, ...(options.bilateral !== undefined ? { rebalancingSampler: options.bilateral.rebalancingSampler } : {}) }, epoch, cursor.step);
    let results$: Observable<StepResult>;
    if (options.bilateral === undefined) {
      const process = pipe(
        map((item: TrainingItem) => weigh(asBatch(item))),
        stepOperator(options.state, lr, options.onNonFinite, options.step === undefined ? undefined : (b) => options.step!(options.state, b, lr, epoch)),
      );
      results$ = pullThrough(source, process, prefetch);
    } else {
      const pairStep = options.bilateral.step;
      const process = pipe(
        map((item: TrainingItem): BilateralBatch => {
          const p = asPair(item);
          return { conventional: weigh(p.conventional), rebalancing: weigh(p.rebalancing) };
        }),
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
