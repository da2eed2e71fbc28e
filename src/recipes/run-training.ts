/**
 * The main job as a library call: build the long-tailed dataset, train, evaluate each epoch and at the
 * end, and (optionally) record everything in a run folder. The CLI's `train` is a thin shell over this.
 */
import { EMPTY, fromEvent, lastValueFrom, takeUntil, tap } from 'rxjs';
import * as E from 'fp-ts/lib/Either.js';
import { UserError } from '../core/errors.js';
import { createRng } from '../core/rng.js';
import { decodeWith } from '../config/report.js';
import { datasets, type LongTailDataset } from '../data/datasets.js';
import { samplers } from '../streams/samplers/registry.js';
import { losses } from '../losses/registry.js';
import { models } from '../models/registry.js';
import { countParameters } from '../models/model.js';
import { createSgdMomentum } from '../train/sgd-momentum.js';
import { warmupStepDecay } from '../train/learning-rate.js';
import { fit, type FitEvent } from '../train/fit.js';
import { predict } from '../train/predict.js';
import { randomCropFlip } from '../transforms/random-crop-flip.js';
import type { BatchTransform } from '../transforms/batch-transform.js';
import { evaluate, type EvaluationReport } from '../eval/evaluate.js';
import { RunConfig } from './run-config.js';
import { createRunFolder, type RunFolder } from './run-folder.js';

/** An evaluation on the test set after an epoch. */
export interface EvalEvent {
  readonly kind: 'eval';
  readonly epoch: number;
  readonly report: EvaluationReport;
}

/** Everything a run reports while it goes. */
export type RunEvent = FitEvent | EvalEvent | { readonly kind: 'ready'; readonly dataset: LongTailDataset; readonly parameters: number };

/** Options of `runTraining` besides the config. */
export interface RunTrainingOptions {
  /** Run folder to create (must not hold a run already); none when omitted. */
  readonly out?: string;
  readonly onEvent?: (e: RunEvent) => void;
  /** Evaluate on the test set after every epoch (default true). */
  readonly evalEveryEpoch?: boolean;
  /** Aborting stops the run after the step in flight; the run then fails with a UserError of kind 'interrupted'. */
  readonly signal?: AbortSignal;
}

/** What a finished run returns. */
export interface RunResult {
  readonly config: RunConfig;
  readonly report: EvaluationReport;
  readonly trainCounts: readonly number[];
  readonly history: ReadonlyArray<Record<string, unknown>>;
}

/** The metrics.json document: numbers only, no timings, so the same seed gives the same bytes. */
export const metricsDocument = (config: RunConfig, dataset: LongTailDataset, report: EvaluationReport) => ({
  dataset: config.dataset,
  seed: config.seed,
  epochs: config.epochs,
  overallAccuracy: report.overallAccuracy,
  balancedAccuracy: report.balancedAccuracy,
  shotGroups: report.shotGroups,
  shotThresholds: report.thresholds,
  perClass: report.perClass,
  trainCounts: dataset.trainCounts,
  testCounts: dataset.testCounts,
  confusion: report.confusion,
});

/**
 * Runs the configured training; throws `UserError` for anything a user can fix (unknown names,
 * unreadable files, a loss that diverges).
 */
