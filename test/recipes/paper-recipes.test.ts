import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { applyRecipe, DEFAULT_RUN_CONFIG, recipes, RunConfig, runTraining } from '../../src/recipes/index.js';
import { losses } from '../../src/losses/registry.js';
import { models } from '../../src/models/registry.js';
import { samplers } from '../../src/streams/samplers/registry.js';
import { transforms } from '../../src/transforms/registry.js';
import { decodeWith } from '../../src/config/report.js';

/** MNIST-LT (ρ 100), two epochs of 10 steps of 32: the recipes' schedules switch at epoch 1 (⌊0.8·2⌋, ⌊0.5·2⌋). */
const TINY = { ...DEFAULT_RUN_CONFIG, epochs: 2, batchSize: 32, maxStepsPerEpoch: 10, evalBatchSize: 500 };

/**
 * Balanced accuracy each recipe must beat after the tiny run (chance is 0.1 on ten classes). Measured on
 * the wasm backend: lm-softmax 0.230, pal 0.201, ppl-cri 0.266, rescom 0.436, open 0.534, open-sampling 0.308.
 */
const FLOOR: Readonly<Record<string, number>> = { 'lm-softmax': 0.18, pal: 0.16, 'ppl-cri': 0.2, rescom: 0.33, open: 0.4, 'open-sampling': 0.24 };

/** Every registry name a config uses, checked against its registry. */
const expectRegisteredParts = (config: RunConfig) => {
  expect(models.has(config.model)).toBe(true);
  expect(samplers.has(config.sampler)).toBe(true);
  if (config.deferredResampling !== null) expect(samplers.has(config.deferredResampling.sampler)).toBe(true);
  const loss = losses.get(config.loss);
  expect(E.isRight(decodeWith(loss.configCodec, { ...loss.defaults, ...config.lossConfig }))).toBe(true);
  for (const t of config.transforms) {
    const spec = transforms.get(t.name);
    expect(E.isRight(decodeWith(spec.configCodec, { ...(spec.defaults as object), ...t.config }))).toBe(true);
  }
};

describe.each(Object.keys(FLOOR))('recipe %s', (name) => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('resolves to a config that decodes and names only registry entries, with paper and code', () => {
    const recipe = recipes.get(name);
    const config = applyRecipe(DEFAULT_RUN_CONFIG, recipe, { epochs: 200 });
    expect(E.isRight(RunConfig.decode(config))).toBe(true);
    expectRegisteredParts(config);
    expect(recipe.paper.length).toBeGreaterThan(20);
    expect(recipe.code.length).toBeGreaterThan(20);
  });

  it(`trains on a tiny budget (2 × 10 steps of 32) to a balanced accuracy above ${FLOOR[name]}`, async () => {
    const config = applyRecipe(TINY, recipes.get(name));
    const stepLosses: number[] = [];
    const r = await runTraining(config, { evalEveryEpoch: false, onEvent: (e) => e.kind === 'step' && stepLosses.push(e.result.loss) });
    expect(stepLosses).toHaveLength(20);
    expect(stepLosses.every(Number.isFinite)).toBe(true);
    expect(r.report.balancedAccuracy).toBeGreaterThan(FLOOR[name]!);
  });
});

