import { describe, expect, it } from 'vitest';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { decodeCifarBatch, encodeCifarBatch, loadCifar } from '../../src/data/cifar-binary.js';
import { datasets } from '../../src/data/datasets.js';

const PIXELS = 32 * 32 * 3;
/** n images whose pixel (r, c, ch) is (i + r + 2c + 3ch) mod 256, labels i mod classes. */
const images = (n: number, classes: number, offset = 0) => ({
  labels: Int32Array.from({ length: n }, (_, i) => (i + offset) % classes),
  pixels: Uint8Array.from({ length: n * PIXELS }, (_, k) => {
    const i = Math.floor(k / PIXELS);
    const p = k % PIXELS;
    const ch = p % 3;
    const px = Math.floor(p / 3);
    return (i + Math.floor(px / 32) + 2 * (px % 32) + 3 * ch) % 256;
  }),
});

describe('CIFAR binary batches', () => {
  it('store channel planes and are read back as NHWC (CIFAR-10 and CIFAR-100 fine labels)', () => {
    const { labels, pixels } = images(3, 10);
    const bytes = encodeCifarBatch(labels, pixels, 'cifar10');
    expect(bytes.length).toBe(3 * 3073);
    // Record 1: label byte, then the red plane: pixel (0, 1) red = 1 + 0 + 2 = 3, green plane starts at 1 + 1024.
    expect(bytes[3073]).toBe(1);
    expect(bytes[3073 + 1 + 1]).toBe(3);
    expect(bytes[3073 + 1 + 1024 + 1]).toBe(6);
    const back = decodeCifarBatch(bytes, 'cifar10');
    expect(E.isRight(back) && [...back.right.pixels]).toEqual([...pixels]);
    const hundred = images(4, 100, 97);
    const decoded = decodeCifarBatch(encodeCifarBatch(hundred.labels, hundred.pixels, 'cifar100'), 'cifar100');
    expect(E.isRight(decoded) && [...decoded.right.labels]).toEqual([97, 98, 99, 0]);
  });

  it('refuses a partial record and an out-of-range label', () => {
    expect(decodeCifarBatch(new Uint8Array(3074), 'cifar10')).toEqual(E.left('3074 bytes is not a whole number of 3073-byte cifar10 records'));
    const bytes = encodeCifarBatch([3], new Uint8Array(PIXELS), 'cifar10');
    bytes[0] = 12;
    expect(decodeCifarBatch(bytes, 'cifar10')).toEqual(E.left('record 0 has label 12, not below 10'));
  });

  it('builds CIFAR-10-LT from a local copy in the real layout', () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'cifar-'));
    for (let k = 1; k <= 5; k++) {
      const { labels, pixels } = images(20, 10, k);
      writeFileSync(path.join(dir, `data_batch_${k}.bin`), encodeCifarBatch(labels, pixels, 'cifar10'));
    }
    const test = images(30, 10);
    writeFileSync(path.join(dir, 'test_batch.bin'), encodeCifarBatch(test.labels, test.pixels, 'cifar10'));
    writeFileSync(path.join(dir, 'batches.meta.txt'), 'airplane\nautomobile\nbird\ncat\ndeer\ndog\nfrog\nhorse\nship\ntruck\n\n');
    const r = datasets.get('cifar10-lt').load({ ratio: 10, profile: 'exp', subsetSeed: 0, dataDir: dir });
    expect(E.isRight(r)).toBe(true);
    if (E.isRight(r)) {
      // python3: [int(10 * 0.1 ** (i / 9)) for i in range(10)]
      expect(r.right.trainCounts).toEqual([10, 7, 5, 4, 3, 2, 2, 1, 1, 1]);
      expect(r.right.testCounts).toEqual(new Array(10).fill(3));
      expect(r.right.shape).toEqual({ height: 32, width: 32, channels: 3 });
      expect(r.right.classNames[9]).toBe('truck');
      expect(r.right.mean).toHaveLength(3);
    }
    expect(E.isLeft(loadCifar(path.join(dir, 'missing'), 'cifar10'))).toBe(true);
  });

  it('asks for --data-dir rather than downloading', () => {
    expect(datasets.get('cifar100-lt').load({ ratio: 100, profile: 'exp', subsetSeed: 0 })).toEqual(
      E.left('needs --data-dir pointing at your cifar-100-binary folder (CIFAR is not downloaded)'),
    );
  });
});
