import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { applyRecipe, DEFAULT_RUN_CONFIG, recipes, resumeTraining, RunConfig, runTraining, type RunEvent } from '../../src/recipes/index.js';
import { calibrateRun } from '../../src/recipes/calibrate-run.js';
import { crtEpochs } from '../../src/recipes/crt.js';
import { gaeEpochs, gaeMilestones } from '../../src/recipes/gae.js';
import { warmupStepDecay } from '../../src/train/learning-rate.js';
import { samplers } from '../../src/streams/samplers/registry.js';
import { transforms } from '../../src/transforms/registry.js';
import { decodeCheckpoint, type Checkpoint } from '../../src/train/checkpoint.js';

/** Stage 1 of two epochs, stage 2 of one (the recipes' ⌈2/9⌉ = ⌈2/10⌉ = 1), 8 steps of 32 each. */
const TINY = { ...DEFAULT_RUN_CONFIG, epochs: 2, maxStepsPerEpoch: 8, batchSize: 32, evalBatchSize: 860 };
const recipeConfig = (name: string, rest: Partial<RunConfig> = {}): RunConfig => applyRecipe(TINY, recipes.get(name), rest);

const checkpointIn = (dir: string): Checkpoint => {
  const c = decodeCheckpoint(readFileSync(path.join(dir, 'checkpoint.bin')));
  if (E.isLeft(c)) throw new Error(c.left);
  return c.right;
};
const logOf = (dir: string) => readFileSync(path.join(dir, 'log.jsonl'), 'utf8');

describe('two-stage recipes: configuration', () => {
  it('crt, marc and gae resolve to registered parts; gae and crt have a stage 2, marc a calibration', () => {
    for (const name of ['crt', 'gae']) {
      const config = recipeConfig(name);
      expect(E.isRight(RunConfig.decode(config))).toBe(true);
      expect(config.stage2).not.toBeNull();
      expect(samplers.has(config.stage2!.sampler)).toBe(true);
      for (const t of config.stage2!.transforms) expect(transforms.has(t.name)).toBe(true);
    }
    expect(recipeConfig('crt').stage2).toMatchObject({ epochs: 1, sampler: 'class-aware', retrain: 'classifier', reinitClassifier: true, batchNorm: 'inference' });
    expect(recipeConfig('gae').stage2).toMatchObject({ epochs: 1, lr: 0.001, retrain: 'all', reinitClassifier: false, batchNorm: 'inference', transforms: [{ name: 'gae', config: {} }] });
    expect(recipeConfig('marc')).toMatchObject({ stage2: null, calibration: { method: 'marc' }, loss: 'ce', sampler: 'instance' });
  });

  it('stage lengths scale with the budget: cRT 10 of 90, GAE ⌈E/10⌉', () => {
    expect([1, 2, 9, 10, 90, 180].map(crtEpochs)).toEqual([1, 1, 1, 2, 10, 20]);
    expect([1, 10, 11, 12, 200].map(gaeEpochs)).toEqual([1, 1, 2, 2, 20]);
  });

  it("GAE's fine-tuning schedule: the official adjust_learning_rate at 60 epochs, its shape scaled below", () => {
    // Official, 1-indexed e: e ≤ 10 → lr, 11…29 → 0.1·lr, 30…59 → 0.01·lr.
    const official = (e1: number) => (e1 <= 10 ? 1 : e1 <= 29 ? 0.1 : 0.01);
    const at60 = warmupStepDecay({ base: 1, warmupEpochs: 0, milestones: gaeMilestones(60) });
    for (let e = 0; e < 60; e++) expect(at60(e), `epoch ${e}`).toBe(official(e + 1));
    const table = (n: number) => Array.from({ length: n }, (_, e) => warmupStepDecay({ base: 1, warmupEpochs: 0, milestones: gaeMilestones(n) })(e));
    expect(table(1)).toEqual([1]);
    expect(table(2)).toEqual([1, 0.01]);
    expect(table(6)).toEqual([1, 0.1, 0.1, 0.01, 0.01, 0.01]);
  });

  it('an old config without stage2 or calibration decodes with both null', () => {
    const { stage2: _s, calibration: _c, ...old } = DEFAULT_RUN_CONFIG;
    const decoded = RunConfig.decode(old);
    expect(E.isRight(decoded) && [decoded.right.stage2, decoded.right.calibration]).toEqual([null, null]);
  });

  it('refuses what a second stage cannot follow or do, naming the field', async () => {
    const crt = recipeConfig('crt');
    await expect(runTraining({ ...recipeConfig('bbn'), stage2: crt.stage2 })).rejects.toThrow(/^stage2 cannot follow bbn/);
    await expect(runTraining({ ...crt, stage2: { ...crt.stage2!, batchNorm: 'training' } })).rejects.toThrow(
      "stage2.batchNorm 'training' needs stage2.retrain 'all' (a frozen backbone runs in inference mode).",
    );
    await expect(runTraining({ ...crt, head: 'prototypes' })).rejects.toThrow(/^head 'prototypes' has no classifier to re-train/);
    await expect(runTraining({ ...crt, stage2: { ...crt.stage2!, transforms: [{ name: 'gae', config: { epsilon: 2 } }] } })).rejects.toThrow(
      /^stage2\.transforms\.0\.config\.epsilon: /,
    );
    await expect(runTraining({ ...crt, stage2: { ...crt.stage2!, sampler: 'class-balance' } })).rejects.toThrow(/class-balanced/);
    await expect(runTraining({ ...recipeConfig('marc'), head: 'cosine', calibration: { method: 'tau-norm', tau: 1 } })).rejects.toThrow(
      "calibration 'tau-norm' needs a linear classifier; this run has a cosine head.",
    );
  });
});

