import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/run-cli.js';

const cli = runCli;

describe('tailstream train: bad input is one sentence and exit code 2', () => {
  let dir: string;
  beforeEach(() => {
    dir = mkdtempSync(path.join(tmpdir(), 'ts-cli-'));
  });
  afterEach(() => {
    vi.restoreAllMocks();
  });

  it.each([
    [['--dataset', 'cifar'], "tailstream: Unknown dataset 'cifar'; known: mnist-lt, fmnist-lt, fmnist-mlt, cifar10-lt, cifar100-lt, shards, image-list. Did you mean 'cifar10-lt'?\n"],
    [['--dataset', 'fmnist'], "tailstream: Unknown dataset 'fmnist'; known: mnist-lt, fmnist-lt, fmnist-mlt, cifar10-lt, cifar100-lt, shards, image-list. Did you mean 'fmnist-lt'?\n"],
    [['--ratio', '0.5'], "tailstream: --ratio: expected a number ≥ 1, got '0.5'.\n"],
    [['--ratio', 'lots'], "tailstream: --ratio: expected a number, got 'lots'.\n"],
    [['--epochs', '0'], "tailstream: --epochs: expected an integer ≥ 1, got '0'.\n"],
    [['--epochs', '-3'], "tailstream: --epochs: expected an integer ≥ 1, got '-3'.\n"],
    [['--batch-size', '2.5'], "tailstream: --batch-size: expected an integer, got '2.5'.\n"],
    [['--backend', 'node'], 'tailstream: The node backend needs the package @tensorflow/tfjs-node, which is not installed (npm install @tensorflow/tfjs-node).\n'],
    [['--dataset', 'fmnist-lt', '--data-dir', '/nonexistent'], 'tailstream: fmnist-lt: cannot read /nonexistent/train-images-idx3-ubyte.gz (ENOENT).\n'],
    [['--sampler', 'balanced'], "tailstream: Unknown sampler 'balanced'; known: instance, class-balanced, class-aware, square-root, progressive, reversed, minority, target-ratio, multi-label.\n"],
    [['--pipeline', 'gpu'], "tailstream: --pipeline: expected one of auto, worker, main-thread, got 'gpu'.\n"],
    [['--pipeline-threads', '0'], "tailstream: --pipeline-threads: expected auto or an integer ≥ 1, got '0'.\n"],
    [['--pipeline-threads', 'many'], "tailstream: --pipeline-threads: expected auto or an integer ≥ 1, got 'many'.\n"],
    [['--recipe', 'gae', '--pipeline', 'worker'], "tailstream: pipeline 'worker' cannot run gae, which queries the model on the main thread; use pipeline 'auto' or 'main-thread'.\n"],
  ])('%j', async (args, message) => {
    const out = path.join(dir, 'run');
    const r = await cli('train', ...args, '--out', out, '--no-progress');
    expect(r.code).toBe(2);
    expect(r.stderr.endsWith(message) || r.stderr.includes(message)).toBe(true);
    expect(r.stderr).not.toMatch(/\n\s+at /); // no stack trace
    // Nothing is presented as a complete run.
    const runJson = path.join(out, 'run.json');
    if (existsSync(runJson)) expect(JSON.parse(readFileSync(runJson, 'utf8')).status).not.toBe('complete');
    expect(existsSync(path.join(out, 'metrics.json'))).toBe(false);
  });

  it('answers an unknown flag with exit code 2', async () => {
    const r = await cli('train', '--epoch', '3');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain("unknown option '--epoch'");
  });

  it('refuses to overwrite a folder that holds a run', async () => {
    const { createRunFolder } = await import('../../src/recipes/run-folder.js');
    createRunFolder(path.join(dir, 'taken'));
    const r = await cli('train', '--out', path.join(dir, 'taken'), '--epochs', '1', '--no-progress', '--backend', 'cpu');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`--out: ${path.join(dir, 'taken')} already holds a run (status: running); choose another folder.`);
  });

  it('applies a recipe, then a config file, then flags, and records the resolved config', async () => {
    const file = path.join(dir, 'run.yaml');
    writeFileSync(file, 'epochs: 2\nlossConfig: { maxMargin: 0.4, scale: 30 }\nmaxStepsPerEpoch: 2\n');
    const out = path.join(dir, 'ldam');
    const r = await cli('train', '--recipe', 'ldam-drw', '--config', file, '--batch-size', '16', '--pipeline-threads', '2', '--out', out, '--no-progress', '--backend', 'wasm', '--json');
    expect(r.code, r.stderr).toBe(0);
    const config = JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8'));
    expect(config).toMatchObject({
      recipe: 'ldam-drw',
      loss: 'ldam',
      head: 'cosine',
      epochs: 2,
      batchSize: 16,
      maxStepsPerEpoch: 2,
      lossConfig: { maxMargin: 0.4, scale: 30 },
      classWeights: { beta: 0.9999, fromEpoch: 1 },
      reduction: 'weighted-mean',
      pipeline: 'auto',
      pipelineThreads: 2,
    });
    const metrics = JSON.parse(r.stdout);
    expect(metrics.perClass).toHaveLength(10);
    expect(typeof metrics.balancedAccuracy).toBe('number');
  });

  it('names an unknown recipe and a bad config file in one sentence', async () => {
    expect((await cli('train', '--recipe', 'ldam')).stderr).toBe(
      "tailstream: Unknown recipe 'ldam'; known: ce, focal, cb-focal, ldam-drw, mm, balanced-softmax, logit-adjust, cdt, vs, cb-resampling, cmo, vs-sam, absgd, bbn, ot-reweight, db-loss, lm-softmax, pal, ppl-cri, rescom, open, open-sampling, dbn-mix, crt, marc, gae, autobalance. Did you mean 'ldam-drw'?\n",
    );
    const file = path.join(dir, 'bad.yaml');
    writeFileSync(file, 'ratio: 0.5\n');
    const r = await cli('train', '--config', file);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`tailstream: ${file}: ratio: expected a number ≥ 1, got 0.5.\n`);
  });

  it('lists the recipes with paper and settings', async () => {
    const r = await cli('recipes');
    expect(r.code).toBe(0);
    expect(r.stdout).toContain('ldam-drw\n  LDAM loss');
    expect(r.stdout).toContain('paper: Cao, Wei, Gaidon, Arechiga, Ma');
    expect(r.stdout).toContain('classWeights={"beta":0.9999,"fromEpoch":9}');
    const json = JSON.parse((await cli('recipes', '--json')).stdout);
    expect(json.map((x: { name: string }) => x.name)).toContain('cb-focal');
  });

  it('prints help and exits 0', async () => {
    const r = await cli('train', '--help');
    expect(r.code).toBe(0);
  });
});
