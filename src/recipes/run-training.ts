/**
 * The main job as a library call: build the long-tailed dataset, train, evaluate each epoch and at the
 * end, and (optionally) record everything in a run folder. The CLI's `train` is a thin shell over this.
 *
 * Two-stage runs (`stage2`: cRT, GAE's fine-tuning) run the same `fit` a second time after the run's
 * epochs with the stage's own variables, optimizer, sampler, operators and schedule; epochs are counted
 * across both stages, and a checkpoint written in stage 2 says so (`strategies.stage`), so a run resumes
 * exactly on either side of the boundary (the boundary itself is redone from the last stage-1 checkpoint).
 * A post-hoc `calibration` (MARC) is the run's final step, written beside `metrics.json`.
 */
import { existsSync, readFileSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import * as tf from '@tensorflow/tfjs-core';
import { EMPTY, fromEvent, lastValueFrom, takeUntil, tap } from 'rxjs';
import * as E from 'fp-ts/lib/Either.js';
import { UserError } from '../core/errors.js';
import { createRng } from '../core/rng.js';
import { decodeWith } from '../config/report.js';
import { datasets, loadDataset, type LongTailDataset } from '../data/datasets.js';
import { samplers } from '../streams/samplers/registry.js';
import { losses } from '../losses/registry.js';
import { models } from '../models/registry.js';
import { countParameters, type Model } from '../models/model.js';
import { createModel } from '../models/create-model.js';
import { classifierKernelOf, withClassifierKernel } from '../train/classifier-kernel-loss.js';
import { noiseRoutedStepFunction } from '../train/noise-routed-step.js';
import { createSgdMomentum, type SgdMomentum } from '../train/sgd-momentum.js';
import { warmupStepDecay } from '../train/learning-rate.js';
import { fit, START_CURSOR, type BilateralFit, type FitCursor, type FitEvent, type FitOptions, type NonFinitePolicy, type StepFunction } from '../train/fit.js';
import { freezeBackbone, reinitializeClassifier } from '../train/classifier-retraining.js';
import { checkTransforms } from './resolve-transforms.js';
import { buildPipeline, planUsesModel, stage1Plan, stage2Plan, type PipelinePlan } from './pipeline-plan.js';
import { autoPipelineThreads, checkPipelineMode, startPipelineThread, usePipelineThread } from './pipeline-thread.js';
import { modelGradientOracle } from '../transforms/gradient-oracle.js';
import { captureCheckpoint, decodeCheckpoint, encodeCheckpoint, restoreCheckpoint, type Checkpoint } from '../train/checkpoint.js';
import { deferredReweighting, rampedReweighting } from '../train/class-weight-schedule.js';
import { samStepFunction } from '../train/sam.js';
import { bbnStep } from '../train/bbn-step.js';
import { dbnMixStep } from '../train/dbn-mix-step.js';
import { createOtReweighting } from '../train/ot-step.js';
import { createAutoBalance, decodeAutoBalanceState, perClassParameters, type AutoBalanceState } from '../train/autobalance.js';
import type { ParametricCrossEntropyPrepared } from '../losses/parametric-cross-entropy.js';
import { cumulativeLearningAlpha } from '../train/schedules/cumulative-learning.js';
import type { Sampler } from '../streams/samplers/sampler.js';
import { absgdStepFunction, createAbsgd, decodeAbsgdState, encodeAbsgdState, type AbsgdState } from '../train/absgd.js';
import { samRhoSchedule } from '../train/schedules/sam-rho.js';
import type { EvaluationReport } from '../eval/evaluate.js';
import { evaluateSubset } from './evaluate-subset.js';
import { RunConfig, type Stage2Config } from './run-config.js';
import { calibratedMetricsDocument, calibrateModel, type CalibratedModel } from './calibrate-model.js';
import { openRunFolder, type RunFolder } from './run-folder.js';

/** An evaluation on the test set after an epoch. */
export interface EvalEvent {
  readonly kind: 'eval';
  readonly epoch: number;
  readonly report: EvaluationReport;
}

/** Everything a run reports while it goes. */
export type RunEvent = FitEvent | EvalEvent | ReadyEvent;

/** The run is set up: data built, model created (and restored, when resuming). */
export interface ReadyEvent {
  readonly kind: 'ready';
  readonly dataset: LongTailDataset;
  readonly parameters: number;
  /** Epochs of the whole run (stage 2's after the run's `epochs`). */
  readonly epochs: number;
  /** Where a resumed run continues. */
  readonly resumedAt?: FitCursor;
}

/** Options of `runTraining` besides the config. */
export interface RunTrainingOptions {
  /** Run folder to create (must not hold a run already); none when omitted. */
  readonly out?: string;
  readonly onEvent?: (e: RunEvent) => void;
  /** Evaluate on the test set after every epoch (default true). */
  readonly evalEveryEpoch?: boolean;
  /** Aborting stops the run before the next step; a checkpoint is written and the run fails with a UserError of kind 'interrupted'. */
  readonly signal?: AbortSignal;
  /** Also write a checkpoint every this many steps (0, the default: only at epoch ends and on interrupt). */
  readonly checkpointEvery?: number;
  /** What to do with a batch whose loss is NaN or ±Infinity (default 'stop'). */
  readonly onNonFinite?: NonFinitePolicy;
}

/** What a finished run returns. */
export interface RunResult {
  readonly config: RunConfig;
  readonly report: EvaluationReport;
  readonly trainCounts: readonly number[];
  readonly history: ReadonlyArray<Record<string, unknown>>;
  /** The post-hoc calibration of the final model, when the config asks for one (also in `metrics-<method>.json`). */
  readonly calibrated?: CalibratedModel;
  /** The run folder, when there is one. */
  readonly out?: string;
}

/** The checkpoint file in a run folder. */
export const CHECKPOINT_FILE = 'checkpoint.bin';

/** The AutoBalance search's result in a run folder: the found per-class loss parameters and the split. */
export const AUTOBALANCE_FILE = 'autobalance.json';

/** The metrics.json document: numbers only, no timings, so the same seed gives the same bytes. */
export const metricsDocument = (config: RunConfig, dataset: Pick<LongTailDataset, 'trainCounts'>, report: EvaluationReport) => ({
  dataset: config.dataset,
  seed: config.seed,
  epochs: config.epochs,
  ...(config.stage2 !== null ? { stage2Epochs: config.stage2.epochs } : {}),
  overallAccuracy: report.overallAccuracy,
  balancedAccuracy: report.balancedAccuracy,
  macroF1: report.macroF1,
  macroPrecision: report.macroPrecision,
  top5: report.top5,
  ece: report.ece,
  reliability: report.reliability,
  shotGroups: report.shotGroups,
  shotThresholds: report.thresholds,
  perClass: report.perClass,
  trainCounts: dataset.trainCounts,
  confusion: report.confusion,
  ...(report.multiLabel !== undefined ? { multiLabel: report.multiLabel } : {}),
});

const orThrow = <A>(kind: 'bad-config' | 'bad-file', prefix: string) =>
  E.getOrElseW((why: string): A => {
    throw new UserError(kind, `${prefix}${why}.`);
  });

/** A run to start or continue. */
interface RunPlan {
  readonly config: RunConfig;
  readonly folder?: RunFolder;
  readonly checkpoint?: Checkpoint;
}

/**
 * Runs the configured training; throws `UserError` for anything a user can fix (unknown names,
 * unreadable files, a loss that diverges, an interrupt).
 */
export const runTraining = async (input: RunConfig, options: RunTrainingOptions = {}): Promise<RunResult> => {
  const config = orThrow<RunConfig>('bad-config', '')(decodeWith(RunConfig, input));
  // Resolve every name before touching the disk, so a typo leaves no folder behind.
  resolveParts(config);
  return execute({ config, ...(options.out !== undefined ? { folder: openRunFolder(options.out, 'new') } : {}) }, options);
};

/**
 * Continues the unfinished run in `dir` from its last checkpoint (or from the start when it has
 * none). With the same backend, the final weights and metrics equal those of an uninterrupted run.
 */
export const resumeTraining = async (dir: string, options: Omit<RunTrainingOptions, 'out'> = {}): Promise<RunResult> => {
  const configFile = path.join(dir, 'config.json');
  if (!existsSync(configFile)) throw new UserError('bad-argument', `--resume: ${dir} holds no run (no config.json).`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(configFile, 'utf8'));
  } catch {
    throw new UserError('bad-file', `--resume: ${configFile} is not valid JSON.`);
  }
  const config = orThrow<RunConfig>('bad-config', `${configFile}: `)(decodeWith(RunConfig, json));
  resolveParts(config);
  const folder = openRunFolder(dir, 'resume');
  try {
    const file = path.join(dir, CHECKPOINT_FILE);
    const checkpoint = existsSync(file) ? orThrow<Checkpoint>('bad-file', `${file}: `)(decodeCheckpoint(readFileSync(file))) : undefined;
    return await execute({ config, folder, ...(checkpoint !== undefined ? { checkpoint } : {}) }, options);
  } catch (e) {
    folder.close();
    throw e;
  }
};

