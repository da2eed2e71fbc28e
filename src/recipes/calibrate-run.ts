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
 * The calibration itself is `calibrateModel`, which a run with `calibration` set also calls as its final step.
 *
 * @see calibrateModel, posthocAdjustLogits, tauNormalizedLogits, fitMarc
 */
import { existsSync, readFileSync } from 'node:fs';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { UserError } from '../core/errors.js';
import { createRng } from '../core/rng.js';
import { decodeWith } from '../config/report.js';
import { datasets, loadDataset } from '../data/datasets.js';
import { models } from '../models/registry.js';
import { createModel } from '../models/create-model.js';
import { decodeCheckpoint, restoreModel } from '../train/checkpoint.js';
import { calibratedMetricsDocument, calibrateModel, CALIBRATION_METHODS, type CalibrateModelOptions, type CalibrationMethod } from './calibrate-model.js';
import type { EvaluationReport } from '../eval/evaluate.js';
import { RunConfig } from './run-config.js';
import { CHECKPOINT_FILE, metricsDocument } from './run-training.js';
import { writeFileAtomic } from './run-folder.js';

export { CALIBRATION_METHODS };
export type { CalibrationMethod };

/** Options of `calibrateRun`. */
export type CalibrateRunOptions = CalibrateModelOptions;

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
export const calibrateRun = async (dir: string, options: CalibrateRunOptions): Promise<CalibrateRunResult> => {
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
  const loaded = await loadDataset(datasets.get(config.dataset), {
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
    const { report, parameters } = calibrateModel(config, dataset, model, rng, options);
    const file = path.join(dir, `metrics-${options.method}.json`);
    writeFileAtomic(file, `${JSON.stringify(calibratedMetricsDocument(metricsDocument(config, dataset, report), { method: options.method, parameters }), null, 2)}\n`);
    return { method: options.method, report, file, parameters };
  } finally {
    model.dispose();
  }
};
