/**
 * Writes a long-tailed dataset (training subset and test set) into N TFRecord or WebDataset shards per
 * split, PNG-encoded, with a `manifest.json` of the counts per class overall and per shard.
 *
 * Intuition: each split's images are put in an order drawn from `createRng(seed).derive('shard-order',
 * split)` and dealt round-robin into the shards, so every shard holds a class-mixed sample of the
 * split (shard-local shuffling of class-sorted shards gives class-correlated batches, libffcv/ffcv#304)
 * and shard sizes differ by at most one. Images are PNG-encoded with sharp (on libuv's thread pool, a
 * few at a time) and appended to a `.partial` file that is renamed once complete, so a folder never
 * holds a half-written shard under its final name; the manifest is written last.
 *
 * TFRecord shards hold `tf.Example`s with `image/encoded`, `image/format` (`png`),
 * `image/class/label`, `image/height`, `image/width`, `image/channels`; WebDataset shards hold
 * `<split>/<index>.png` and `<split>/<index>.cls` (the index is the image's position in its source).
 */
import { closeSync, existsSync, fsyncSync, mkdirSync, openSync, readdirSync, renameSync, writeFileSync, writeSync } from 'node:fs';
import path from 'node:path';
import { createRng, draw } from '../core/rng.js';
import { UserError } from '../core/errors.js';
import type { LongTailDataset } from './datasets.js';
import type { Subset } from './labeled-images.js';
import type { LongTailProfile } from './long-tail.js';
import { encodeTfRecord } from './tfrecord.js';
import { encodeTfExample } from './tf-example.js';
import { encodeTar, TAR_BLOCK } from './tar.js';
import { encodePng } from './sharp-codec.js';
import type { ShardFormat } from './shard-parse.js';
import { MANIFEST_FILE, type ShardManifest, type ShardManifestSplit } from './shard-manifest.js';

/** Options of `writeDatasetShards`. */
export interface WriteShardsOptions {
  readonly format: ShardFormat;
  /** Shards per split (a split with fewer images gets one shard per image). */
  readonly shards: number;
  /** Output folder: created if missing; must not hold a manifest already. */
  readonly out: string;
  /** How the dataset's long tail was built (recorded in the manifest). */
  readonly source: { readonly ratio: number; readonly profile: LongTailProfile; readonly subsetSeed: number };
  /** Seed of the order images are dealt into shards (default 0). */
  readonly seed?: number;
  /** Images PNG-encoded at once (default 8). */
  readonly concurrency?: number;
  /** Told after each shard is written. */
  readonly onShard?: (split: 'train' | 'test', file: string, records: number) => void;
}

const fileName = (split: string, i: number, n: number, format: ShardFormat) =>
  `${split}-${String(i).padStart(5, '0')}-of-${String(n).padStart(5, '0')}.${format === 'tfrecord' ? 'tfrecord' : 'tar'}`;

/**
 * Writes the shards and the manifest; resolves to the manifest.
 * @throws UserError ('bad-argument') when the folder already holds shards or `shards` is not a positive integer.
 */
export const writeDatasetShards = async (dataset: LongTailDataset, options: WriteShardsOptions): Promise<ShardManifest> => {
  if (!(Number.isInteger(options.shards) && options.shards >= 1)) throw new UserError('bad-argument', `--shards: expected a positive integer, got ${options.shards}.`);
  const { out, format } = options;
  if (existsSync(path.join(out, MANIFEST_FILE))) {
    throw new UserError('bad-argument', `${out} already holds shards (${MANIFEST_FILE}); choose another --out or remove them.`);
  }
  mkdirSync(out, { recursive: true });
  const stale = readdirSync(out).filter((f) => /^(train|test)-\d{5}-of-\d{5}\.(tfrecord|tar)(\.partial)?$/.test(f));
  if (stale.length > 0) throw new UserError('bad-argument', `${out} already holds shard files (${stale[0]}); choose another --out or remove them.`);
  const seed = options.seed ?? 0;
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 8));
  const { shape, numClasses } = dataset;
  const perImage = shape.height * shape.width * shape.channels;

  const writeSplit = async (split: 'train' | 'test', subset: Subset): Promise<ShardManifestSplit> => {
    const total = subset.indices.length;
    const n = Math.max(1, Math.min(options.shards, total));
    const [order] = draw(createRng(seed).derive('shard-order', split), (d) => d.permutation(total));
    const shards: ShardManifestSplit['shards'] = [];
    for (let s = 0; s < n; s++) {
      const members: number[] = [];
      for (let j = s; j < total; j += n) members.push(subset.indices[order[j]!]!);
      const file = fileName(split, s, n, format);
      const partial = path.join(out, `${file}.partial`);
      const fd = openSync(partial, 'w');
      const counts = new Array<number>(numClasses).fill(0);
      let bytes = 0;
      const append = (chunk: Uint8Array) => {
        let done = 0;
        while (done < chunk.length) done += writeSync(fd, chunk, done, chunk.length - done);
        bytes += chunk.length;
      };
      try {
        for (let start = 0; start < members.length; start += concurrency) {
          const batch = members.slice(start, start + concurrency);
          const pngs = await Promise.all(batch.map((i) => encodePng(subset.source.pixels.subarray(i * perImage, (i + 1) * perImage), shape)));
          batch.forEach((i, b) => {
            const label = subset.source.labels[i]!;
            counts[label]!++;
            if (format === 'tfrecord') {
              append(
                encodeTfRecord(
                  encodeTfExample([
                    ['image/encoded', { kind: 'bytes', values: [pngs[b]!] }],
                    ['image/format', { kind: 'bytes', values: [new TextEncoder().encode('png')] }],
                    ['image/class/label', { kind: 'int64', values: [BigInt(label)] }],
                    ['image/height', { kind: 'int64', values: [BigInt(shape.height)] }],
                    ['image/width', { kind: 'int64', values: [BigInt(shape.width)] }],
                    ['image/channels', { kind: 'int64', values: [BigInt(shape.channels)] }],
                  ]),
                ),
              );
            } else {
              const key = `${split}/${String(i).padStart(7, '0')}`;
              const tar = encodeTar([
                { name: `${key}.png`, data: pngs[b]! },
                { name: `${key}.cls`, data: new TextEncoder().encode(String(label)) },
              ]);
              append(tar.subarray(0, tar.length - 2 * TAR_BLOCK)); // the end marker comes once, at the end
            }
          });
        }
        if (format === 'webdataset') append(new Uint8Array(2 * TAR_BLOCK));
        fsyncSync(fd);
      } finally {
        closeSync(fd);
      }
      renameSync(partial, path.join(out, file));
      shards.push({ file, records: members.length, counts, bytes });
      options.onShard?.(split, file, members.length);
    }
    const counts = new Array<number>(numClasses).fill(0);
    for (const s of shards) s.counts.forEach((c, k) => (counts[k]! += c));
    return { records: total, counts, shards };
  };

  const manifest: ShardManifest = {
    version: 1,
    format,
    imageFormat: 'png',
    dataset: dataset.name,
    source: { ...options.source, shardSeed: seed },
    numClasses,
    classNames: [...dataset.classNames],
    shape: { ...shape },
    mean: [...dataset.mean],
    std: [...dataset.std],
    flipInvariant: dataset.flipInvariant,
    splits: { train: await writeSplit('train', dataset.train), test: await writeSplit('test', dataset.test) },
  };
  writeFileSync(path.join(out, MANIFEST_FILE), `${JSON.stringify(manifest, null, 2)}\n`);
  return manifest;
};