/** The parts of the step that `config` sets, among `parts`. */
const setParts = (config: RunConfig, parts: ReadonlyArray<'sam' | 'absgd' | 'bbn' | 'ot' | 'classWeights' | 'classWeightRamp' | 'transforms'>): string[] =>
  parts.filter((k) => (k === 'transforms' ? config.transforms.length > 0 : config[k] !== null));

/** Strategies that replace the same part of the step cannot be combined; a UserError names them. */
const checkCombinations = (config: RunConfig): void => {
  // SAM evaluates the loss twice per step, and every evaluation would advance ABSGD's normaliser.
  if (config.absgd !== null && config.sam !== null) {
    throw new UserError('bad-config', 'absgd and sam cannot be combined (SAM reduces the loss twice per step, ABSGD once).');
  }
  // Two class-weight schedules would multiply into a third that neither names.
  if (config.classWeights !== null && config.classWeightRamp !== null) {
    throw new UserError('bad-config', 'classWeights and classWeightRamp both set class weights; keep one (DRW switches them on, the ramp blends them in).');
  }
  if (config.classWeightRamp !== null && config.classWeightRamp.endEpoch < config.classWeightRamp.startEpoch) {
    const { startEpoch, endEpoch } = config.classWeightRamp;
    throw new UserError('bad-config', `classWeightRamp.endEpoch (${endEpoch}) is before classWeightRamp.startEpoch (${startEpoch}).`);
  }
  // OT re-weighting brings its own sample weights and its own step (with the meta set's loss).
  const withOt = config.ot === null ? [] : setParts(config, ['sam', 'absgd', 'bbn', 'classWeights', 'classWeightRamp', 'transforms']);
  if (withOt.length > 0) throw new UserError('bad-config', `ot cannot be combined with ${withOt.join(', ')} (OT re-weighting sets the sample weights with its own step).`);
  // BBN's pair step: no second loss evaluation, no per-sample weights, no mixed targets.
  const withBbn = config.bbn === null ? [] : setParts(config, ['sam', 'absgd', 'classWeights', 'classWeightRamp', 'transforms']);
  if (withBbn.length > 0) throw new UserError('bad-config', `bbn cannot be combined with ${withBbn.join(', ')} (BBN trains pairs of batches with its own step).`);
  // DBN-Mix: its own pair step and its own (bilateral mixup) operator.
  const withDbnMix = config.dbnMix === null ? [] : [...setParts(config, ['sam', 'absgd', 'bbn', 'classWeights', 'classWeightRamp', 'transforms']), ...(config.ot !== null ? ['ot'] : [])];
  if (withDbnMix.length > 0) throw new UserError('bad-config', `dbnMix cannot be combined with ${withDbnMix.join(', ')} (DBN-Mix trains mixed pairs of batches with its own step).`);
  // AutoBalance's search: its own step, and the loss whose parameters it learns.
  if (config.autobalance !== null) {
    const withAutoBalance = [...setParts(config, ['sam', 'absgd', 'bbn', 'ot', 'classWeights', 'classWeightRamp', 'transforms']), ...(config.dbnMix !== null ? ['dbnMix'] : [])];
    if (withAutoBalance.length > 0) {
      throw new UserError('bad-config', `autobalance cannot be combined with ${withAutoBalance.join(', ')} (the AutoBalance search trains with its own step).`);
    }
    if (config.loss !== 'autobalance') throw new UserError('bad-config', `autobalance searches the parameters of the 'autobalance' loss; the run's loss is '${config.loss}'.`);
    if (config.head !== 'linear') throw new UserError('bad-config', `autobalance's hypergradient goes through a linear classifier; the run's head is '${config.head}'.`);
  }
  if (config.stage2 !== null) checkStage2(config, config.stage2);
  checkPipelineMode(config.pipeline, [...config.transforms, ...(config.stage2?.transforms ?? [])]);
  if (config.calibration?.method === 'tau-norm' && config.head !== 'linear') {
    throw new UserError('bad-config', `calibration 'tau-norm' needs a linear classifier; this run has a ${config.head} head.`);
  }
};

