/**
 * Post-hoc calibration of a finished run, as a library call (what `tailstream calibrate RUN --method …`
 * needs): rebuild the run's data and model from its folder, compute test (and, for MARC, training)
 * logits once, calibrate them, evaluate, and write `metrics-<method>.json` beside `metrics.json`.
 *
 * Methods: `logit-adjust` (z − τ·log π, τ = 1 by default; Menon et al., ICLR 2021), `tau-norm`
 * (w_j/‖w_j‖^τ with the bias dropped, τ = 1 by default — Decoupling picks τ on a validation split, which
 * a run folder does not have, so pass the τ you chose), `marc` (ω, β fitted on the training split's
 * logits with the official objective and schedule, `fitMarc`). τ-normalisation needs a linear
 * classifier; for a cosine head MARC uses ‖w_j‖ = 1 (its weights are normalised).
 *
 * @see posthocAdjustLogits, tauNormalizedLogits, fitMarc
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { UserError } from '../core/errors.js';
import { createRng } from '../core/rng.js';
import { decodeWith } from '../config/report.js';
import { datasets } from '../data/datasets.js';
import { models } from '../models/registry.js';
import { createModel } from '../models/create-model.js';
import { decodeCheckpoint, restoreModel } from '../train/checkpoint.js';
import { predictOutputs } from '../train/predict-outputs.js';
import { classifierVariableNames } from '../train/classifier-retraining.js';
import { evaluate, type EvaluationReport } from '../eval/evaluate.js';
import { argmaxRows, columnNorms, softmaxRows } from '../eval/calibration/host-matrix.js';
import { posthocAdjustLogits } from '../eval/calibration/posthoc-logit-adjustment.js';
import { tauNormalizedLogits } from '../eval/calibration/tau-normalization.js';
import { fitMarc, marcLogits, type MarcOptions } from '../eval/calibration/marc.js';
import { RunConfig } from './run-config.js';
import { CHECKPOINT_FILE, metricsDocument } from './run-training.js';
import { writeFileAtomic } from './run-folder.js';

/** The post-hoc calibrators a run can be re-evaluated with. */
export const CALIBRATION_METHODS = ['logit-adjust', 'tau-norm', 'marc'] as const;
/** A post-hoc calibrator's name. */
export type CalibrationMethod = (typeof CALIBRATION_METHODS)[number];

/** Options of `calibrateRun`. */
export interface CalibrateRunOptions {
  readonly method: CalibrationMethod;
  /** τ of logit adjustment and τ-normalisation (default 1). */
  readonly tau?: number;
  /** Overrides of MARC's fitting settings (`MARC_DEFAULTS`). */
  readonly marc?: Partial<MarcOptions>;
}

/** What `calibrateRun` wrote. */
export interface CalibrateRunResult {
  readonly method: CalibrationMethod;
  readonly report: EvaluationReport;
  /** The metrics file written. */
  readonly file: string;
  /** What was fitted or chosen (τ, or MARC's ω and β). */
  readonly parameters: Record<string, unknown>;
}

const fail = (why: string): never => {
  throw new UserError('bad-file', why);
};

/**
 * Calibrates the finished run in `dir` and writes `metrics-<method>.json`.
 * @throws UserError when the folder has no readable config or checkpoint, or the method does not fit the model
 */
export const calibrateRun = (dir: string, options: CalibrateRunOptions): CalibrateRunResult => {
  if (!(CALIBRATION_METHODS as readonly string[]).includes(options.method)) {
    throw new UserError('bad-argument', `Unknown calibration method '${options.method}'; known: ${CALIBRATION_METHODS.join(', ')}.`);
  }
  const configFile = path.join(dir, 'config.json');
  const checkpointFile = path.join(dir, CHECKPOINT_FILE);
  if (!existsSync(configFile)) fail(`calibrate: ${dir} holds no run (no config.json).`);
  if (!existsSync(checkpointFile)) fail(`calibrate: ${dir} has no ${CHECKPOINT_FILE} to calibrate.`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(configFile, 'utf8'));
  } catch {
    fail(`calibrate: ${configFile} is not valid JSON.`);
  }
  const config = E.getOrElseW((why: string): RunConfig => fail(`${configFile}: ${why}.`))(decodeWith(RunConfig, json));
  const loaded = datasets.get(config.dataset).load({
    ratio: config.ratio,
    profile: config.profile,
    subsetSeed: config.subsetSeed,
    ...(config.dataDir !== null ? { dataDir: config.dataDir } : {}),
  });
  if (E.isLeft(loaded)) throw new UserError('bad-file', `${config.dataset}: ${loaded.left}.`);
  const dataset = loaded.right;
  const checkpoint = E.getOrElseW((why: string) => fail(`${checkpointFile}: ${why}.`))(decodeCheckpoint(readFileSync(checkpointFile)));
  const rng = createRng(config.seed);
  const model = createModel(models.get(config.model), { shape: dataset.shape, numClasses: dataset.numClasses, head: config.head }, rng.derive('model'));
  try {
    E.getOrElseW((why: string) => fail(`${checkpointFile}: ${why}.`))(restoreModel(checkpoint, model));
    const c = dataset.numClasses;
    const test = predictOutputs(model, dataset.test, dataset, config.evalBatchSize);
    const kernelName = () => classifierVariableNames(model).find((n) => n.endsWith('/kernel'))!;
    const kernel = () => model.variables.trainable.get(kernelName())!.dataSync();
    let logits: Float32Array;
    let parameters: Record<string, unknown>;
    switch (options.method) {
      case 'logit-adjust': {
        const tau = options.tau ?? 1;
        logits = posthocAdjustLogits(test.logits, dataset.trainCounts, tau);
        parameters = { tau };
        break;
      }
      case 'tau-norm': {
        if (config.head !== 'linear') throw new UserError('bad-argument', `calibrate: τ-normalisation needs a linear classifier; this run has a ${config.head} head.`);
        const tau = options.tau ?? 1;
        logits = tauNormalizedLogits(test.features, kernel(), c, tau);
        parameters = { tau };
        break;
      }
      case 'marc': {
        // Cosine and anchored (unit prototype) heads have ‖w_j‖ = 1.
        const norms = config.head === 'linear' ? columnNorms(kernel(), c) : new Array<number>(c).fill(1);
        const train = predictOutputs(model, dataset.train, dataset, config.evalBatchSize);
        const fitted = fitMarc(train.logits, train.labels, norms, dataset.trainCounts, rng.derive('marc'), options.marc);
        logits = marcLogits(test.logits, norms, fitted);
        parameters = { omega: fitted.omega, beta: fitted.beta, finalLoss: fitted.finalLoss };
        break;
      }
    }
    const report = evaluate(test.labels, argmaxRows(logits, c), dataset.trainCounts, dataset.classNames, config.shotThresholds, softmaxRows(logits, c));
    const file = path.join(dir, `metrics-${options.method}.json`);
    writeFileAtomic(file, `${JSON.stringify({ ...metricsDocument(config, dataset, report), calibration: { method: options.method, ...parameters } }, null, 2)}\n`);
    return { method: options.method, report, file, parameters };
  } finally {
    model.dispose();
  }
};
