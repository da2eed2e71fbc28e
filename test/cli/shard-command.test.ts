/**
 * `tailstream shard` end to end on a small Fashion-MNIST copy in the real IDX format: shards and a
 * manifest are written, `tailstream train --dataset shards` trains on them, a folder that disagrees
 * with its manifest stops the run with the difference, and bad flags are one sentence with exit 2.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, readdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { runCli } from '../helpers/run-cli.js';
import { encodeIdx } from '../../src/data/idx.js';
import type { ShardManifest } from '../../src/data/shard-manifest.js';

const cli = runCli;

let root = '';
let idx = '';
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'tailstream-shard-cli-'));
  idx = path.join(root, 'fmnist');
  const write = (split: string, perClass: number) => {
    const n = perClass * 10;
    const labels = Uint8Array.from({ length: n }, (_, i) => i % 10);
    const pixels = Uint8Array.from({ length: n * 28 * 28 }, (_, p) => (p * 7 + ((p / 784) | 0) * 29) % 256);
    writeFileSync(path.join(idx, `${split}-images-idx3-ubyte.gz`), gzipSync(encodeIdx([n, 28, 28], pixels)));
    writeFileSync(path.join(idx, `${split}-labels-idx1-ubyte.gz`), gzipSync(encodeIdx([n], labels)));
  };
  mkdirSync(idx);
  write('train', 12);
  write('t10k', 4);
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

describe('tailstream shard', () => {
  it('writes shards and a manifest; train --dataset shards trains on them with the manifest counts', async () => {
    const out = path.join(root, 'wds');
    const r = await cli('shard', '--dataset', 'fmnist-lt', '--data-dir', idx, '--ratio', '4', '--format', 'wds', '--shards', '2', '--out', out);
    expect(r.code).toBe(0);
    expect(r.stderr).toMatch(new RegExp(`^wrote 2 training shards \\(\\d+ images\\) and 2 test shards \\(40 images\\) of fmnist-lt as webdataset to ${out} in [\\d.]+ s\\n$`));
    expect(readdirSync(out).sort()).toEqual(['manifest.json', 'test-00000-of-00002.tar', 'test-00001-of-00002.tar', 'train-00000-of-00002.tar', 'train-00001-of-00002.tar']);
    const manifest = JSON.parse(readFileSync(path.join(out, 'manifest.json'), 'utf8')) as ShardManifest;
    // python3: [int(12 * 0.25 ** (i / 9)) for i in range(10)]
    expect(manifest.splits.train.counts).toEqual([12, 10, 8, 7, 6, 5, 4, 4, 3, 3]);
    expect(manifest).toMatchObject({ format: 'webdataset', dataset: 'fmnist-lt', shape: { height: 28, width: 28, channels: 1 }, source: { ratio: 4, profile: 'exp' } });

    const run = path.join(root, 'run');
    const t = await cli('train', '--dataset', 'shards', '--data-dir', out, '--epochs', '1', '--max-steps-per-epoch', '1', '--batch-size', '8', '--model', 'small-cnn', '--backend', 'wasm', '--out', run, '--no-progress', '--json');
    expect(t.stderr).not.toMatch(/internal error|\n\s+at /);
    expect(t.code).toBe(0);
    expect(JSON.parse(readFileSync(path.join(run, 'subset.json'), 'utf8'))).toMatchObject({ dataset: 'shards', trainCounts: manifest.splits.train.counts });
  });

  it('a shard folder that disagrees with its manifest stops train with the difference (exit 2)', async () => {
    const out = path.join(root, 'tf');
    expect((await cli('shard', '--dataset', 'fmnist-lt', '--data-dir', idx, '--ratio', '4', '--format', 'tfrecord', '--shards', '3', '--out', out)).code).toBe(0);
    const file = path.join(out, 'manifest.json');
    const m = JSON.parse(readFileSync(file, 'utf8')) as ShardManifest;
    const shard = m.splits.test.shards[0]!;
    const a = shard.counts.findIndex((n) => n > 0);
    const b = (a + 1) % shard.counts.length;
    shard.counts[a]! -= 1;
    shard.counts[b]! += 1;
    m.splits.test.counts[a]! -= 1;
    m.splits.test.counts[b]! += 1;
    writeFileSync(file, JSON.stringify(m));
    const t = await cli('train', '--dataset', 'shards', '--data-dir', out, '--epochs', '1', '--backend', 'wasm', '--out', path.join(root, 'run-bad'), '--no-progress');
    expect(t.code).toBe(2);
    expect(t.stderr).toContain(
      `tailstream: shards: shard ${path.join(out, shard.file)} does not hold the records per class its manifest lists (class ${a}: ${shard.counts[a]! + 1} in the shard, ${shard.counts[a]} in the manifest; class ${b}: `,
    );
    expect(t.stderr.trim().split('\n').at(-1)).toMatch(/in the manifest\)\.$/);
  });

  it.each([
    [['--format', 'zip'], "tailstream: --format: expected one of tfrecord, wds, got 'zip'.\n"],
    [['--format', 'wds', '--shards', '0'], "tailstream: --shards: expected an integer ≥ 1, got '0'.\n"],
    [['--format', 'wds', '--shards', '2', '--dataset', 'fmnist'], "tailstream: Unknown dataset 'fmnist'; known: mnist-lt, fmnist-lt, fmnist-mlt, cifar10-lt, cifar100-lt, shards, image-list. Did you mean 'fmnist-lt'?\n"],
  ])('bad flags %j: one sentence, exit 2', async (args, message) => {
    const base = ['--dataset', 'fmnist-lt', '--data-dir', idx, '--out', path.join(root, 'never')];
    const r = await cli('shard', ...base, ...(args.includes('--shards') ? [] : ['--shards', '2']), ...args);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(message);
  });

  it('an existing shard folder or a missing --out is refused', async () => {
    const out = path.join(root, 'wds');
    const r = await cli('shard', '--dataset', 'fmnist-lt', '--data-dir', idx, '--format', 'wds', '--shards', '2', '--out', out);
    expect(r.code).toBe(2);
    expect(r.stderr).toBe(`tailstream: ${out} already holds shards (manifest.json); choose another --out or remove them.\n`);
    const m = await cli('shard', '--dataset', 'fmnist-lt', '--format', 'wds', '--shards', '2');
    expect(m.code).toBe(2);
    expect(m.stderr).toContain("required option '--out <dir>' not specified");
  });
});
