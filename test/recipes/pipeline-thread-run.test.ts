import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { applyRecipe, DEFAULT_RUN_CONFIG, recipes, runTraining, RunConfig } from '../../src/recipes/index.js';
import { decodeCheckpoint } from '../../src/train/checkpoint.js';
import { autoPipelineThreads } from '../../src/recipes/pipeline-thread.js';

const small = { ...DEFAULT_RUN_CONFIG, epochs: 2, batchSize: 32, maxStepsPerEpoch: 6, evalBatchSize: 500 };

const checkpointIn = (dir: string) => {
  const c = decodeCheckpoint(readFileSync(path.join(dir, 'checkpoint.bin')));
  if (E.isLeft(c)) throw new Error(c.left);
  return c.right;
};

/** Runs `config` with its batches made on the main thread and in `threads` pipeline threads; returns both folders. */
const bothWays = async (config: RunConfig, threads = 1) => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ts-pipeline-'));
  const main = path.join(dir, 'main-thread');
  const worker = path.join(dir, 'worker');
  await runTraining({ ...config, pipeline: 'main-thread' }, { out: main, evalEveryEpoch: false });
  await runTraining({ ...config, pipeline: 'worker', pipelineThreads: threads }, { out: worker, evalEveryEpoch: false });
  return { main, worker };
};

const expectSameRun = ({ main, worker }: { main: string; worker: string }) => {
  expect(readFileSync(path.join(worker, 'metrics.json'), 'utf8')).toBe(readFileSync(path.join(main, 'metrics.json'), 'utf8'));
  const [a, b] = [checkpointIn(main), checkpointIn(worker)];
  expect(b.tensors).toEqual(a.tensors);
  expect(b.strategies).toEqual(a.strategies);
};

describe('runs with the pipeline in a thread', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('give the same weights and metrics as on the main thread: CMO from epoch 0 with crop/flip, in one thread and in three', async () => {
    const cmoRun: RunConfig = { ...small, transforms: [{ name: 'cmo', config: { startEpoch: 0, skipLastEpochs: 0 } }] };
    expectSameRun(await bothWays(cmoRun));
    expectSameRun(await bothWays(cmoRun, 3));
  });

  it('give the same sample weights to OT re-weighting, which looks them up by dataset index', async () => {
    expectSameRun(await bothWays(applyRecipe(small, recipes.get('ot-reweight'))));
  });

  it('give the same pairs to BBN', async () => {
    expectSameRun(await bothWays(applyRecipe(small, recipes.get('bbn'))));
  });

  it("refuse 'worker' for an operator that queries the model, before the run touches the disk", async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'ts-pipeline-')), 'run');
    await expect(runTraining({ ...applyRecipe(small, recipes.get('gae')), pipeline: 'worker' }, { out })).rejects.toThrow(
      "pipeline 'worker' cannot run gae, which queries the model on the main thread; use pipeline 'auto' or 'main-thread'.",
    );
    expect(existsSync(out)).toBe(false);
  });

  it("picks 1 thread on wasm and cpu and up to 4 on tfjs-node(-gpu), leaving a core to the step, for pipelineThreads 'auto'", () => {
    expect(autoPipelineThreads('wasm', 16)).toBe(1);
    expect(autoPipelineThreads('cpu', 16)).toBe(1);
    expect(autoPipelineThreads('tensorflow', 16)).toBe(4);
    expect(autoPipelineThreads('tensorflow', 3)).toBe(2);
    expect(autoPipelineThreads('tensorflow', 1)).toBe(1);
  });

  it("reads a run folder's config without the fields as 'auto'", () => {
    const { pipeline: _omitted, pipelineThreads: _alsoOmitted, ...older } = DEFAULT_RUN_CONFIG;
    const decoded = RunConfig.decode(JSON.parse(JSON.stringify(older)));
    expect(E.isRight(decoded) && decoded.right.pipeline).toBe('auto');
    expect(E.isRight(decoded) && decoded.right.pipelineThreads).toBe('auto');
    expect(E.isLeft(RunConfig.decode({ ...DEFAULT_RUN_CONFIG, pipelineThreads: 0 }))).toBe(true);
    expect(E.isLeft(RunConfig.decode({ ...DEFAULT_RUN_CONFIG, pipeline: 'gpu' }))).toBe(true);
  });
});
