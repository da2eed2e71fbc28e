import { describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import * as E from 'fp-ts/lib/Either.js';
import { datasets, DEBIAN_FASHION_MNIST_DIR, encodeIdx, subsetLabels } from '../../src/data/index.js';
import { countClasses } from '../../src/core/class-counts.js';

const load = (name: string, extra: Record<string, unknown> = {}) => {
  const r = datasets.get(name).load({ ratio: 100, profile: 'exp', subsetSeed: 0, ...extra });
  if (E.isLeft(r)) throw new Error(r.left);
  return r.right;
};

describe('mnist-lt', () => {
  const ds = load('mnist-lt');

  it('has the exponential profile with n_max = the smallest class after the hold-out', () => {
    // mnist's smallest class (5) has 863 digits; 172 = ⌊0.2·863⌋ go to the test set, leaving 691.
    expect(ds.trainCounts).toEqual([691, 414, 248, 148, 89, 53, 32, 19, 11, 6]);
    expect(ds.testCounts).toEqual(new Array(10).fill(172));
  });

  it('keeps test and training images apart', () => {
    const test = new Set(ds.test.indices);
    expect([...ds.train.indices].some((i) => test.has(i))).toBe(false);
    expect(countClasses(subsetLabels(ds.train), 10)).toEqual(ds.trainCounts);
  });

  it('uses the same test set whatever the subset seed, and another training subset', () => {
    const other = load('mnist-lt', { subsetSeed: 1 });
    expect([...other.test.indices]).toEqual([...ds.test.indices]);
    expect([...other.train.indices]).not.toEqual([...ds.train.indices]);
    expect(other.trainCounts).toEqual(ds.trainCounts);
  });

  it('normalises with the training subset statistics', () => {
    expect(ds.mean[0]).toBeGreaterThan(0.1);
    expect(ds.mean[0]).toBeLessThan(0.2);
    expect(ds.std[0]).toBeGreaterThan(0.25);
    expect(ds.flipInvariant).toBe(false);
  });
});

describe('fmnist-lt', () => {
  it('reads IDX files from a data dir (generated, real format) and builds the long tail', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fmnist-'));
    const perClass = 30;
    const n = perClass * 10;
    const labels = Uint8Array.from({ length: n }, (_, i) => i % 10);
    const pixels = Uint8Array.from({ length: n * 28 * 28 }, (_, i) => (i * 7) % 256);
    for (const split of ['train', 't10k']) {
      writeFileSync(path.join(dir, `${split}-images-idx3-ubyte.gz`), gzipSync(encodeIdx([n, 28, 28], pixels)));
      writeFileSync(path.join(dir, `${split}-labels-idx1-ubyte.gz`), gzipSync(encodeIdx([n], labels)));
    }
    const ds = load('fmnist-lt', { dataDir: dir, ratio: 10 });
    // python3: [int(30 * 0.1 ** (i / 9)) for i in range(10)]
    expect(ds.trainCounts).toEqual([30, 23, 17, 13, 10, 8, 6, 5, 3, 3]);
    expect(ds.testCounts).toEqual(new Array(10).fill(30));
    expect(ds.classNames[9]).toBe('Ankle boot');
    expect(ds.flipInvariant).toBe(true);
  });

  it('names the missing file', () => {
    const r = datasets.get('fmnist-lt').load({ ratio: 100, profile: 'exp', subsetSeed: 0, dataDir: '/nonexistent' });
    expect(E.isLeft(r) && r.left).toBe('cannot read /nonexistent/train-images-idx3-ubyte.gz (ENOENT)');
  });

  it('names a corrupt file and what is wrong with it', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'fmnist-bad-'));
    writeFileSync(path.join(dir, 'train-images-idx3-ubyte.gz'), gzipSync(encodeIdx([2, 28, 28], new Uint8Array(2 * 784))));
    writeFileSync(path.join(dir, 'train-labels-idx1-ubyte.gz'), gzipSync(encodeIdx([3], new Uint8Array(3))));
    const r = datasets.get('fmnist-lt').load({ ratio: 100, profile: 'exp', subsetSeed: 0, dataDir: dir });
    expect(E.isLeft(r) && r.left).toBe(
      `${dir}/train-labels-idx1-ubyte.gz: expected 2 labels to match ${dir}/train-images-idx3-ubyte.gz, got 3`,
    );
  });

  it.runIf(existsSync(path.join(DEBIAN_FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz')))(
    "builds Fashion-MNIST-LT from Debian's package",
    () => {
      const ds = load('fmnist-lt');
      expect(ds.trainCounts).toEqual([6000, 3596, 2156, 1292, 774, 464, 278, 166, 100, 60]);
      expect(ds.testCounts).toEqual(new Array(10).fill(1000));
    },
  );
});
