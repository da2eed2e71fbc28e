import { beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { DEBIAN_FASHION_MNIST_DIR } from '../../src/data/fashion-mnist.js';
import { FMNIST_MLT_SIZES } from '../../src/data/datasets.js';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { initBackend } from '../../src/backend/index.js';
import { applyRecipe, DEFAULT_RUN_CONFIG, metricsDocument, readConfigFile, recipes, RunConfig, runTraining } from '../../src/recipes/index.js';
import { losses } from '../../src/losses/registry.js';
import { samplers } from '../../src/streams/samplers/registry.js';
import { decodeWith } from '../../src/config/report.js';

/** Two epochs of three steps each: enough to exercise every schedule (DRW switches at epoch ⌊0.8·2⌋ = 1). */
const TINY = { ...DEFAULT_RUN_CONFIG, epochs: 2, maxStepsPerEpoch: 3, batchSize: 32, evalBatchSize: 860 };

describe.each(recipes.list().map((r) => [r.name, r] as const))('recipe %s', (_name, recipe) => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('resolves to a valid config of registered parts', () => {
    const config = applyRecipe(DEFAULT_RUN_CONFIG, recipe);
    expect(E.isRight(RunConfig.decode(config))).toBe(true);
    expect(config.recipe).toBe(recipe.name);
    const loss = losses.get(config.loss);
    expect(E.isRight(decodeWith(loss.configCodec, { ...loss.defaults, ...config.lossConfig }))).toBe(true);
    expect(samplers.has(config.sampler)).toBe(true);
    expect(recipe.paper.length).toBeGreaterThan(10);
    expect(recipe.code.length).toBeGreaterThan(10);
  });

  // A recipe may name its own dataset (db-loss: fmnist-mlt, from Debian's dataset-fashion-mnist, which CI installs).
  const config = applyRecipe(TINY, recipe);
  const available = config.dataset === 'mnist-lt' || existsSync(path.join(DEBIAN_FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz'));
  const testImages: Record<string, number> = { 'mnist-lt': 1720, 'fmnist-mlt': FMNIST_MLT_SIZES.test };

  it.runIf(available)('runs end to end on a tiny budget, with well-formed metrics that the seed reproduces', async () => {
    const a = await runTraining(config, { evalEveryEpoch: false });
    const b = await runTraining(config, { evalEveryEpoch: false });
    const doc = (r: typeof a) => JSON.stringify(metricsDocument(r.config, r, r.report));
    expect(doc(a)).toBe(doc(b));
    // A two-stage recipe adds its stage-2 epochs after the run's.
    expect(a.history).toHaveLength(2 + (config.stage2?.epochs ?? 0));
    expect(a.history.at(-1)!.testBalancedAccuracy).toBe(a.report.balancedAccuracy);
    expect(a.report.perClass).toHaveLength(10);
    for (const value of [a.report.overallAccuracy, a.report.balancedAccuracy]) {
      expect(value).toBeGreaterThanOrEqual(0);
      expect(value).toBeLessThanOrEqual(1);
    }
    expect(a.report.confusion.flat().reduce((s, v) => s + v, 0)).toBe(testImages[config.dataset]);
    // A multi-label set also reports per-class AP and mAP.
    if (config.dataset === 'fmnist-mlt') expect(a.report.multiLabel?.perClass).toHaveLength(10);
  });
});

describe('recipe resolution', () => {
  it('layers defaults < recipe < the rest, and scales DRW to the epochs', () => {
    const c = applyRecipe(DEFAULT_RUN_CONFIG, recipes.get('ldam-drw'), { epochs: 10, lossConfig: { maxMargin: 0.3 } });
    expect(c.classWeights).toEqual({ beta: 0.9999, fromEpoch: 8 });
    expect(c.head).toBe('cosine');
    expect(c.reduction).toBe('weighted-mean');
    expect(c.lossConfig).toEqual({ maxMargin: 0.3 });
    expect(c.epochs).toBe(10);
  });

  it('reads YAML config files, naming unknown settings and bad values by path', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'ts-config-'));
    const write = (name: string, text: string) => {
      writeFileSync(path.join(dir, name), text);
      return path.join(dir, name);
    };
    expect(readConfigFile(write('ok.yaml', 'epochs: 3\nlossConfig:\n  gamma: 2\nclassWeights: { beta: 0.99, fromEpoch: 1 }\n'))).toEqual(
      E.right({ epochs: 3, lossConfig: { gamma: 2 }, classWeights: { beta: 0.99, fromEpoch: 1 } }),
    );
    // A setting the file leaves out stays out (no null that would undo what the recipe sets).
    expect(readConfigFile(write('absgd.yaml', 'absgd: { stage1Lambda: 200, stage2Lambda: 5, switchEpoch: 4, gamma: 0.7, alpha: 0.5 }\n'))).toEqual(
      E.right({ absgd: { stage1Lambda: 200, stage2Lambda: 5, switchEpoch: 4, gamma: 0.7, alpha: 0.5 } }),
    );
    const bad = write('typo.yaml', 'epoch: 3\n');
    expect(readConfigFile(bad)).toEqual(E.left(`${bad}: unknown setting 'epoch' (did you mean 'epochs'?)`));
    const negative = write('neg.yaml', 'classWeights:\n  beta: 2\n  fromEpoch: 1\n');
    expect(readConfigFile(negative)).toEqual(E.left(`${negative}: classWeights.beta: expected a number in [0, 1], got 2`));
    const broken = write('broken.yaml', 'epochs: [1,\n');
    expect(E.isLeft(readConfigFile(broken)) && (readConfigFile(broken) as E.Left<string>).left).toMatch(new RegExp(`^${broken}: not valid YAML or JSON \\(`));
    expect(readConfigFile(path.join(dir, 'none.yaml'))).toEqual(E.left(`--config: cannot read ${path.join(dir, 'none.yaml')} (ENOENT)`));
    expect(readConfigFile(write('list.yaml', '- 1\n'))).toEqual(E.left(`${path.join(dir, 'list.yaml')}: expected a mapping of run settings at the top level`));
  });
});