describe('two-stage runs', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  const dir = mkdtempSync(path.join(tmpdir(), 'ts-two-stage-'));
  const crt = recipeConfig('crt');
  const reference = path.join(dir, 'crt-reference');

  it('cRT: stage 2 changes only the classifier (backbone bit-identical), with a fresh optimizer on it; the log marks the stages', async () => {
    let boundary: Checkpoint | undefined;
    const evals: number[] = [];
    const onEvent = (e: RunEvent) => {
      // The checkpoint on disk at stage 2's first step is the one written at the end of stage 1.
      if (e.kind === 'step' && e.epoch === 2 && e.step === 0) boundary = checkpointIn(reference);
      if (e.kind === 'eval') evals.push(e.epoch);
    };
    const result = await runTraining(crt, { out: reference, onEvent, evalEveryEpoch: false });
    expect(evals).toEqual([1, 2]);
    expect(result.history.map((r) => [r.epoch, r.stage, r.lr])).toEqual([
      [0, 1, crt.lr / 2],
      [1, 1, crt.lr],
      [2, 2, crt.stage2!.lr],
    ]);
    const end = checkpointIn(reference);
    expect(boundary!.strategies).toBeUndefined();
    expect(end.strategies).toEqual({ stage: 2 });
    const names = [...end.tensors.keys()];
    expect(names.filter((n) => n.startsWith('optimizer/'))).toEqual(['optimizer/fc2/kernel', 'optimizer/fc2/bias']);
    for (const name of names.filter((n) => n.startsWith('model/'))) {
      if (name.startsWith('model/fc2/')) expect(end.tensors.get(name)!.values, name).not.toEqual(boundary!.tensors.get(name)!.values);
      else expect(Buffer.from(end.tensors.get(name)!.values.buffer).equals(Buffer.from(boundary!.tensors.get(name)!.values.buffer)), name).toBe(true);
    }
    const metrics = JSON.parse(readFileSync(path.join(reference, 'metrics.json'), 'utf8'));
    expect(metrics).toMatchObject({ epochs: 2, stage2Epochs: 1 });
    expect(metrics.balancedAccuracy).toBe(result.report.balancedAccuracy);
  });

  it('cRT resumes exactly from inside stage 2 and from the stage boundary', async () => {
    for (const [label, at] of [
      ['inside', { epoch: 2, step: 3 }],
      ['boundary', { epoch: 1, step: -1 }],
    ] as const) {
      const out = path.join(dir, `crt-${label}`);
      const controller = new AbortController();
      const run = runTraining(crt, {
        out,
        evalEveryEpoch: false,
        signal: controller.signal,
        onEvent: (e) => {
          if (at.step >= 0 ? e.kind === 'step' && e.epoch === at.epoch && e.step === at.step : e.kind === 'epoch' && e.epoch === at.epoch) controller.abort();
        },
      });
      await expect(run).rejects.toThrow(label === 'inside' ? /^Interrupted at epoch 3, step 4 of 3 epochs\./ : /^Interrupted at epoch 3, step 0 of 3 epochs\./);
      expect(checkpointIn(out).strategies, label).toEqual(label === 'inside' ? { stage: 2 } : undefined);
      await resumeTraining(out, { evalEveryEpoch: false });
      expect(readFileSync(path.join(out, 'metrics.json'), 'utf8'), label).toBe(readFileSync(path.join(reference, 'metrics.json'), 'utf8'));
      expect(logOf(out), label).toBe(logOf(reference));
      expect(checkpointIn(out).tensors, label).toEqual(checkpointIn(reference).tensors);
    }
  });

  it('GAE: stage 2 fine-tunes every weight at lr 0.001 on batches with guiding examples; batch-norm statistics stay', async () => {
    const out = path.join(dir, 'gae');
    const sizes: Array<[number, number]> = [];
    let boundary: Checkpoint | undefined;
    const onEvent = (e: RunEvent) => {
      if (e.kind !== 'step') return;
      if (e.epoch === 2 && e.step === 0) boundary = checkpointIn(out);
      sizes.push([e.epoch, e.result.size]);
    };
    // A DAR-BN small CNN has batch norm (no noise marks here, so it trains as a plain BN network in stage 1).
    const result = await runTraining(recipeConfig('gae', { model: 'dar-small-cnn' }), { out, onEvent, evalEveryEpoch: false });
    expect(sizes.filter(([e]) => e < 2).every(([, n]) => n === 32)).toBe(true);
    expect(sizes.filter(([e]) => e === 2).some(([, n]) => n > 32)).toBe(true);
    expect(result.history.map((r) => [r.stage, r.lr])).toEqual([
      [1, 0.01],
      [1, 0.02],
      [2, 0.001],
    ]);
    const end = checkpointIn(out);
    for (const [name, v] of end.tensors) {
      const before = boundary!.tensors.get(name)!.values;
      if (name.startsWith('state/')) expect(Buffer.from(v.values.buffer).equals(Buffer.from(before.buffer)), name).toBe(true);
      if (name.startsWith('model/')) expect(v.values, name).not.toEqual(before);
    }
    expect([...end.tensors.keys()].some((n) => n.startsWith('state/'))).toBe(true);
  });

  it('MARC: the run writes metrics-marc.json beside metrics.json, byte for byte what calibrate --method marc writes', async () => {
    const out = path.join(dir, 'marc');
    const result = await runTraining(recipeConfig('marc'), { out, evalEveryEpoch: false });
    const file = path.join(out, 'metrics-marc.json');
    expect(existsSync(file)).toBe(true);
    const written = readFileSync(file, 'utf8');
    expect(result.calibrated?.method).toBe('marc');
    const doc = JSON.parse(written);
    expect(doc.balancedAccuracy).toBe(result.calibrated!.report.balancedAccuracy);
    expect(doc.calibration.omega).toHaveLength(10);
    expect(doc.calibration.omega.some((w: number) => w !== 1)).toBe(true);
    expect(JSON.parse(readFileSync(path.join(out, 'metrics.json'), 'utf8')).balancedAccuracy).toBe(result.report.balancedAccuracy);
    await calibrateRun(out, { method: 'marc' });
    expect(readFileSync(file, 'utf8')).toBe(written);
  });
});