export const runTraining = async (input: RunConfig, options: RunTrainingOptions = {}): Promise<RunResult> => {
  const config = E.getOrElseW((why: string) => {
    throw new UserError('bad-config', `${why}.`);
  })(decodeWith(RunConfig, input));
  const datasetEntry = datasets.get(config.dataset);
  const modelEntry = models.get(config.model);
  const loss = losses.get(config.loss);
  const sampler = samplers.get(config.sampler);
  const lossConfig = E.getOrElseW((why: string) => {
    throw new UserError('bad-config', `${why}.`);
  })(decodeWith(loss.configCodec, { ...loss.defaults, ...config.lossConfig }, `lossConfig`));

  const loaded = datasetEntry.load({
    ratio: config.ratio,
    profile: config.profile,
    subsetSeed: config.subsetSeed,
    ...(config.dataDir !== null ? { dataDir: config.dataDir } : {}),
  });
  if (E.isLeft(loaded)) throw new UserError('bad-file', `${config.dataset}: ${loaded.left}.`);
  const dataset = loaded.right;

  const folder: RunFolder | undefined = options.out === undefined ? undefined : createRunFolder(options.out);
  const rng = createRng(config.seed);
  const model = modelEntry.create({ shape: dataset.shape, numClasses: dataset.numClasses }, rng.derive('model'));
  const optimizer = createSgdMomentum(model.variables.trainable, { momentum: config.momentum, weightDecay: config.weightDecay });
  try {
    folder?.writeJson('config.json', config);
    folder?.writeJson('subset.json', {
      dataset: config.dataset,
      subsetSeed: config.subsetSeed,
      trainCounts: dataset.trainCounts,
      testCounts: dataset.testCounts,
      trainIndices: Array.from(dataset.train.indices),
      testIndices: Array.from(dataset.test.indices),
    });
    options.onEvent?.({ kind: 'ready', dataset, parameters: countParameters(model.variables) });

    const transforms: Array<{ name: string; transform: BatchTransform }> = [];
    if (config.cropPadding > 0 || (config.flip && dataset.flipInvariant)) {
      transforms.push({
        name: 'random-crop-flip',
        transform: randomCropFlip({
          padding: config.cropPadding,
          flip: config.flip && dataset.flipInvariant,
          fill: dataset.mean.map((m, c) => -m / dataset.std[c]!),
        }),
      });
    }
    const lr = warmupStepDecay({ base: config.lr, warmupEpochs: config.warmupEpochs, milestones: config.milestones });
    const state = { model, loss, prepared: loss.prepare(lossConfig, dataset.trainCounts), reduction: config.reduction, optimizer };
    const history: Array<Record<string, unknown>> = [];
    const evaluateNow = () => {
      const p = predict(model, dataset.test, dataset, config.evalBatchSize);
      return evaluate(p.labels, p.predicted, dataset.trainCounts, dataset.classNames, config.shotThresholds);
    };
    let last: EvaluationReport | undefined;
    await lastValueFrom(
      fit({
        dataset,
        state,
        sampler,
        transforms,
        epochs: config.epochs,
        batchSize: config.batchSize,
        lr,
        rng: rng.derive('train'),
        prefetch: config.prefetch,
      }).pipe(
        tap((event) => {
          options.onEvent?.(event);
          if (event.kind !== 'epoch') return;
          const record: Record<string, unknown> = { ...event };
          if (options.evalEveryEpoch !== false || event.epoch === config.epochs - 1) {
            last = evaluateNow();
            options.onEvent?.({ kind: 'eval', epoch: event.epoch, report: last });
            record.testAccuracy = last.overallAccuracy;
            record.testBalancedAccuracy = last.balancedAccuracy;
            record.testShotGroups = {
              many: last.shotGroups.many.accuracy,
              medium: last.shotGroups.medium.accuracy,
              few: last.shotGroups.few.accuracy,
            };
          }
          history.push(record);
          folder?.appendLog(record);
        }),
        takeUntil(options.signal === undefined ? EMPTY : fromEvent(options.signal, 'abort')),
      ),
      { defaultValue: undefined },
    );
    if (options.signal?.aborted === true) {
      const done = history.length;
      throw new UserError('interrupted', `Interrupted after ${done} of ${config.epochs} epochs.`, 130);
    }
    const report = last ?? evaluateNow();
    folder?.writeJson('metrics.json', metricsDocument(config, dataset, report));
    folder?.setStatus('complete');
    return { config, report, trainCounts: dataset.trainCounts, history };
  } catch (e) {
    folder?.setStatus(e instanceof UserError && e.kind === 'interrupted' ? 'interrupted' : 'failed', {
      error: e instanceof Error ? e.message : String(e),
    });
    throw e;
  } finally {
    optimizer.dispose();
    model.dispose();
  }
};
