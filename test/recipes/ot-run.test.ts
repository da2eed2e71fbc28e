import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { applyRecipe, DEFAULT_RUN_CONFIG, recipes, resumeTraining, runTraining, type RunConfig } from '../../src/recipes/index.js';
import { decodeCheckpoint } from '../../src/train/checkpoint.js';
import { classBalancedWeights } from '../../src/losses/class-balanced.js';

/** The ot-reweight recipe on MNIST-LT (ρ 100): two epochs of 8 steps of 32. */
const otRun: RunConfig = applyRecipe({ ...DEFAULT_RUN_CONFIG, epochs: 2, batchSize: 32, maxStepsPerEpoch: 8, evalBatchSize: 500 }, recipes.get('ot-reweight'));

const checkpointIn = (dir: string) => {
  const c = decodeCheckpoint(readFileSync(path.join(dir, 'checkpoint.bin')));
  if (E.isLeft(c)) throw new Error(c.left);
  return c.right;
};

describe('OT re-weighting in runs', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('moves the sample weights of the batches it sees, trains above chance, and resumes exactly from a mid-epoch checkpoint', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ts-ot-'));
    const reference = await runTraining(otRun, { out: path.join(dir, 'reference') });
    expect(reference.report.balancedAccuracy).toBeGreaterThan(0.2);
    const ref = checkpointIn(path.join(dir, 'reference'));
    const weights = (ref.strategies?.ot as { weights: number[] }).weights;
    // Initial weights: each sample's class-balanced weight; 16 batches of 32 moved at most 512 of them.
    const subset = JSON.parse(readFileSync(path.join(dir, 'reference', 'subset.json'), 'utf8')) as { trainCounts: number[]; trainIndices: number[] };
    expect(weights).toHaveLength(subset.trainIndices.length);
    const perClass = classBalancedWeights(subset.trainCounts, 0.9999);
    const classOf = subset.trainCounts.flatMap((n, k) => new Array<number>(n).fill(k));
    const moved = weights.filter((w, p) => Math.abs(w - Math.fround(perClass[classOf[p]!]!)) > 1e-9).length;
    expect(moved).toBeGreaterThan(100);
    expect(moved).toBeLessThanOrEqual(512);

    const controller = new AbortController();
    const out = path.join(dir, 'cut');
    await expect(
      runTraining(otRun, { out, signal: controller.signal, onEvent: (e) => e.kind === 'step' && e.epoch === 1 && e.step === 2 && controller.abort() }),
    ).rejects.toThrow('Interrupted at epoch 2, step 3 of 2 epochs.');
    const resumed = await resumeTraining(out);
    expect(resumed.history).toEqual(reference.history);
    expect(checkpointIn(out).tensors).toEqual(ref.tensors);
    expect(checkpointIn(out).strategies).toEqual(ref.strategies);
    expect(readFileSync(path.join(out, 'metrics.json'), 'utf8')).toBe(readFileSync(path.join(dir, 'reference', 'metrics.json'), 'utf8'));
  });

  it('refuses what it cannot be combined with', async () => {
    await expect(runTraining({ ...otRun, classWeights: { beta: 0.99, fromEpoch: 0 } })).rejects.toThrow(
      'ot cannot be combined with classWeights (OT re-weighting sets the sample weights with its own step).',
    );
  });
});
