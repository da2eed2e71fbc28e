import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { applyRecipe, DEFAULT_RUN_CONFIG, recipes, resumeTraining, runTraining, type RunConfig } from '../../src/recipes/index.js';
import { decodeCheckpoint } from '../../src/train/checkpoint.js';

/** The dbn-mix recipe on MNIST-LT (ρ 100): two epochs of 10 steps of 32. */
const dbnRun: RunConfig = applyRecipe({ ...DEFAULT_RUN_CONFIG, epochs: 2, batchSize: 32, maxStepsPerEpoch: 10, evalBatchSize: 500 }, recipes.get('dbn-mix'));

const tensorsIn = (dir: string) => {
  const c = decodeCheckpoint(readFileSync(path.join(dir, 'checkpoint.bin')));
  if (E.isLeft(c)) throw new Error(c.left);
  return c.right.tensors;
};

describe('DBN-Mix in runs', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('trains on bilateral-mixup pairs above chance, and an interrupted run resumes exactly', async () => {
    expect(dbnRun.dbnMix).toEqual({ rebalancingSampler: 'class-balanced', alpha: 1, clampLambda: true });
    const dir = mkdtempSync(path.join(tmpdir(), 'ts-dbn-'));
    const reference = await runTraining(dbnRun, { out: path.join(dir, 'reference') });
    // Chance is 0.1 on ten classes; 0.25 was measured at this budget.
    expect(reference.report.balancedAccuracy).toBeGreaterThan(0.18);
    const controller = new AbortController();
    const out = path.join(dir, 'cut');
    await expect(
      runTraining(dbnRun, { out, signal: controller.signal, onEvent: (e) => e.kind === 'step' && e.epoch === 1 && e.step === 3 && controller.abort() }),
    ).rejects.toThrow('Interrupted at epoch 2, step 4 of 2 epochs.');
    const resumed = await resumeTraining(out);
    expect(resumed.history).toEqual(reference.history);
    expect(tensorsIn(out)).toEqual(tensorsIn(path.join(dir, 'reference')));
  });

  it('is not BBN: the same pairs with BBN’s step end elsewhere', async () => {
    const one = { ...dbnRun, epochs: 1, maxStepsPerEpoch: 3 };
    const a = await runTraining(one, { evalEveryEpoch: false });
    const b = await runTraining({ ...one, loss: 'ce', lossConfig: {}, dbnMix: null, bbn: { rebalancingSampler: 'class-balanced', divisorEpoch: null } }, { evalEveryEpoch: false });
    expect(a.history[0]!.trainLoss).not.toBe(b.history[0]!.trainLoss);
  });

  it('refuses a one-branch model and other operators or strategies, before creating the run folder', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'ts-dbn-bad-')), 'run');
    await expect(runTraining({ ...dbnRun, model: 'small-cnn' }, { out })).rejects.toThrow(
      "dbnMix needs a bilateral model (bbn-small-cnn, bbn-resnet32); 'small-cnn' has one branch.",
    );
    await expect(runTraining({ ...dbnRun, transforms: [{ name: 'mixup', config: {} }] }, { out })).rejects.toThrow(
      'dbnMix cannot be combined with transforms (DBN-Mix trains mixed pairs of batches with its own step).',
    );
    expect(existsSync(out)).toBe(false);
  });
});
