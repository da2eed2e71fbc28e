/**
 * Post-hoc calibration of a trained model in memory: what both `calibrateRun` (a finished run folder)
 * and a run's own final step (`RunConfig.calibration`, the `marc` recipe) do, so the two give the same
 * numbers for the same weights and seed.
 *
 * Methods: `logit-adjust` (z − τ·log π; Menon et al., ICLR 2021), `tau-norm` (w_j/‖w_j‖^τ with the bias
 * dropped; Kang et al., ICLR 2020), `marc` (ω, β fitted on the training split's logits with the official
 * objective and schedule, `fitMarc`; Wang et al., ACML 2022). τ-normalisation needs a linear classifier;
 * for a cosine head MARC uses ‖w_j‖ = 1 (its weights are normalised).
 *
 * @see calibrateRun, posthocAdjustLogits, tauNormalizedLogits, fitMarc
 */
import { UserError } from '../core/errors.js';
import type { Rng } from '../core/rng.js';
import type { LongTailDataset } from '../data/datasets.js';
import type { Model } from '../models/model.js';
import { predictOutputs } from '../train/predict-outputs.js';
import { classifierVariableNames } from '../train/classifier-retraining.js';
import { evaluate, type EvaluationReport } from '../eval/evaluate.js';
import { argmaxRows, columnNorms, softmaxRows } from '../eval/calibration/host-matrix.js';
import { posthocAdjustLogits } from '../eval/calibration/posthoc-logit-adjustment.js';
import { tauNormalizedLogits } from '../eval/calibration/tau-normalization.js';
import { fitMarc, marcLogits, type MarcOptions } from '../eval/calibration/marc.js';
import type { RunConfig } from './run-config.js';

/** The post-hoc calibrators a run can be re-evaluated with. */
export const CALIBRATION_METHODS = ['logit-adjust', 'tau-norm', 'marc'] as const;
/** A post-hoc calibrator's name. */
export type CalibrationMethod = (typeof CALIBRATION_METHODS)[number];

/** Which calibrator, and its settings. */
export interface CalibrateModelOptions {
  readonly method: CalibrationMethod;
  /** τ of logit adjustment and τ-normalisation (default 1). */
  readonly tau?: number;
  /** Overrides of MARC's fitting settings (`MARC_DEFAULTS`). */
  readonly marc?: Partial<MarcOptions>;
}

/** The calibrated evaluation and what was fitted or chosen (τ, or MARC's ω, β and final loss). */
export interface CalibratedModel {
  readonly method: CalibrationMethod;
  readonly report: EvaluationReport;
  readonly parameters: Record<string, unknown>;
}

/**
 * Calibrates `model` (trained with `config` on `dataset`) and evaluates it on the test split. `rng` is
 * the run's root Rng (`createRng(config.seed)`); MARC draws its mini-batches from `rng.derive('marc')`.
 * @throws UserError for τ-normalisation of a model without a linear classifier
 */
export const calibrateModel = (config: RunConfig, dataset: LongTailDataset, model: Model, rng: Rng, options: CalibrateModelOptions): CalibratedModel => {
  const c = dataset.numClasses;
  const test = predictOutputs(model, dataset.test, dataset, config.evalBatchSize);
  const kernel = () => model.variables.trainable.get(classifierVariableNames(model).find((n) => n.endsWith('/kernel'))!)!.dataSync();
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
  return { method: options.method, report, parameters };
};

/** The `metrics-<method>.json` document: the run's metrics document of the calibrated report, with what was fitted. */
export const calibratedMetricsDocument = (metrics: Record<string, unknown>, calibrated: Pick<CalibratedModel, 'method' | 'parameters'>) => ({
  ...metrics,
  calibration: { method: calibrated.method, ...calibrated.parameters },
});
