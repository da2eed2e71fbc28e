/**
 * `manifest.json` of a shard folder written by `tailstream shard`: the format, the image shape and
 * normalisation, and the records per class overall and per shard, for the training and test splits.
 *
 * Intuition: the manifest lets a reader know the class counts without a pass over the data (a
 * class-balanced sampler or an interleave weighted by records left needs them), and lets a loader
 * check that what it read is what was written: every shard's per-class counts, or the difference.
 */
import * as t from 'io-ts';
import * as E from 'fp-ts/lib/Either.js';
import { NonNegativeInt, PositiveInt, FiniteNumber, AtLeastOne } from '../config/codecs.js';
import { decodeWith } from '../config/report.js';

/** The manifest's file name in a shard folder. */
export const MANIFEST_FILE = 'manifest.json';

const ShardEntry = t.type({
  /** File name in the folder (no directory part). */
  file: t.string,
  records: NonNegativeInt,
  /** Records per class. */
  counts: t.array(NonNegativeInt),
  bytes: NonNegativeInt,
});

const Split = t.type({
  records: NonNegativeInt,
  counts: t.array(NonNegativeInt),
  shards: t.array(ShardEntry),
});

/** io-ts codec of `manifest.json` (version 1). */
export const ShardManifest = t.type({
  version: t.literal(1),
  format: t.union([t.literal('tfrecord'), t.literal('webdataset')]),
  imageFormat: t.literal('png'),
  /** The dataset the shards were written from, and how its long tail was built. */
  dataset: t.string,
  source: t.type({ ratio: AtLeastOne, profile: t.union([t.literal('exp'), t.literal('step')]), subsetSeed: t.number, shardSeed: t.number }),
  numClasses: PositiveInt,
  classNames: t.array(t.string),
  shape: t.type({ height: PositiveInt, width: PositiveInt, channels: PositiveInt }),
  /** Per-channel mean and std of the training pixels scaled to [0, 1]. */
  mean: t.array(FiniteNumber),
  std: t.array(FiniteNumber),
  flipInvariant: t.boolean,
  splits: t.type({ train: Split, test: Split }),
});
export type ShardManifest = t.TypeOf<typeof ShardManifest>;
export type ShardManifestSplit = ShardManifest['splits']['train'];

/** A decoded manifest after the checks io-ts cannot express (lengths agree, counts add up, safe file names). */
export const decodeShardManifest = (json: unknown): E.Either<string, ShardManifest> =>
  E.chain((m: ShardManifest): E.Either<string, ShardManifest> => {
    const { numClasses } = m;
    if (m.classNames.length !== numClasses) return E.left(`classNames has ${m.classNames.length} entries for ${numClasses} classes`);
    if (m.mean.length !== m.shape.channels || m.std.length !== m.shape.channels) return E.left(`mean and std need ${m.shape.channels} entries (one per channel)`);
    for (const name of ['train', 'test'] as const) {
      const split = m.splits[name];
      if (split.counts.length !== numClasses) return E.left(`splits.${name}.counts has ${split.counts.length} entries for ${numClasses} classes`);
      if (sum(split.counts) !== split.records) return E.left(`splits.${name}.counts add up to ${sum(split.counts)}, not records ${split.records}`);
      const perClass = new Array<number>(numClasses).fill(0);
      for (const [i, s] of split.shards.entries()) {
        const where = `splits.${name}.shards.${i}`;
        if (!/^[A-Za-z0-9._-]+$/.test(s.file) || s.file.startsWith('.')) return E.left(`${where}.file '${s.file}' is not a plain file name in the folder`);
        if (s.counts.length !== numClasses) return E.left(`${where}.counts has ${s.counts.length} entries for ${numClasses} classes`);
        if (sum(s.counts) !== s.records) return E.left(`${where}.counts add up to ${sum(s.counts)}, not records ${s.records}`);
        s.counts.forEach((n, c) => (perClass[c]! += n));
      }
      const diff = countDifference(perClass, split.counts, 'the shards', 'the split');
      if (diff !== undefined) return E.left(`splits.${name}: per-class counts of the shards do not add up to the split's (${diff})`);
    }
    return E.right(m);
  })(decodeWith(ShardManifest, json));

const sum = (xs: readonly number[]): number => xs.reduce((a, b) => a + b, 0);

/**
 * The classes where `a` and `b` differ, as `class 3: 12 in <aName>, 13 in <bName>; …` (at most 5 listed);
 * undefined when they agree.
 */
export const countDifference = (a: readonly number[], b: readonly number[], aName: string, bName: string): string | undefined => {
  const diffs: string[] = [];
  for (let c = 0; c < Math.max(a.length, b.length); c++) {
    if ((a[c] ?? 0) !== (b[c] ?? 0)) diffs.push(`class ${c}: ${a[c] ?? 0} in ${aName}, ${b[c] ?? 0} in ${bName}`);
  }
  if (diffs.length === 0) return undefined;
  return diffs.length > 5 ? `${diffs.slice(0, 5).join('; ')}; and ${diffs.length - 5} more classes` : diffs.join('; ');
};
