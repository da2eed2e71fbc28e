/**
 * Training as a stream: each epoch's batches are pulled through the batch operators into the step,
 * one step at a time, and the run emits what happened (steps, epochs) as host-side events.
 *
 * Intuition: `fit` is `concat(epoch 0, epoch 1, …)` where an epoch is
 * `pullThrough(epochBatches(...), pipe(...transforms, step), {prefetch})`. The step yields to the
 * event loop before it runs, so progress bars redraw and signals are handled during long runs.
 */
import { concat, concatMap, defer, from, map, of, pipe, type Observable, type OperatorFunction } from 'rxjs';
import type { HostBatch } from '../core/host-batch.js';
import type { Rng } from '../core/rng.js';
import type { LongTailDataset } from '../data/datasets.js';
import type { Sampler } from '../streams/samplers/sampler.js';
import { batchesPerEpoch, epochBatches } from '../streams/epoch-batches.js';
import { pullThrough } from '../streams/pull-source.js';
import { liftTransform, type BatchTransform } from '../transforms/batch-transform.js';
import { trainStep, type StepResult, type TrainState } from './step.js';

/** A finished step. */
export interface StepEvent {
  readonly kind: 'step';
  readonly epoch: number;
  /** Step within the epoch. */
  readonly step: number;
  readonly stepsInEpoch: number;
  readonly lr: number;
  readonly result: StepResult;
}

/** A finished epoch, with its training loss and accuracy averaged over the epoch's samples. */
export interface EpochEvent {
  readonly kind: 'epoch';
  readonly epoch: number;
  readonly lr: number;
  readonly trainLoss: number;
  readonly trainAccuracy: number;
  readonly samples: number;
}

/** What a training run emits. */
export type FitEvent = StepEvent | EpochEvent;

/** What `fit` needs. */
export interface FitOptions {
  readonly dataset: LongTailDataset;
  readonly state: TrainState;
  readonly sampler: Sampler;
  /** Batch operators applied in order (each gets its own Rng stream per epoch). */
  readonly transforms: ReadonlyArray<{ readonly name: string; readonly transform: BatchTransform }>;
  readonly epochs: number;
  readonly batchSize: number;
  /** Learning rate at a 0-based epoch. */
  readonly lr: (epoch: number) => number;
  /** The run's root Rng; epoch e uses `rng.derive('epoch', e)`. */
  readonly rng: Rng;
  /** Batches made ahead of the step (default 2). */
  readonly prefetch?: number;
  /** First epoch to run (for resuming), default 0. */
  readonly startEpoch?: number;
}

/** The step as an RxJS operator that yields to the event loop before each step. */
export const stepOperator = (state: TrainState, lr: number): OperatorFunction<HostBatch, StepResult> =>
  concatMap((batch) => from(new Promise<StepResult>((resolve, reject) => setImmediate(() => {
    try {
      resolve(trainStep(state, batch, lr));
    } catch (e) {
      reject(e);
    }
  }))));

/** One epoch of training as a stream of step events, ending with the epoch event. */
export const fitEpoch = (options: FitOptions, epoch: number): Observable<FitEvent> =>
  defer(() => {
    const rng = options.rng.derive('epoch', epoch);
    const lr = options.lr(epoch);
    const source = epochBatches(options.dataset.train, {
      sampler: options.sampler,
      batchSize: options.batchSize,
      epoch,
      epochs: options.epochs,
      rng: rng.derive('batches'),
      normalization: options.dataset,
    });
    const stepsInEpoch = batchesPerEpoch(options.dataset.train.indices.length, options.batchSize);
    const transforms = options.transforms.map((t) => liftTransform(t.transform, rng.derive('transform', t.name)));
    const process = pipe(
      (s: Observable<HostBatch>) => transforms.reduce((acc, op) => acc.pipe(op), s),
      stepOperator(options.state, lr),
    );
    let step = 0;
    let lossSum = 0;
    let correct = 0;
    let samples = 0;
    const steps$ = pullThrough(source, process, { prefetch: options.prefetch ?? 2 }).pipe(
      map((result): FitEvent => {
        lossSum += result.loss * result.size;
        correct += result.correct;
        samples += result.size;
        return { kind: 'step', epoch, step: step++, stepsInEpoch, lr, result };
      }),
    );
    const summary$ = defer(() =>
      of<FitEvent>({ kind: 'epoch', epoch, lr, trainLoss: lossSum / samples, trainAccuracy: correct / samples, samples }),
    );
    return concat(steps$, summary$);
  });

/** All epochs from `startEpoch` to `epochs − 1`, in order. */
export const fit = (options: FitOptions): Observable<FitEvent> => {
  const first = options.startEpoch ?? 0;
  const epochs = Array.from({ length: Math.max(0, options.epochs - first) }, (_, i) => first + i);
  return concat(...epochs.map((e) => fitEpoch(options, e)));
};
