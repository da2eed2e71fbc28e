import { describe, expect, it } from 'vitest';
import { existsSync } from 'node:fs';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { buildMosaics, MOSAIC_DEFAULTS, partnerClass, positiveCounts, type MosaicOptions } from '../../src/data/multi-label-mosaic.js';
import type { LabeledImages } from '../../src/data/labeled-images.js';
import { longTailCounts } from '../../src/data/long-tail.js';
import { datasets } from '../../src/data/datasets.js';
import { DEBIAN_FASHION_MNIST_DIR } from '../../src/data/fashion-mnist.js';
import { gatherBatch } from '../../src/streams/gather-batch.js';

const C = 10;
const PER_CLASS = 25; // 250 source images, so each fits in one byte
const H = 3;
const W = 2;
/** Source image k (class k mod C) is filled with the byte k, so a tile names its source image. */
const source: LabeledImages = {
  pixels: Uint8Array.from({ length: C * PER_CLASS * H * W }, (_, p) => Math.floor(p / (H * W))),
  labels: Int32Array.from({ length: C * PER_CLASS }, (_, k) => k % C),
  shape: { height: H, width: W, channels: 1 },
  numClasses: C,
  classNames: Array.from({ length: C }, (_, c) => `c${c}`),
};
const options: MosaicOptions = { ratio: 10, count: 3000, repeat: 0.3, cooccur: 0.2, prior: 'long-tail' };

/** The source image of each of mosaic m's four tiles (tile t at row ⌊t/2⌋, column t mod 2). */
const tilesOf = (pixels: Uint8Array, m: number): number[] =>
  [0, 1, 2, 3].map((t) => {
    const values = new Set<number>();
    for (let r = 0; r < H; r++) {
      for (let c = 0; c < W; c++) values.add(pixels[m * 4 * H * W + ((t >> 1) * H + r) * 2 * W + (t & 1) * W + c]!);
    }
    expect(values.size).toBe(1); // a tile is one whole source image, not a mix
    return [...values][0]!;
  });

describe('buildMosaics', () => {
  const built = buildMosaics(source, options, 5);

  it('places four whole source images as a 2×2 mosaic; the label set is exactly their classes; y is the rarest', () => {
    expect(built.shape).toEqual({ height: 2 * H, width: 2 * W, channels: 1 });
    for (let m = 0; m < 200; m++) {
      const classes = new Set(tilesOf(built.pixels, m).map((k) => k % C));
      const set = Array.from({ length: C }, (_, c) => c).filter((c) => built.targets[m * C + c] === 1);
      expect(set).toEqual([...classes].sort((a, b) => a - b));
      expect(built.labels[m]).toBe(Math.max(...set));
    }
  });

  it('draws each class from a pool of n_c = ⌊n_max · ρ^(−c/(C−1))⌋ distinct images', () => {
    const pools = longTailCounts(PER_CLASS, C, options.ratio, 'exp');
    const distinct = Array.from({ length: C }, () => new Set<number>());
    for (let m = 0; m < options.count; m++) for (const k of tilesOf(built.pixels, m)) distinct[k % C]!.add(k);
    distinct.forEach((s, c) => expect(s.size).toBeLessThanOrEqual(Math.max(1, pools[c]!)));
    expect(distinct[0]!.size).toBe(pools[0]); // the head pool is used whole at this sample size
  });

  it('positive counts match P(c ∈ set) = Σ_f π_f [1 − (1 − q·[partner(f) = c] − (1 − r − q)·π_c)³ for f ≠ c] within 5σ', () => {
    const n = longTailCounts(PER_CLASS, C, options.ratio, 'exp').map((v) => Math.max(1, v));
    const total = n.reduce((s, v) => s + v, 0);
    const prior = n.map((v) => v / total);
    const { repeat: r, cooccur: q } = options;
    const expected = prior.map((pc, c) =>
      prior.reduce((s, pf, f) => s + pf * (f === c ? 1 : 1 - (1 - q * (partnerClass(f, C) === c ? 1 : 0) - (1 - r - q) * pc) ** 3), 0),
    );
    const counts = positiveCounts(built.targets, C);
    counts.forEach((k, c) => {
      const p = expected[c]!;
      expect(Math.abs(k - options.count * p)).toBeLessThan(5 * Math.sqrt(options.count * p * (1 - p)) + 1);
    });
    // A long tail with co-occurrence: class 1 is lifted by its partner, class 0.
    expect(counts[0]! / counts[C - 1]!).toBeGreaterThan(5);
  });

  it('is deterministic for a seed; another seed gives other mosaics', () => {
    const again = buildMosaics(source, options, 5);
    expect(Buffer.from(again.pixels).equals(Buffer.from(built.pixels))).toBe(true);
    expect(Buffer.from(again.targets).equals(Buffer.from(built.targets))).toBe(true);
    expect(Buffer.from(buildMosaics(source, options, 6).pixels).equals(Buffer.from(built.pixels))).toBe(false);
  });

  it('with a uniform prior, every class has about the same positive count', () => {
    const uniform = buildMosaics(source, { ...options, prior: 'uniform' }, 1);
    const counts = positiveCounts(uniform.targets, C);
    expect(Math.max(...counts) / Math.min(...counts)).toBeLessThan(1.3);
  });

  it('refuses probabilities that do not add up', () => {
    expect(() => buildMosaics(source, { ...options, repeat: 0.7, cooccur: 0.5 }, 0)).toThrow('buildMosaics: repeat + cooccur must lie in [0, 1], got 0.7 + 0.5');
  });

  it('partners classes 2k and 2k + 1; an odd last class pairs with itself', () => {
    expect([0, 1, 2, 3, 8, 9].map((c) => partnerClass(c, 10))).toEqual([1, 0, 3, 2, 9, 8]);
    expect(partnerClass(4, 5)).toBe(4);
  });
});

describe('gatherBatch on multi-label images', () => {
  it('carries the multi-hot rows of the chosen samples', () => {
    const built = buildMosaics(source, { ...options, count: 20 }, 2);
    const batch = gatherBatch({ source: built, indices: Int32Array.from({ length: 20 }, (_, i) => 19 - i) }, [0, 5], { mean: [0], std: [1] });
    expect(Array.from(batch.targets!)).toEqual([...built.targets.subarray(19 * C, 20 * C), ...built.targets.subarray(14 * C, 15 * C)]);
    expect(Array.from(batch.y)).toEqual([built.labels[19], built.labels[14]]);
  });
});

describe('fmnist-mlt', () => {
  it.runIf(existsSync(path.join(DEBIAN_FASHION_MNIST_DIR, 'train-images-idx3-ubyte.gz')))(
    "builds 56×56 mosaics from Debian's Fashion-MNIST: long-tailed positive counts, a uniform test prior",
    () => {
      const r = datasets.get('fmnist-mlt').load({ ratio: 100, profile: 'exp', subsetSeed: 0 });
      if (E.isLeft(r)) throw new Error(r.left);
      const ds = r.right;
      expect(ds.shape).toEqual({ height: 56, width: 56, channels: 1 });
      expect(ds.train.indices.length).toBe(12_000);
      expect(ds.trainCounts[0]! / ds.trainCounts[9]!).toBeGreaterThan(30);
      expect(Math.max(...ds.testCounts) / Math.min(...ds.testCounts)).toBeLessThan(1.3);
    },
  );

  it('refuses the step profile in one sentence', () => {
    const r = datasets.get('fmnist-mlt').load({ ratio: 100, profile: 'step', subsetSeed: 0, dataDir: '/nonexistent' });
    expect(E.isLeft(r)).toBe(true);
  });
});