describe('what the recipes set, at 200 epochs', () => {
  const at200 = (name: string) => applyRecipe(DEFAULT_RUN_CONFIG, recipes.get(name), { epochs: 200 });

  it('lm-softmax: zero-centroid regulariser on (λ_w 1) on a cosine head', () => {
    expect(at200('lm-softmax')).toMatchObject({ loss: 'lm-softmax', head: 'cosine', lossConfig: { scale: 64, zeroCentroidWeight: 1 } });
  });

  it('pal: the anchored head with LDAM and DRW from epoch 160', () => {
    expect(at200('pal')).toMatchObject({ head: 'prototypes', loss: 'pal', classWeights: { beta: 0.9999, fromEpoch: 160 }, reduction: 'weighted-mean' });
  });

  it('ppl-cri: class weights ramped in over epochs 100 → 160', () => {
    expect(at200('ppl-cri')).toMatchObject({ loss: 'cri', head: 'cosine', classWeights: null, classWeightRamp: { beta: 0.9999, startEpoch: 100, endEpoch: 160 } });
  });

  it('rescom: a loss that reads the features the step passes', () => {
    expect(at200('rescom').loss).toBe('rescom');
    expect(losses.get('rescom').needs).toEqual(['features']);
  });

  it('open: class-balanced oversampling and pure noise from epoch 160 on a noise-routed model', () => {
    const c = at200('open');
    expect(c.deferredResampling).toEqual({ sampler: 'class-balanced', fromEpoch: 160 });
    expect(c.transforms).toEqual([{ name: 'pure-noise', config: { delta: 1 / 3, startEpoch: 160 } }]);
    expect(models.get(c.model).noiseRouted).toBe(true);
  });

  it('open-sampling: the paired operator with the official α and η', () => {
    expect(at200('open-sampling').transforms).toEqual([{ name: 'open-sampling', config: { alpha: null, eta: 1 } }]);
  });
});

describe('the new run fields', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });
  const short = { ...TINY, maxStepsPerEpoch: 3 };

  it('classWeightRamp and deferredResampling change training only from their epochs', async () => {
    const ramped = await runTraining({ ...short, reduction: 'weighted-mean', classWeightRamp: { beta: 0.9999, startEpoch: 0, endEpoch: 1 } }, { evalEveryEpoch: false });
    const plain = await runTraining({ ...short, reduction: 'weighted-mean' }, { evalEveryEpoch: false });
    expect(ramped.history[0]!.trainLoss).toBe(plain.history[0]!.trainLoss);
    expect(ramped.history[1]!.trainLoss).not.toBe(plain.history[1]!.trainLoss);
    const resampled = await runTraining({ ...short, deferredResampling: { sampler: 'class-balanced', fromEpoch: 1 } }, { evalEveryEpoch: false });
    expect(resampled.history[0]!.trainLoss).toBe(plain.history[0]!.trainLoss);
    expect(resampled.history[1]!.trainLoss).not.toBe(plain.history[1]!.trainLoss);
  });

  it('old run configs without the fields decode with them null', () => {
    const { classWeightRamp: _r, deferredResampling: _d, ...old } = DEFAULT_RUN_CONFIG;
    const decoded = RunConfig.decode(JSON.parse(JSON.stringify(old)));
    expect(E.isRight(decoded) && decoded.right.classWeightRamp === null && decoded.right.deferredResampling === null).toBe(true);
  });

  it('refuses combinations that cannot work, before creating the run folder', async () => {
    const out = path.join(mkdtempSync(path.join(tmpdir(), 'ts-recipes-bad-')), 'run');
    const ramp = { beta: 0.99, startEpoch: 0, endEpoch: 1 };
    await expect(runTraining({ ...short, classWeights: { beta: 0.99, fromEpoch: 1 }, classWeightRamp: ramp }, { out })).rejects.toThrow(
      'classWeights and classWeightRamp both set class weights; keep one (DRW switches them on, the ramp blends them in).',
    );
    await expect(runTraining({ ...short, classWeightRamp: { ...ramp, startEpoch: 3 } }, { out })).rejects.toThrow(
      'classWeightRamp.endEpoch (1) is before classWeightRamp.startEpoch (3).',
    );
    await expect(runTraining({ ...short, classWeightRamp: ramp, bbn: { rebalancingSampler: 'reversed', divisorEpoch: null }, model: 'bbn-small-cnn' }, { out })).rejects.toThrow(
      'bbn cannot be combined with classWeightRamp (BBN trains pairs of batches with its own step).',
    );
    await expect(runTraining({ ...short, head: 'prototypes', model: 'dar-small-cnn' }, { out })).rejects.toThrow(
      "head 'prototypes' wraps a one-branch model's forward pass; 'dar-small-cnn' has its own (DAR-BN routing).",
    );
    await expect(runTraining({ ...short, deferredResampling: { sampler: 'class-balancd', fromEpoch: 1 } }, { out })).rejects.toThrow(/Unknown sampler 'class-balancd'/);
    expect(existsSync(out)).toBe(false);
  });
});
