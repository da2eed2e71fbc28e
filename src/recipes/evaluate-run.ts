/**
 * Evaluates a saved run's model (its checkpoint) on a split of its own data: the library side of
 * `tailstream eval RUN`.
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
import { evaluateSubset } from './evaluate-subset.js';
import type { EvaluationReport } from '../eval/evaluate.js';
import { RunConfig } from './run-config.js';
import { CHECKPOINT_FILE, metricsDocument } from './run-training.js';
import { writeFileAtomic } from './run-folder.js';

/** Which images to evaluate on. */
export type EvalSplit = 'test' | 'train';

/** Options of `evaluateRun`. */
export interface EvaluateRunOptions {
  readonly split?: EvalSplit;
  /** A checkpoint file other than the run's own checkpoint.bin. */
  readonly checkpoint?: string;
  /** Write `eval-<split>.json` into the run folder (default true). */
  readonly write?: boolean;
}

const fail = (message: string): never => {
  throw new UserError('bad-file', message);
};

/** Rebuilds the run's data and model, loads the checkpoint and evaluates; the model is freed afterwards. */
export const evaluateRun = async (dir: string, options: EvaluateRunOptions = {}): Promise<{ config: RunConfig; report: EvaluationReport; file?: string }> => {
  const configFile = path.join(dir, 'config.json');
  if (!existsSync(configFile)) fail(`${dir} holds no run (no config.json).`);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(configFile, 'utf8'));
  } catch {
    fail(`${configFile} is not valid JSON.`);
  }
  const config = E.getOrElseW((why: string): never => fail(`${configFile}: ${why}.`))(decodeWith(RunConfig, json));
  const checkpointFile = options.checkpoint ?? path.join(dir, CHECKPOINT_FILE);
  let bytes: Uint8Array = new Uint8Array();
  try {
    bytes = readFileSync(checkpointFile);
  } catch (e) {
    fail(`cannot read ${checkpointFile} (${(e as NodeJS.ErrnoException).code ?? 'error'}).`);
  }
  const checkpoint = E.getOrElseW((why: string): never => fail(`${checkpointFile}: ${why}.`))(decodeCheckpoint(bytes));
  const loaded = await loadDataset(datasets.get(config.dataset), {
    ratio: config.ratio,
    profile: config.profile,
    subsetSeed: config.subsetSeed,
    ...(config.dataDir !== null ? { dataDir: config.dataDir } : {}),
  });
  if (E.isLeft(loaded)) fail(`${config.dataset}: ${loaded.left}.`);
  const dataset = (loaded as E.Right<import('../data/datasets.js').LongTailDataset>).right;
  const model = createModel(models.get(config.model), { shape: dataset.shape, numClasses: dataset.numClasses, head: config.head }, createRng(config.seed).derive('model'));
  try {
    E.getOrElseW((why: string): never => fail(`${checkpointFile}: ${why}.`))(restoreModel(checkpoint, model));
    const split = options.split ?? 'test';
    const report = evaluateSubset(model, split === 'test' ? dataset.test : dataset.train, dataset, config);
    if (options.write === false) return { config, report };
    const file = path.join(dir, `eval-${split}.json`);
    writeFileAtomic(file, `${JSON.stringify({ split, checkpoint: checkpointFile, ...metricsDocument(config, dataset, report) }, null, 2)}\n`);
    return { config, report, file };
  } finally {
    model.dispose();
  }
};