/**
 * A second stage trains one-branch batches with the plain step (the stage-1 strategies stop at the
 * boundary); what it cannot follow or do is refused here, before the run touches the disk.
 */
const checkStage2 = (config: RunConfig, stage2: Stage2Config): void => {
  // BBN's bilateral model trains on pairs only, and its cumulative learning already ends on the re-balancing branch.
  if (config.bbn !== null) throw new UserError('bad-config', 'stage2 cannot follow bbn (BBN trains pairs of batches with its own step, and its cumulative learning already ends re-balanced).');
  if (config.dbnMix !== null) throw new UserError('bad-config', 'stage2 cannot follow dbnMix (its two-branch model trains on pairs of batches with its own step).');
  if (config.autobalance !== null) throw new UserError('bad-config', 'stage2 cannot follow autobalance (the search phase trains on its own split; retrain with the found values in a new run).');
  if (stage2.retrain === 'classifier' && stage2.batchNorm === 'training') {
    throw new UserError('bad-config', "stage2.batchNorm 'training' needs stage2.retrain 'all' (a frozen backbone runs in inference mode).");
  }
  if (config.head === 'prototypes' && (stage2.retrain === 'classifier' || stage2.reinitClassifier)) {
    throw new UserError('bad-config', "head 'prototypes' has no classifier to re-train or re-initialise in stage 2 (the anchored prototypes are fixed).");
  }
  try {
    checkTransforms({ ...config, transforms: stage2.transforms });
  } catch (e) {
    throw e instanceof UserError ? new UserError(e.kind, `stage2.${e.message}`, e.exitCode) : e;
  }
};

