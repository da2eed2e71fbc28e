/**
 * A multi-label long-tailed image set built from a single-label one (Fashion-MNIST by default): each
 * sample is a 2×2 mosaic of four images, and its label set is the set of their classes. The label
 * frequencies follow an exponential long tail and labels co-occur, the two properties the
 * distribution-balanced loss was designed for (Wu et al., ECCV 2020, on VOC-MLT / COCO-MLT).
 *
 * Construction (deterministic for a seed; classes are head-first, class 0 the most frequent):
 * - per class c, a pool of n_c = max(1, ⌊n_max · ρ^(−c/(C−1))⌋) distinct source images (a seeded
 *   choice), so a tail class has few distinct images as in a long-tailed subset;
 * - the first tile's class is drawn from the prior π_c ∝ n_c; each other tile repeats it with
 *   probability `repeat` (several instances of one object), takes its partner class (c XOR 1: classes
 *   2k and 2k+1 co-occur, pairs of neighbouring frequency) with probability `cooccur`, and is drawn
 *   from π otherwise; each tile's image is drawn from its class's pool;
 * - the test set is built the same way from the source's test split with a uniform prior and every
 *   test image available, so each class has enough positives to score per-class average precision.
 * A sample's single label `y` (what single-label samplers and metrics read) is its rarest class: the
 * largest class index in its set.
 */
import { createRng, draw, type Rng } from '../core/rng.js';
import type { LabeledImages } from './labeled-images.js';
import { indicesByClass, longTailCounts } from './long-tail.js';

/** How to build the mosaics. */
export interface MosaicOptions {
  /** Imbalance ratio of the per-class pools and of the prior, ≥ 1. */
  readonly ratio: number;
  /** Mosaics to build. */
  readonly count: number;
  /** Probability that a tile repeats the first tile's class. */
  readonly repeat: number;
  /** Probability that a tile takes the first tile's partner class. */
  readonly cooccur: number;
  /** 'long-tail': prior ∝ n_c over pools of n_c images; 'uniform': uniform prior over every image. */
  readonly prior: 'long-tail' | 'uniform';
}

/** Defaults: ρ = 100, 0.3 repeat, 0.2 co-occurrence. */
export const MOSAIC_DEFAULTS: Omit<MosaicOptions, 'count' | 'prior'> = { ratio: 100, repeat: 0.3, cooccur: 0.2 };

/** Multi-label images: `LabeledImages` (label = rarest class) whose multi-hot targets are always present. */
export interface MultiLabelImages extends LabeledImages {
  readonly targets: Uint8Array;
}

/** The co-occurring partner of class `c` (2k ↔ 2k + 1; the last class of an odd count pairs with itself). */
export const partnerClass = (c: number, numClasses: number): number => ((c ^ 1) < numClasses ? c ^ 1 : c);

/** Per-class positive counts of multi-hot targets (defined in core, re-exported here beside the mosaics). */
export { positiveCounts } from '../core/class-counts.js';

/** The class pools: per class, the source indices a tile may use. */
const classPools = (source: LabeledImages, options: MosaicOptions, rng: Rng): Int32Array[] => {
  const byClass = indicesByClass(source.labels, source.numClasses);
  if (options.prior === 'uniform') return byClass;
  const counts = longTailCounts(Math.min(...byClass.map((a) => a.length)), source.numClasses, options.ratio, 'exp');
  return byClass.map((all, c) => {
    const [order] = draw(rng.derive('pool', c), (d) => d.permutation(all.length));
    return Int32Array.from({ length: Math.max(1, counts[c]!) }, (_, j) => all[order[j]!]!);
  });
};

/**
 * 2×2 mosaics of `source` images (each 2H × 2W) with their label sets.
 * @throws Error when the source has an empty class or options are out of range (programmer errors)
 */
export const buildMosaics = (source: LabeledImages, options: MosaicOptions, seed: number): MultiLabelImages => {
  const C = source.numClasses;
  if (options.repeat < 0 || options.cooccur < 0 || options.repeat + options.cooccur > 1) {
    throw new Error(`buildMosaics: repeat + cooccur must lie in [0, 1], got ${options.repeat} + ${options.cooccur}`);
  }
  const rng = createRng(seed);
  const pools = classPools(source, options, rng);
  if (pools.some((p) => p.length === 0)) throw new Error('buildMosaics: every class needs at least one source image');
  const prior = options.prior === 'uniform' ? pools.map(() => 1) : pools.map((p) => p.length);
  const { height: h, width: w, channels: ch } = source.shape;
  const shape = { height: 2 * h, width: 2 * w, channels: ch };
  const tileLength = h * w * ch;
  const mosaicLength = 4 * tileLength;
  const pixels = new Uint8Array(options.count * mosaicLength);
  const labels = new Int32Array(options.count);
  const targets = new Uint8Array(options.count * C);
  draw(rng.derive('mosaics'), (d) => {
    for (let m = 0; m < options.count; m++) {
      const first = d.categorical(prior);
      for (let t = 0; t < 4; t++) {
        let c = first;
        if (t > 0) {
          const u = d.uniform();
          c = u < options.repeat ? first : u < options.repeat + options.cooccur ? partnerClass(first, C) : d.categorical(prior);
        }
        const pool = pools[c]!;
        const image = pool[d.int(0, pool.length - 1)]!;
        targets[m * C + c] = 1;
        // Tile t goes to row ⌊t/2⌋, column t mod 2 of the mosaic.
        const top = (t >> 1) * h;
        const left = (t & 1) * w;
        for (let r = 0; r < h; r++) {
          const src = image * tileLength + r * w * ch;
          const dst = m * mosaicLength + ((top + r) * 2 * w + left) * ch;
          pixels.set(source.pixels.subarray(src, src + w * ch), dst);
        }
      }
      let rarest = 0;
      for (let c = 0; c < C; c++) if (targets[m * C + c] === 1) rarest = c;
      labels[m] = rarest;
    }
  });
  return { pixels, labels, targets, shape, numClasses: C, classNames: source.classNames };
};
