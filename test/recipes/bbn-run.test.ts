import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { applyRecipe, DEFAULT_RUN_CONFIG, recipes, resumeTraining, runTraining, type RunConfig } from '../../src/recipes/index.js';
import { decodeCheckpoint } from '../../src/train/checkpoint.js';

/** The bbn recipe on MNIST-LT (ρ 100): two epochs of 12 steps of 32 (α = 1, then 1 − (1/2)² = 0.75). */
const bbnRun: RunConfig = applyRecipe({ ...DEFAULT_RUN_CONFIG, epochs: 2, batchSize: 32, maxStepsPerEpoch: 12, evalBatchSize: 500 }, recipes.get('bbn'));

const tensorsIn = (dir: string) => {
  const c = decodeCheckpoint(readFileSync(path.join(dir, 'checkpoint.bin')));
  if (E.isLeft(c)) throw new Error(c.left);
  return c.right.tensors;
};
const mean = (xs: readonly number[]) => xs.reduce((a, b) => a + b, 0) / xs.length;

describe('BBN in runs', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('trains the bilateral model on instance + reversed pairs (loss falls, balanced accuracy well above chance) and resumes exactly', async () => {
    expect(bbnRun.model).toBe('bbn-small-cnn');
    expect(bbnRun.bbn).toEqual({ rebalancingSampler: 'reversed', divisorEpoch: null });
    const dir = mkdtempSync(path.join(tmpdir(), 'ts-bbn-'));
    const losses: number[] = [];
    const reference = await runTraining(bbnRun, { out: path.join(dir, 'reference'), onEvent: (e) => e.kind === 'step' && losses.push(e.result.loss) });
    expect(losses).toHaveLength(24);
    // Epoch 0 (α = 1): the loss of the last four steps is below that of the first four.
    expect(mean(losses.slice(8, 12))).toBeLessThan(mean(losses.slice(0, 4)));
    // Chance is 0.1 on ten classes.
    expect(reference.report.balancedAccuracy).toBeGreaterThan(0.25);

    const controller = new AbortController();
    const out = path.join(dir, 'cut');
    await expect(
      runTraining(bbnRun, { out, signal: controller.signal, onEvent: (e) => e.kind === 'step' && e.epoch === 1 && e.step === 4 && controller.abort() }),
    ).rejects.toThrow(`Interrupted at epoch 2, step 5 of 2 epochs.`);
    const resumed = await resumeTraining(out);
    expect(resumed.history).toEqual(reference.history);
    expect(tensorsIn(out)).toEqual(tensorsIn(path.join(dir, 'reference')));
    expect(readFileSync(path.join(out, 'metrics.json'), 'utf8')).toBe(readFileSync(path.join(dir, 'reference', 'metrics.json'), 'utf8'));
  });

  it('is not ordinary training: the same model without bbn ends elsewhere', async () => {
    const one = { ...bbnRun, epochs: 1, maxStepsPerEpoch: 4 };
    const a = await runTraining(one, { evalEveryEpoch: false });
    const b = await runTraining({ ...one, bbn: null }, { evalEveryEpoch: false });
    expect(a.history[0]!.trainLoss).not.toBe(b.history[0]!.trainLoss);
  });

  it('refuses a one-branch model and combinations it cannot train, before creating the run folder', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'ts-bbn-bad-')), 'run');
    await expect(runTraining({ ...bbnRun, model: 'small-cnn' }, { out })).rejects.toThrow(
      "bbn needs a bilateral model (bbn-small-cnn, bbn-resnet32); 'small-cnn' has one branch.",
    );
    await expect(runTraining({ ...bbnRun, sam: { rho: 0.1, startEpoch: 0 }, classWeights: { beta: 0.99, fromEpoch: 1 } }, { out })).rejects.toThrow(
      'bbn cannot be combined with sam, classWeights (BBN trains pairs of batches with its own step).',
    );
    await expect(runTraining({ ...bbnRun, bbn: { rebalancingSampler: 'reversd', divisorEpoch: null } }, { out })).rejects.toThrow(/Unknown sampler 'reversd'/);
    expect(existsSync(out)).toBe(false);
  });
});