const resolveParts = (config: RunConfig) => {
  checkCombinations(config);
  const loss = losses.get(config.loss);
  checkTransforms(config);
  const modelEntry = models.get(config.model);
  if ((config.bbn !== null || config.dbnMix !== null) && modelEntry.bilateral !== true) {
    const bilateral = models.list().filter((m) => m.bilateral === true).map((m) => m.name);
    throw new UserError('bad-config', `${config.bbn !== null ? 'bbn' : 'dbnMix'} needs a bilateral model (${bilateral.join(', ')}); '${config.model}' has one branch.`);
  }
  // The anchored head replaces the model's forward pass, which would drop a bilateral or noise-routed one.
  if (config.head === 'prototypes' && (modelEntry.bilateral === true || modelEntry.noiseRouted === true)) {
    throw new UserError('bad-config', `head 'prototypes' wraps a one-branch model's forward pass; '${config.model}' has its own (${modelEntry.bilateral === true ? 'bilateral' : 'DAR-BN routing'}).`);
  }
  // Every sampler name (the stages' pipelines are built from them later, by `buildPipeline`).
  for (const name of [config.sampler, config.deferredResampling?.sampler, config.bbn?.rebalancingSampler, config.dbnMix?.rebalancingSampler, config.stage2?.sampler]) {
    if (name !== undefined) samplers.get(name);
  }
  return {
    datasetEntry: datasets.get(config.dataset),
    modelEntry,
    loss,
    lossConfig: orThrow<unknown>('bad-config', '')(decodeWith(loss.configCodec, { ...loss.defaults, ...config.lossConfig }, 'lossConfig')),
  };
};

/**
 * BBN's pair step for `fit`: `bbnStep` with α = 1 − (e/T_max)² at 0-based epoch e. Evaluation needs
 * nothing of its own: a bilateral model's `forward` is BBN's test-time rule (both branches on the
 * image, α = 0.5 with the factor 2, the official `valid_model`).
 */
const bbnFit = (bbn: NonNullable<RunConfig['bbn']>, epochs: number, rebalancingSampler: Sampler): BilateralFit => {
  const alpha = cumulativeLearningAlpha({ epochs, ...(bbn.divisorEpoch !== null ? { divisorEpoch: bbn.divisorEpoch } : {}) });
  return { rebalancingSampler, step: (state, pair, lr, epoch) => bbnStep(state, pair, lr, alpha(epoch)) };
};

