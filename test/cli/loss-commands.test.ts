import { afterAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { runCli } from '../helpers/run-cli.js';
import { losses } from '../../src/losses/registry.js';
import { transforms } from '../../src/transforms/registry.js';

// Modules a user would write live under the repository, so that they resolve its packages.
mkdirSync('.tailstream-tmp', { recursive: true });
const moduleDir = mkdtempSync(path.join('.tailstream-tmp', 'verify-loss-'));
const runDir = mkdtempSync(path.join(tmpdir(), 'ts-loss-flags-'));
afterAll(() => {
  rmSync(moduleDir, { recursive: true, force: true });
  rmSync(runDir, { recursive: true, force: true });
});

describe('tailstream losses and transforms', () => {
  it('lists every registered loss with its source and defaults, as text and JSON', async () => {
    const r = await runCli('losses');
    expect(r.code).toBe(0);
    for (const l of losses.list()) expect(r.stdout).toContain(`${l.name}\n  ${l.summary}\n  source:   ${l.source}\n  defaults: ${JSON.stringify(l.defaults)}`);
    const json = JSON.parse((await runCli('losses', '--json')).stdout) as Array<{ name: string; defaults: unknown }>;
    expect(json.map((x) => x.name)).toEqual(losses.list().map((l) => l.name));
    expect(json.find((x) => x.name === 'ldam')!.defaults).toEqual({ maxMargin: 0.5, scale: 30 });
  });

  it('lists every registered transform with its kind and defaults', async () => {
    const r = await runCli('transforms');
    expect(r.code).toBe(0);
    for (const t of transforms.list()) expect(r.stdout).toContain(`${t.name} (${t.kind})\n  ${t.summary}`);
    expect(r.stdout).toContain('cmo (paired)');
    const json = JSON.parse((await runCli('transforms', '--json')).stdout) as Array<{ name: string; kind: string }>;
    expect(json.map((x) => x.name)).toEqual(transforms.list().map((t) => t.name));
  });
});

describe('tailstream train --loss, --loss-config, --transform', () => {
  it('records the chosen loss (from its own defaults, merged with --loss-config) and the operators in order', async () => {
    const out = path.join(runDir, 'focal-mixup');
    const r = await runCli(
      'train', '--recipe', 'ldam-drw', '--loss', 'focal', '--loss-config', '{"gamma": 2}',
      '--transform', 'rand-augment', '--transform', 'mixup:{"alpha": 0.4}',
      '--epochs', '1', '--max-steps-per-epoch', '2', '--batch-size', '16', '--backend', 'wasm', '--out', out, '--no-progress', '--json',
    );
    expect(r.code, r.stderr).toBe(0);
    const config = JSON.parse(readFileSync(path.join(out, 'config.json'), 'utf8'));
    expect(config.loss).toBe('focal');
    // The recipe's LDAM settings are not carried over to focal; focal's defaults fill the rest at run time.
    expect(config.lossConfig).toEqual({ gamma: 2 });
    expect(config.head).toBe('cosine');
    expect(config.transforms).toEqual([
      { name: 'rand-augment', config: {} },
      { name: 'mixup', config: { alpha: 0.4 } },
    ]);
  });

  it.each([
    [['--loss', 'focl'], "Unknown loss 'focl'", "Did you mean 'focal'?"],
    [['--loss-config', '[1, 2]'], '--loss-config: expected a JSON object, got', ''],
    [['--loss-config', '{gamma: 2}'], '--loss-config: expected a JSON object such as', ''],
    [['--loss', 'focal', '--loss-config', '{"gamma": -1}'], 'lossConfig.gamma: expected a number ≥ 0, got -1.', ''],
    [['--transform', 'mixupp'], "Unknown transform 'mixupp'", "Did you mean 'mixup'?"],
    [['--transform', 'mixup:{"alpha": -1}'], 'transforms.0.config.alpha', ''],
    [['--transform', 'mixup', '--transform', 'cut-mix'], 'transforms: mixup and cut-mix each mix targets, and a batch takes one mixing operator; keep one.', ''],
  ])('%j is one sentence and exit code 2', async (args, first, second) => {
    const r = await runCli('train', ...args, '--epochs', '1', '--max-steps-per-epoch', '1', '--backend', 'cpu', '--out', mkdtempSync(path.join(runDir, 'bad-')), '--no-progress');
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(first);
    expect(r.stderr).toContain(second);
    expect(r.stderr).not.toMatch(/\n\s+at /);
  });
});

describe('tailstream verify-loss', () => {
  it('reports the broken example: exit 1, each failed property with its counterexample and a replay command', async () => {
    const r = await runCli('verify-loss', 'examples/broken-loss.ts', '--seed', '7', '--runs', '50');
    expect(r.code).toBe(1);
    expect(r.stdout).toMatch(/✗ finite +finite \[N\] values/);
    expect(r.stdout).toMatch(/✗ class-permutation/);
    expect(r.stdout).toMatch(/✓ shift-invariant/);
    const replay = /replay: (tailstream verify-loss examples\/broken-loss\.ts --seed 7 --path ([\d:]+) --only class-permutation)/.exec(r.stdout);
    expect(replay).not.toBeNull();
    expect(r.stderr).toBe('tailstream: 1 of 1 loss broke an invariant: naive-weighted-ce.\n');
    // The printed replay command reproduces exactly that counterexample, in one run.
    const again = await runCli('verify-loss', 'examples/broken-loss.ts', '--seed', '7', '--path', replay![2]!, '--only', 'class-permutation', '--json');
    const [report] = JSON.parse(again.stdout) as Array<{ outcomes: Array<{ id: string; runs: number; counterexample?: unknown }> }>;
    const outcome = report!.outcomes.find((o) => o.id === 'class-permutation')!;
    expect(outcome.runs).toBe(1);
    expect(JSON.stringify(outcome.counterexample)).toBe(JSON.stringify({ logits: [[0, 0, 0], [0, 0, 0]], labels: [0, 0], counts: [1, 1, 1] }));
  });

  it('passes a correct user loss written as a plain .mjs module (exit 0)', async () => {
    const file = path.join(moduleDir, 'my-loss.mjs');
    writeFileSync(
      file,
      [
        "import * as t from 'io-ts';",
        "import * as tf from '@tensorflow/tfjs-core';",
        'export const stableCe = {',
        "  name: 'stable-ce', summary: 'CE', source: 'test', configCodec: t.type({}), defaults: {},",
        '  prepare: (_c, counts) => counts.length,',
        '  perExample: ({ logits, labels }, c) => tf.tidy(() => tf.neg(tf.sum(tf.mul(tf.logSoftmax(logits), tf.oneHot(labels, c)), 1))),',
        '};',
        'export const notALoss = 3;',
      ].join('\n'),
    );
    const r = await runCli('verify-loss', file, '--runs', '20');
    expect(r.code, r.stdout + r.stderr).toBe(0);
    expect(r.stdout).toMatch(/^loss stable-ce with config \{\} \(seed \d+\)$/m);
    expect(r.stdout).toContain('all 9 checks passed');
  });

  it('fails in one sentence for a missing file, a module without a loss, an unknown export or property', async () => {
    const empty = path.join(moduleDir, 'empty.mjs');
    writeFileSync(empty, 'export const x = 1;\n');
    const broken = path.join(moduleDir, 'syntax.mjs');
    writeFileSync(broken, 'export const = ;\n');
    const cases: Array<[string[], string]> = [
      [['nowhere.mjs'], 'tailstream: verify-loss: nowhere.mjs does not exist.\n'],
      [[empty], `tailstream: verify-loss: ${empty} exports no loss spec (an object with name, configCodec, defaults, prepare and perExample, e.g. made with losses.defineLoss).\n`],
      [['examples/broken-loss.ts', '--export', 'nope'], "tailstream: --export: examples/broken-loss.ts exports no loss named 'nope' (it exports naiveWeightedCe).\n"],
      [['examples/broken-loss.ts', '--only', 'finite,shifty'], "tailstream: --only: expected one of finite, non-negative, deterministic, no-leak, finite-gradient, shift-invariant, true-logit-monotone, class-permutation, got 'shifty'.\n"],
    ];
    for (const [args, message] of cases) {
      const r = await runCli('verify-loss', ...args);
      expect(r.code, args.join(' ')).toBe(2);
      expect(r.stderr).toBe(message);
    }
    const r = await runCli('verify-loss', broken);
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/^tailstream: verify-loss: .*syntax\.mjs could not be loaded: .+\n$/);
  });
});
