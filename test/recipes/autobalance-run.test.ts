import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { applyRecipe, AUTOBALANCE_FILE, DEFAULT_RUN_CONFIG, recipes, resumeTraining, runTraining, type RunConfig } from '../../src/recipes/index.js';
import { decodeCheckpoint } from '../../src/train/checkpoint.js';
import { decodeWith } from '../../src/config/report.js';
import { losses } from '../../src/losses/registry.js';

/** The autobalance recipe on MNIST-LT (ρ 100): two epochs of 8 steps of 32, a hyper-step every second step from the start. */
const recipeConfig = applyRecipe({ ...DEFAULT_RUN_CONFIG, epochs: 2, batchSize: 32, maxStepsPerEpoch: 8, evalBatchSize: 500 }, recipes.get('autobalance'));
const abRun: RunConfig = { ...recipeConfig, autobalance: { ...recipeConfig.autobalance!, interval: 2, startEpoch: 0, valBatchSize: 64, hyperLr: 0.1 } };

const checkpointIn = (dir: string) => {
  const c = decodeCheckpoint(readFileSync(path.join(dir, 'checkpoint.bin')));
  if (E.isLeft(c)) throw new Error(c.left);
  return c.right;
};

interface Found {
  dy: number[];
  ly: number[];
  hyperSteps: number;
  searchTrainCounts: number[];
  valCounts: number[];
  valIndices: number[];
  retrainLossConfig: Record<string, unknown>;
}

describe('AutoBalance in runs', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('sets the search phase, starting hyper-steps at 40% of the epochs', () => {
    const c = applyRecipe(DEFAULT_RUN_CONFIG, recipes.get('autobalance'), { epochs: 300 });
    expect(c.loss).toBe('autobalance');
    expect(c.autobalance).toMatchObject({ valFraction: 0.2, interval: 20, startEpoch: 120, hyperLr: 0.01 });
  });

  it('holds out a validation split, moves (dy, ly), and resumes exactly from a mid-epoch checkpoint', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ts-ab-'));
    const reference = await runTraining(abRun, { out: path.join(dir, 'reference') });
    expect(reference.report.balancedAccuracy).toBeGreaterThan(0.2);
    const found = JSON.parse(readFileSync(path.join(dir, 'reference', AUTOBALANCE_FILE), 'utf8')) as Found;
    // 16 steps, a hyper-step on every second one.
    expect(found.hyperSteps).toBe(8);
    // The split: ⌈0.2·n_c⌉ per class held out, the rest trained on; the validation images are in the subset.
    const subset = JSON.parse(readFileSync(path.join(dir, 'reference', 'subset.json'), 'utf8')) as { trainCounts: number[]; trainIndices: number[] };
    expect(found.valCounts).toEqual(subset.trainCounts.map((n) => (n < 2 ? 0 : Math.min(n - 1, Math.ceil(0.2 * n - 1e-9)))));
    expect(found.searchTrainCounts.map((n, c) => n + found.valCounts[c]!)).toEqual(subset.trainCounts);
    const inSubset = new Set(subset.trainIndices);
    expect(found.valIndices.every((i) => inSubset.has(i))).toBe(true);
    // The parameters moved from dy = 1, ly = 0, and the offsets differ between classes.
    expect(found.dy).toHaveLength(10);
    expect(Math.max(...found.dy.map((d) => Math.abs(d - 1)))).toBeGreaterThan(1e-3);
    expect(Math.max(...found.ly) - Math.min(...found.ly)).toBeGreaterThan(1e-3);
    // The retraining phase is a second run of the `autobalance` loss with the found values fixed.
    const loss = losses.get('autobalance');
    const decoded = decodeWith(loss.configCodec, { ...loss.defaults, ...found.retrainLossConfig });
    if (E.isLeft(decoded)) throw new Error(decoded.left);
    expect(loss.prepare(decoded.right, subset.trainCounts)).toMatchObject({ dy: found.dy, ly: found.ly });
    const retrain = await runTraining(
      { ...DEFAULT_RUN_CONFIG, epochs: 1, batchSize: 32, maxStepsPerEpoch: 2, evalBatchSize: 500, loss: 'autobalance', lossConfig: found.retrainLossConfig },
      { evalEveryEpoch: false },
    );
    expect(retrain.report.perClass).toHaveLength(10);
    const ref = checkpointIn(path.join(dir, 'reference'));
    expect((ref.strategies?.autobalance as { steps: number }).steps).toBe(16);

    const controller = new AbortController();
    const out = path.join(dir, 'cut');
    await expect(
      runTraining(abRun, { out, signal: controller.signal, onEvent: (e) => e.kind === 'step' && e.epoch === 1 && e.step === 2 && controller.abort() }),
    ).rejects.toThrow('Interrupted at epoch 2, step 3 of 2 epochs.');
    const resumed = await resumeTraining(out);
    expect(resumed.history).toEqual(reference.history);
    expect(checkpointIn(out).tensors).toEqual(ref.tensors);
    expect(checkpointIn(out).strategies).toEqual(ref.strategies);
    expect(readFileSync(path.join(out, 'metrics.json'), 'utf8')).toBe(readFileSync(path.join(dir, 'reference', 'metrics.json'), 'utf8'));
    expect(readFileSync(path.join(out, AUTOBALANCE_FILE), 'utf8')).toBe(readFileSync(path.join(dir, 'reference', AUTOBALANCE_FILE), 'utf8'));
  });

  it('refuses what it cannot be combined with, another loss and a non-linear head', async () => {
    await expect(runTraining({ ...abRun, classWeights: { beta: 0.99, fromEpoch: 0 } })).rejects.toThrow(
      'autobalance cannot be combined with classWeights (the AutoBalance search trains with its own step).',
    );
    await expect(runTraining({ ...abRun, sam: { rho: 0.05, startEpoch: 0 } })).rejects.toThrow('autobalance cannot be combined with sam');
    await expect(runTraining({ ...abRun, loss: 'ce' })).rejects.toThrow("autobalance searches the parameters of the 'autobalance' loss; the run's loss is 'ce'.");
    await expect(runTraining({ ...abRun, head: 'cosine' })).rejects.toThrow("autobalance's hypergradient goes through a linear classifier; the run's head is 'cosine'.");
  });
});