/** The model stage 2 trains: a view of `model` with the classifier (or every variable) trainable in inference mode, or the model itself. */
const stage2Model = (model: Model, stage2: Stage2Config): Model =>
  stage2.retrain === 'classifier' ? freezeBackbone(model) : stage2.batchNorm === 'inference' ? freezeBackbone(model, [...model.variables.trainable.keys()]) : model;

/** One stage of a run: `fit`'s options besides the run-wide ones, its batch pipeline as data, where its epochs start, and its mark in the log. */
interface StagePlan {
  readonly fit: Omit<FitOptions, 'dataset' | 'batchSize' | 'maxStepsPerEpoch' | 'onNonFinite'>;
  /** What `fit.sampler` and `fit.transforms` were built from (`buildPipeline`), for a pipeline thread to build them again. */
  readonly plan: PipelinePlan;
  /** The run's epoch of the stage's epoch 0 (events, the log and checkpoints count the run's epochs). */
  readonly offset: number;
  /** 1 or 2 in the log of a two-stage run; absent for a one-stage run. */
  readonly stage?: 1 | 2;
}

const execute = async ({ config, folder, checkpoint }: RunPlan, options: RunTrainingOptions): Promise<RunResult> => {
  const { datasetEntry, modelEntry, loss, lossConfig } = resolveParts(config);
  const totalEpochs = config.epochs + (config.stage2?.epochs ?? 0);
  let model: Model | undefined;
  let optimizer: SgdMomentum | undefined;
  let lastGood: FitCursor | undefined;
  try {
    const loaded = await loadDataset(datasetEntry, {
      ratio: config.ratio,
      profile: config.profile,
      subsetSeed: config.subsetSeed,
      ...(config.dataDir !== null ? { dataDir: config.dataDir } : {}),
    });
    if (E.isLeft(loaded)) throw new UserError('bad-file', `${config.dataset}: ${loaded.left}.`);
    const dataset = loaded.right;
    const rng = createRng(config.seed);
    const m = createModel(modelEntry, { shape: dataset.shape, numClasses: dataset.numClasses, head: config.head }, rng.derive('model'));
    model = m;
    // A checkpoint written in stage 2 holds stage 2's optimizer and says so (`strategies.stage`).
    let stage: 1 | 2 = checkpoint?.strategies?.stage === 2 ? 2 : 1;
    if (stage === 2 && config.stage2 === null) throw new UserError('bad-file', `${CHECKPOINT_FILE}: the checkpoint is from stage 2 but the run has no stage2.`);
    const stage2View = config.stage2 === null ? undefined : stage2Model(m, config.stage2);
    const sgd = { momentum: config.momentum, weightDecay: config.weightDecay };
    let opt = createSgdMomentum(stage === 2 ? stage2View!.variables.trainable : m.variables.trainable, sgd);
    optimizer = opt;
    const history: Array<Record<string, unknown>> = [...(checkpoint?.history ?? [])];
    if (checkpoint !== undefined) orThrow<void>('bad-file', `${CHECKPOINT_FILE}: `)(restoreCheckpoint(checkpoint, m, opt));
    const absgd = config.absgd === null ? undefined : createAbsgd(config.absgd);
    if (absgd !== undefined && checkpoint !== undefined) {
      const saved = checkpoint.strategies?.absgd;
      if (saved === undefined) throw new UserError('bad-file', `${CHECKPOINT_FILE}: the run uses ABSGD but the checkpoint has no ABSGD state.`);
      absgd.restore(orThrow<AbsgdState>('bad-file', `${CHECKPOINT_FILE}: `)(decodeAbsgdState(saved)));
    }
    const ot =
      config.ot === null ? undefined : createOtReweighting(dataset.train, dataset.trainCounts, dataset, rng.derive('ot-meta'), config.ot);
    if (ot !== undefined && checkpoint !== undefined) {
      const saved = (checkpoint.strategies?.ot as { weights?: unknown } | undefined)?.weights;
      if (!Array.isArray(saved) || !saved.every((w) => typeof w === 'number' && Number.isFinite(w))) {
        throw new UserError('bad-file', `${CHECKPOINT_FILE}: the run uses OT re-weighting but the checkpoint has no valid sample weights.`);
      }
      orThrow<void>('bad-file', `${CHECKPOINT_FILE}: `)(ot.restore(saved as number[]));
    }
    // AutoBalance trains on the search-train part of the subset and keeps the rest for its validation loss.
    const autobalance =
      config.autobalance === null
        ? undefined
        : createAutoBalance(
            dataset.train,
            dataset.numClasses,
            dataset,
            (counts) => loss.prepare(lossConfig, counts) as ParametricCrossEntropyPrepared,
            rng.derive('autobalance'),
            config.autobalance,
          );
    if (autobalance !== undefined && checkpoint !== undefined) {
      const saved = orThrow<AutoBalanceState>('bad-file', `${CHECKPOINT_FILE}: `)(decodeAutoBalanceState(checkpoint.strategies?.autobalance));
      orThrow<void>('bad-file', `${CHECKPOINT_FILE}: `)(autobalance.restore(saved));
    }
    const fitDataset: LongTailDataset =
      autobalance === undefined ? dataset : { ...dataset, train: autobalance.split.train, trainCounts: autobalance.split.trainCounts };
    // The strategies' host state, saved beside the weights so a resumed run continues exactly
    // (float32 sample weights are exact as JSON numbers), and the stage whose optimizer is saved.
    const strategies = (): Record<string, unknown> | undefined => {
      if (absgd === undefined && ot === undefined && autobalance === undefined && stage === 1) return undefined;
      return {
        ...(absgd !== undefined ? { absgd: encodeAbsgdState(absgd.state()) } : {}),
        ...(ot !== undefined ? { ot: { weights: Array.from(ot.weights()) } } : {}),
        ...(autobalance !== undefined ? { autobalance: autobalance.state() } : {}),
        ...(stage === 2 ? { stage: 2 } : {}),
      };
    };
    const from = checkpoint?.cursor ?? START_CURSOR;
    lastGood = checkpoint?.cursor;
    if (checkpoint === undefined) {
      folder?.writeJson('config.json', config);
      folder?.writeJson('subset.json', {
        dataset: config.dataset,
        subsetSeed: config.subsetSeed,
        trainCounts: dataset.trainCounts,
              trainIndices: Array.from(dataset.train.indices),
        testIndices: Array.from(dataset.test.indices),
      });
    }
    folder?.rewriteLog(history);
    options.onEvent?.({ kind: 'ready', dataset, parameters: countParameters(m.variables), epochs: totalEpochs, ...(checkpoint !== undefined ? { resumedAt: from } : {}) });

    const setup = { classCounts: dataset.trainCounts, normalization: dataset, oracle: modelGradientOracle(m) };
    // An operator that queries the model must see the weights of the step just taken: pull one batch at a time.
    const prefetchFor = (plan: PipelinePlan) => (planUsesModel(plan) ? 1 : config.prefetch);
    const lr = warmupStepDecay({ base: config.lr, warmupEpochs: config.warmupEpochs, milestones: config.milestones });
    // Prototype regularisers (zero-centroid) read the classifier kernel; anchored prototypes are fixed (centroid 0).
    const kernel = config.head === 'prototypes' ? undefined : classifierKernelOf(m);
    const state = { model: m, loss: withClassifierKernel(loss, kernel), prepared: loss.prepare(lossConfig, fitDataset.trainCounts), reduction: config.reduction, optimizer: opt };
    const evaluateNow = () => evaluateSubset(m, dataset.test, dataset, config);
    const saveCheckpoint = (cursor: FitCursor) => {
      folder?.writeBinary(CHECKPOINT_FILE, encodeCheckpoint(captureCheckpoint(m, opt, cursor, history, strategies())));
      lastGood = cursor;
    };
    let last: EvaluationReport | undefined;
    let position: FitCursor = from;
    const every = options.checkpointEvery ?? 0;
    /**
     * Runs one stage through `fit` (its batches made in a pipeline thread where the config allows):
     * events, evaluation and checkpoints in the run's epochs; a UserError when aborted.
     */
    const runStage = async ({ fit: stageFit, plan, offset, stage: mark }: StagePlan): Promise<void> => {
      // Stage 1 of an AutoBalance search trains on its search-train split.
      const stageDataset = offset === 0 ? fitDataset : dataset;
      const maxSteps = config.maxStepsPerEpoch !== null ? { maxStepsPerEpoch: config.maxStepsPerEpoch } : {};
      const thread = usePipelineThread(config.pipeline, plan)
        ? startPipelineThread({
            train: stageDataset.train,
            normalization: stageDataset,
            plan,
            classCounts: setup.classCounts,
            rng: stageFit.rng,
            epochs: stageFit.epochs,
            batchSize: config.batchSize,
            threads: config.pipelineThreads === 'auto' ? autoPipelineThreads(tf.getBackend(), os.availableParallelism()) : config.pipelineThreads,
            ...maxSteps,
          })
        : undefined;
      // N threads work at once only when N batches are asked for ahead of the step.
      const threaded = thread === undefined ? {} : { epochSource: thread.epochSource, prefetch: Math.max(stageFit.prefetch ?? 2, thread.threads + 1) };
      try {
        await runStageFit({ ...stageFit, ...threaded }, stageDataset, maxSteps, offset, mark);
      } finally {
        await thread?.close();
      }
    };
    const runStageFit = async (
      stageFit: StagePlan['fit'],
      stageDataset: LongTailDataset,
      maxSteps: { maxStepsPerEpoch?: number },
      offset: number,
      mark: StagePlan['stage'],
    ): Promise<void> => {
      await lastValueFrom(
        fit({
          ...stageFit,
          dataset: stageDataset,
          batchSize: config.batchSize,
          ...maxSteps,
          ...(options.onNonFinite !== undefined ? { onNonFinite: options.onNonFinite } : {}),
        }).pipe(
          tap((raw) => {
            const event = offset === 0 ? raw : { ...raw, epoch: raw.epoch + offset };
            options.onEvent?.(event);
            if (event.kind === 'step') {
              position = { epoch: event.epoch, step: event.step + 1, totals: event.totals };
              if (every > 0 && (event.step + 1) % every === 0 && event.step + 1 < event.stepsInEpoch) saveCheckpoint(position);
              return;
            }
            const record: Record<string, unknown> = { ...event, ...(mark !== undefined ? { stage: mark } : {}) };
            // Every epoch, or the last of each stage.
            if (options.evalEveryEpoch !== false || raw.epoch === stageFit.epochs - 1) {
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
            position = { ...START_CURSOR, epoch: event.epoch + 1 };
            saveCheckpoint(position);
            folder?.appendLog(record);
          }),
          takeUntil(options.signal === undefined ? EMPTY : fromEvent(options.signal, 'abort')),
        ),
        { defaultValue: undefined },
      );
      if (options.signal?.aborted === true) {
        saveCheckpoint(position);
        const where = `epoch ${position.epoch + 1}, step ${position.step}`;
        const how = folder === undefined ? '' : ` A checkpoint is saved; continue with: tailstream train --resume ${folder.dir}`;
        throw new UserError('interrupted', `Interrupted at ${where} of ${totalEpochs} epochs.${how}`, 130);
      }
    };

    if (stage === 1) {
      // The step: SAM, ABSGD or OT's (checkCombinations keeps them apart), routed through DAR-BN for a noise-routed model.
      const inner: StepFunction | undefined =
        config.sam !== null ? samStepFunction(samRhoSchedule(config.sam)) : absgd !== undefined ? absgdStepFunction(absgd) : ot !== undefined ? ot.step : autobalance?.step;
      const step = modelEntry.noiseRouted === true ? noiseRoutedStepFunction(inner) : inner;
      const plan = stage1Plan(config, dataset);
      const { sampler, transforms, rebalancingSampler } = buildPipeline(plan, setup);
      await runStage({
        offset: 0,
        plan,
        ...(config.stage2 !== null ? { stage: 1 as const } : {}),
        fit: {
          state,
          sampler,
          transforms,
          epochs: config.epochs,
          lr,
          rng: rng.derive('train'),
          prefetch: prefetchFor(plan),
          from,
          ...(step !== undefined ? { step } : {}),
          ...(config.bbn !== null && rebalancingSampler !== undefined ? { bilateral: bbnFit(config.bbn, config.epochs, rebalancingSampler) } : {}),
          ...(config.dbnMix !== null && rebalancingSampler !== undefined ? { bilateral: { rebalancingSampler, step: (state, pair, lr) => dbnMixStep(state, pair, lr) } } : {}),
          ...(config.classWeights !== null ? { classWeights: deferredReweighting(dataset.trainCounts, config.classWeights) } : {}),
          ...(config.classWeightRamp !== null ? { classWeights: rampedReweighting(dataset.trainCounts, config.classWeightRamp) } : {}),
        },
      });
    }
    if (config.stage2 !== null && stage2View !== undefined) {
      const s2 = config.stage2;
      if (stage === 1) {
        // The boundary, redone the same way on a resume from the last stage-1 checkpoint: a fresh optimizer
        // on stage 2's variables, and (cRT) a fresh classifier from the run seed.
        if (s2.reinitClassifier) reinitializeClassifier(m, rng.derive('stage2', 'classifier'));
        const next = createSgdMomentum(stage2View.variables.trainable, sgd);
        opt.dispose();
        opt = next;
        optimizer = next;
        stage = 2;
      }
      // A DAR-BN model trained whole in training mode still routes its pure-noise samples.
      const routed = modelEntry.noiseRouted === true && stage2View === m;
      const plan = stage2Plan(config, s2, dataset);
      const { sampler, transforms } = buildPipeline(plan, setup);
      await runStage({
        offset: config.epochs,
        plan,
        stage: 2,
        fit: {
          state: { ...state, model: stage2View, optimizer: opt },
          sampler,
          transforms,
          epochs: s2.epochs,
          lr: warmupStepDecay({ base: s2.lr, warmupEpochs: s2.warmupEpochs, milestones: s2.milestones }),
          rng: rng.derive('stage2'),
          prefetch: prefetchFor(plan),
          from: from.epoch >= config.epochs ? { ...from, epoch: from.epoch - config.epochs } : START_CURSOR,
          ...(routed ? { step: noiseRoutedStepFunction() } : {}),
        },
      });
    }
    const report = last ?? evaluateNow();
    if (autobalance !== undefined && config.autobalance !== null) {
      const found = autobalance.state();
      const prepared = autobalance.prepared();
      const groupSize = config.autobalance.groupSize;
      const perClass = (values: readonly number[]) => perClassParameters(values, autobalance.split.trainCounts, groupSize);
      folder?.writeJson(AUTOBALANCE_FILE, {
        parametrisation: prepared.parametrisation,
        // Per class, interpolated between group centres (retraining.py's interp1d); per group as searched.
        dy: perClass(found.dy),
        ly: perClass(found.ly),
        groups: { groupOf: Array.from(autobalance.groupOf), dy: found.dy, ly: found.ly },
        hyperSteps: found.hyperSteps,
        // For the retraining phase: the `autobalance` loss with these values fixed.
        retrainLossConfig: { ...config.lossConfig, parametrisation: prepared.parametrisation, values: { dy: perClass(found.dy), ly: perClass(found.ly) } },
        searchTrainCounts: autobalance.split.trainCounts,
        valCounts: autobalance.split.valCounts,
        valIndices: Array.from(autobalance.split.val.indices),
      });
    }
    const calibrated = config.calibration === null ? undefined : calibrateModel(config, dataset, m, rng, config.calibration);
    folder?.writeJson('metrics.json', metricsDocument(config, dataset, report));
    if (calibrated !== undefined) folder?.writeJson(`metrics-${calibrated.method}.json`, calibratedMetricsDocument(metricsDocument(config, dataset, calibrated.report), calibrated));
    folder?.setStatus('complete');
    return {
      config,
      report,
      trainCounts: dataset.trainCounts,
      history,
      ...(calibrated !== undefined ? { calibrated } : {}),
      ...(folder !== undefined ? { out: folder.dir } : {}),
    };
  } catch (e) {
    let error = e;
    if (e instanceof UserError && e.kind === 'numeric' && folder !== undefined) {
      const kept =
        lastGood === undefined
          ? 'No checkpoint was written before it.'
          : `The last good checkpoint (epoch ${lastGood.epoch + 1}, step ${lastGood.step}) is kept in ${folder.dir}.`;
      error = new UserError('numeric', `${e.message} ${kept} Lower --lr, or pass --on-nan skip-batch to skip such batches.`, e.exitCode);
    }
    folder?.setStatus(error instanceof UserError && error.kind === 'interrupted' ? 'interrupted' : 'failed', {
      error: error instanceof Error ? error.message : String(error),
    });
    throw error;
  } finally {
    optimizer?.dispose();
    model?.dispose();
    folder?.close();
  }
};
