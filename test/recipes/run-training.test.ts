import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { initBackend } from '../../src/backend/index.js';
import { DEFAULT_RUN_CONFIG, resumeTraining, runTraining, type RunEvent } from '../../src/recipes/index.js';
import { decodeCheckpoint } from '../../src/train/checkpoint.js';
import type { UserError } from '../../src/core/errors.js';
import { datasets } from '../../src/data/datasets.js';
import * as E from 'fp-ts/lib/Either.js';

/** A one-epoch main job on a steeper tail, on a budget of 10 steps (the subset and test set stay whole). */
const tiny = { ...DEFAULT_RUN_CONFIG, epochs: 1, ratio: 200, batchSize: 64, maxStepsPerEpoch: 10, evalBatchSize: 500 };

describe('runTraining (the main job as a library call)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('writes config, subset, log and metrics; the same seed gives a byte-identical metrics.json', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ts-run-'));
    const events: RunEvent['kind'][] = [];
    const a = await runTraining(tiny, { out: path.join(dir, 'a'), onEvent: (e) => events.push(e.kind) });
    await runTraining(tiny, { out: path.join(dir, 'b') });
    expect(readdirSync(path.join(dir, 'a')).sort()).toEqual(['checkpoint.bin', 'config.json', 'log.jsonl', 'metrics.json', 'run.json', 'subset.json']);
    const metrics = (d: string) => readFileSync(path.join(dir, d, 'metrics.json'), 'utf8');
    expect(metrics('a')).toBe(metrics('b'));
    expect(JSON.parse(readFileSync(path.join(dir, 'a', 'run.json'), 'utf8')).status).toBe('complete');
    expect(JSON.parse(readFileSync(path.join(dir, 'a', 'config.json'), 'utf8'))).toEqual(tiny);
    const log = readFileSync(path.join(dir, 'a', 'log.jsonl'), 'utf8').trim().split('\n').map((l) => JSON.parse(l));
    expect(log).toHaveLength(1);
    expect(log[0].kind).toBe('epoch');
    expect(typeof log[0].testBalancedAccuracy).toBe('number');
    expect(events[0]).toBe('ready');
    expect(events.filter((k) => k === 'eval')).toHaveLength(1);
    expect(a.report.perClass).toHaveLength(10);

    // The subset indices rebuild the exact training set.
    const subset = JSON.parse(readFileSync(path.join(dir, 'a', 'subset.json'), 'utf8'));
    const rebuilt = datasets.get('mnist-lt').load({ ratio: 200, profile: 'exp', subsetSeed: 0 });
    expect(E.isRight(rebuilt) && Array.from(rebuilt.right.train.indices)).toEqual(subset.trainIndices);
    expect(subset.trainCounts).toEqual(a.trainCounts);
  });

  it('stops on a non-finite loss naming loss, epoch and step, keeping the last good checkpoint (exit 3)', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'ts-nan-')), 'run');
    const diverging = { ...tiny, lr: 1e8, warmupEpochs: 0 };
    const run = runTraining(diverging, { out, checkpointEvery: 2 });
    await expect(run).rejects.toThrow(
      new RegExp(`^The ce loss became NaN at epoch 1, step \\d+\\. The last good checkpoint \\(epoch 1, step \\d+\\) is kept in ${out}\\. Lower --lr, or pass --on-nan skip-batch to skip such batches\\.$`),
    );
    await run.catch((e: UserError) => expect(e.exitCode).toBe(3));
    expect(JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')).status).toBe('failed');
    const kept = decodeCheckpoint(readFileSync(path.join(out, 'checkpoint.bin')));
    expect(E.isRight(kept) && [...kept.right.tensors.values()].every((t) => t.values.every(Number.isFinite))).toBe(true);

    const skipping = await runTraining(diverging, { onNonFinite: 'skip-batch', evalEveryEpoch: false });
    expect(skipping.history[0]!.skippedBatches).toBeGreaterThan(0);
  });

  it('reports a bad config field by its path', async () => {
    await expect(runTraining({ ...tiny, lossConfig: { labelSmoothing: -1 } })).rejects.toThrow(
      'lossConfig.labelSmoothing: expected a number in [0, 1], got -1.',
    );
    await expect(runTraining({ ...tiny, momentum: 2 })).rejects.toThrow('momentum: expected a number in [0, 1], got 2.');
  });

  it('stops when aborted, checkpoints, and resumes to exactly the uninterrupted result', async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ts-abort-'));
    const two = { ...tiny, epochs: 2 };
    const reference = await runTraining(two, { out: path.join(dir, 'reference') });

    const controller = new AbortController();
    const out = path.join(dir, 'interrupted');
    const run = runTraining(two, {
      out,
      signal: controller.signal,
      onEvent: (e) => e.kind === 'step' && e.epoch === 1 && e.step === 2 && controller.abort(),
    });
    await expect(run).rejects.toThrow(`Interrupted at epoch 2, step 3 of 2 epochs. A checkpoint is saved; continue with: tailstream train --resume ${out}`);
    expect(JSON.parse(readFileSync(path.join(out, 'run.json'), 'utf8')).status).toBe('interrupted');
    expect(existsSync(path.join(out, 'metrics.json'))).toBe(false);

    const resumed = await resumeTraining(out);
    expect(resumed.history).toEqual(reference.history);
    expect(readFileSync(path.join(out, 'metrics.json'), 'utf8')).toBe(readFileSync(path.join(dir, 'reference', 'metrics.json'), 'utf8'));
    expect(readFileSync(path.join(out, 'log.jsonl'), 'utf8')).toBe(readFileSync(path.join(dir, 'reference', 'log.jsonl'), 'utf8'));
    const weights = (d: string) => {
      const c = decodeCheckpoint(readFileSync(path.join(d, 'checkpoint.bin')));
      if (E.isLeft(c)) throw new Error(c.left);
      return c.right;
    };
    expect(weights(out).tensors).toEqual(weights(path.join(dir, 'reference')).tensors);
    await expect(resumeTraining(out)).rejects.toThrow(`--resume: the run in ${out} is already complete.`);
  });
});
