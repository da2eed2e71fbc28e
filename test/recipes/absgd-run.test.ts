import { beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { applyRecipe, DEFAULT_RUN_CONFIG, recipes, resumeTraining, runTraining, type RunConfig } from '../../src/recipes/index.js';
import { decodeCheckpoint, encodeCheckpoint, type Checkpoint } from '../../src/train/checkpoint.js';

/** Two epochs of 6 steps on MNIST-LT; ABSGD weights from the first step (λ 2), λ 1 from epoch 1. */
const absgdRun: RunConfig = {
  ...DEFAULT_RUN_CONFIG,
  epochs: 2,
  ratio: 100,
  batchSize: 32,
  maxStepsPerEpoch: 6,
  evalBatchSize: 500,
  absgd: { stage1Lambda: 2, stage2Lambda: 1, switchEpoch: 1, gamma: 0.7, alpha: 0.5 },
};

const checkpointIn = (dir: string): Checkpoint => {
  const c = decodeCheckpoint(readFileSync(path.join(dir, 'checkpoint.bin')));
  if (E.isLeft(c)) throw new Error(c.left);
  return c.right;
};

/** Runs `config` into `out`, aborting after step `step` of epoch `epoch` (0-based). */
const interrupted = async (config: RunConfig, out: string, epoch: number, step: number) => {
  const controller = new AbortController();
  await expect(
    runTraining(config, { out, signal: controller.signal, onEvent: (e) => e.kind === 'step' && e.epoch === epoch && e.step === step && controller.abort() }),
  ).rejects.toThrow(/^Interrupted at /);
};

describe('ABSGD in runs', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('checkpoints its normaliser: a run interrupted mid-epoch resumes to exactly the uninterrupted weights and metrics', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ts-absgd-'));
    const reference = await runTraining(absgdRun, { out: path.join(dir, 'reference') });
    const ref = checkpointIn(path.join(dir, 'reference'));
    const logU = (ref.strategies?.absgd as { logU: number | null }).logU;
    expect(typeof logU === 'number' && Number.isFinite(logU)).toBe(true);

    for (const [epoch, step] of [
      [0, 2],
      [1, 3],
    ] as const) {
      const out = path.join(dir, `cut-${epoch}-${step}`);
      await interrupted(absgdRun, out, epoch, step);
      const saved = checkpointIn(out);
      expect(saved.cursor).toMatchObject({ epoch, step: step + 1 });
      // The state at the cut is not the start state, so losing it would change the rest of the run.
      expect((saved.strategies?.absgd as { logU: number | null }).logU).not.toBeNull();
      const resumed = await resumeTraining(out);
      expect(resumed.history).toEqual(reference.history);
      expect(checkpointIn(out).tensors).toEqual(ref.tensors);
      expect(checkpointIn(out).strategies).toEqual(ref.strategies);
      expect(readFileSync(path.join(out, 'metrics.json'), 'utf8')).toBe(readFileSync(path.join(dir, 'reference', 'metrics.json'), 'utf8'));
    }

    // A resume that starts ABSGD's normaliser afresh ends elsewhere: the saved state matters.
    const out = path.join(dir, 'reset');
    await interrupted(absgdRun, out, 1, 3);
    const saved = checkpointIn(out);
    writeFileSync(path.join(out, 'checkpoint.bin'), encodeCheckpoint({ ...saved, strategies: { absgd: { logU: null } } }));
    await resumeTraining(out);
    expect(checkpointIn(out).tensors).not.toEqual(ref.tensors);
  });

  it('changes the training (the reducer is in the step), and the recipe runs the two stages', async () => {
    const plain = await runTraining({ ...absgdRun, absgd: null, epochs: 1 }, { evalEveryEpoch: false });
    const weighted = await runTraining({ ...absgdRun, epochs: 1 }, { evalEveryEpoch: false });
    expect(weighted.history[0]!.trainLoss).not.toBe(plain.history[0]!.trainLoss);

    const c = applyRecipe(DEFAULT_RUN_CONFIG, recipes.get('absgd'), { epochs: 200 });
    expect(c.absgd).toEqual({ stage1Lambda: 200, stage2Lambda: 5, switchEpoch: 160, gamma: 0.7, alpha: 0.5 });
    expect(c.classWeights).toEqual({ beta: 0.9999, fromEpoch: 160 });
    expect(applyRecipe(DEFAULT_RUN_CONFIG, recipes.get('absgd'), { epochs: 10 }).absgd?.switchEpoch).toBe(8);
  });

  it('resumes run folders recorded before the field existed, and refuses what cannot work', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ts-absgd-old-'));
    const out = path.join(dir, 'old');
    const plain = { ...absgdRun, absgd: null, epochs: 1 };
    await interrupted(plain, out, 0, 2);
    const { absgd: _dropped, ...oldConfig } = JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8'));
    writeFileSync(path.join(out, 'config.json'), JSON.stringify(oldConfig));
    const resumed = await resumeTraining(out);
    expect(resumed.config.absgd).toBeNull();
    expect(resumed.history).toHaveLength(1);

    await expect(runTraining({ ...absgdRun, sam: { rho: 0.05, startEpoch: 0 } })).rejects.toThrow(
      'absgd and sam cannot be combined (SAM reduces the loss twice per step, ABSGD once).',
    );
    await expect(runTraining({ ...absgdRun, absgd: { ...absgdRun.absgd!, gamma: 0 } })).rejects.toThrow('absgd.gamma: expected a number in (0, 1], got 0.');

    const cut = path.join(dir, 'stateless');
    await interrupted(absgdRun, cut, 0, 2);
    const { strategies: _gone, ...withoutState } = checkpointIn(cut);
    writeFileSync(path.join(cut, 'checkpoint.bin'), encodeCheckpoint(withoutState));
    await expect(resumeTraining(cut)).rejects.toThrow('checkpoint.bin: the run uses ABSGD but the checkpoint has no ABSGD state.');
  });
});
