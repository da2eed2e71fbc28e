/**
 * Evaluates a model on a subset the way a run reports it: the single-label metrics, and for a
 * multi-label subset (images with multi-hot targets) also mAP and per-group mAP from the raw logits.
 */
import type { Subset } from '../data/labeled-images.js';
import type { LongTailDataset } from '../data/datasets.js';
import type { Model } from '../models/model.js';
import { predict } from '../train/predict.js';
import { gatherTargets } from '../streams/gather-batch.js';
import { predictOutputs } from '../train/predict-outputs.js';
import { evaluate, type EvaluationReport } from '../eval/evaluate.js';
import { evaluateMultiLabel } from '../eval/multi-label-report.js';
import type { RunConfig } from './run-config.js';

/** The multi-hot rows of a subset's samples, in subset order; undefined for single-label images. */
export const subsetTargets = (subset: Subset): Uint8Array | undefined => {
  const { source, indices } = subset;
  return source.targets === undefined
    ? undefined
    : gatherTargets(source.targets, source.numClasses, indices, Int32Array.from(indices, (_, k) => k));
};

/** The evaluation report of `model` on `subset` of `dataset`. */
export const evaluateSubset = (
  model: Model,
  subset: Subset,
  dataset: LongTailDataset,
  config: Pick<RunConfig, 'evalBatchSize' | 'shotThresholds'>,
): EvaluationReport => {
  const p = predict(model, subset, dataset, config.evalBatchSize);
  const report = evaluate(p.labels, p.predicted, dataset.trainCounts, dataset.classNames, config.shotThresholds, p.probabilities);
  const targets = subsetTargets(subset);
  if (targets === undefined) return report;
  const { logits } = predictOutputs(model, subset, dataset, config.evalBatchSize);
  return { ...report, multiLabel: evaluateMultiLabel(logits, targets, dataset.trainCounts, config.shotThresholds) };
};
