/**
 * Test helper: a small finished run folder in the real formats of `tailstream train` — config.json (a
 * RunConfig), subset.json, log.jsonl (epoch records), metrics.json (`metricsDocument` of `evaluate` with
 * probabilities) and run.json — without training anything.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { evaluate } from '../../src/eval/evaluate.js';
import { DEFAULT_RUN_CONFIG, type RunConfig } from '../../src/recipes/run-config.js';
import { metricsDocument } from '../../src/recipes/run-training.js';

export const FASHION_NAMES = ['T-shirt/top', 'Trouser', 'Pullover', 'Dress', 'Coat', 'Sandal', 'Shirt', 'Sneaker', 'Bag', 'Ankle boot'];

export interface FakeRunOptions {
  /** Written into config.json as `recipe` when given. */
  readonly recipe?: string;
  /** Scales every class's chance of a correct prediction (default 1). */
  readonly skill?: number;
  readonly epochs?: number;
  readonly testPerClass?: number;
  readonly seed?: number;
}

/** A deterministic generator (mulberry32) so fixtures are the same on every run. */
const generator = (seed: number) => () => {
  let t = (seed = (seed + 0x6d2b79f5) | 0);
  t = Math.imul(t ^ (t >>> 15), t | 1);
  t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
  return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
};

/** Writes a finished 10-class Fashion-MNIST-LT-like run (ratio 100) into `dir`; returns its metrics document. */
export const writeFakeRun = (dir: string, o: FakeRunOptions = {}) => {
  const c = 10;
  const rand = generator(o.seed ?? 1);
  const trainCounts = Array.from({ length: c }, (_, i) => Math.floor(500 * 0.01 ** (i / (c - 1))));
  const n = o.testPerClass ?? 30;
  const labels: number[] = [];
  const predicted: number[] = [];
  const probabilities: number[] = [];
  for (let y = 0; y < c; y++) {
    const pCorrect = Math.min(0.98, (o.skill ?? 1) * (0.25 + 0.7 * (Math.log(trainCounts[y]!) / Math.log(500))));
    for (let i = 0; i < n; i++) {
      const hit = rand() < pCorrect;
      const p = hit ? y : Math.floor(rand() * Math.min(3, c)); // errors go to head classes
      const pred = p === y && !hit ? (y + 1) % c : p;
      const confidence = 0.3 + 0.65 * rand();
      const row = new Array<number>(c).fill((1 - confidence) / (c - 1));
      row[pred] = confidence;
      labels.push(y);
      predicted.push(pred);
      probabilities.push(...row);
    }
  }
  const epochs = o.epochs ?? 4;
  const config: RunConfig = { ...DEFAULT_RUN_CONFIG, dataset: 'fmnist-lt', epochs, seed: o.seed ?? 1 };
  const report = evaluate(labels, predicted, trainCounts, FASHION_NAMES, config.shotThresholds, probabilities);
  const metrics = metricsDocument(config, { trainCounts }, report);
  mkdirSync(dir, { recursive: true });
  const json = (name: string, value: unknown) => writeFileSync(path.join(dir, name), `${JSON.stringify(value, null, 2)}\n`);
  json('config.json', o.recipe === undefined ? config : { ...config, recipe: o.recipe });
  json('subset.json', { dataset: config.dataset, subsetSeed: 0, trainCounts, trainIndices: [0, 1, 2], testIndices: [0, 1, 2] });
  const log = Array.from({ length: epochs }, (_, e) => {
    const f = (e + 1) / epochs;
    return {
      kind: 'epoch',
      epoch: e,
      lr: 0.02,
      trainLoss: 2.3 * (1 - 0.7 * f),
      trainAccuracy: 0.2 + 0.7 * f,
      samples: 1000,
      skippedBatches: 0,
      testAccuracy: report.overallAccuracy! * f,
      testBalancedAccuracy: report.balancedAccuracy! * f,
      testShotGroups: { many: report.shotGroups.many.accuracy! * f, medium: report.shotGroups.medium.accuracy! * f, few: report.shotGroups.few.accuracy! * f },
    };
  });
  writeFileSync(path.join(dir, 'log.jsonl'), log.map((r) => `${JSON.stringify(r)}\n`).join(''));
  json('metrics.json', metrics);
  json('run.json', { status: 'complete', started: '2025-01-01T00:00:00.000Z', updated: '2025-01-01T00:01:00.000Z', pid: 1 });
  return metrics;
};
