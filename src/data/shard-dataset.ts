/**
 * A shard folder written by `tailstream shard` loaded back into a `LongTailDataset`: the `shards`
 * dataset of the registry (`tailstream train --dataset shards --data-dir DIR`).
 *
 * Intuition: read `manifest.json`, then every shard of both splits with the same parsers the streams
 * use (synchronously: dataset loading is synchronous), decode each PNG with the synchronous decoder,
 * and count the records per class and shard as they are read. Any shard whose counts differ from the
 * manifest fails the load with the difference (class by class), as does a corrupt record, an image
 * of another shape or a label outside the classes: a run never trains on data other than what the
 * manifest describes. The long tail is the one the shards were written with (the manifest's `source`).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type { LongTailDataset } from './datasets.js';
import type { LabeledImages, Subset } from './labeled-images.js';
import { openLocalBytes, parseSync, shardParser } from './shard-parse.js';
import { decodePng } from './png.js';
import { countDifference, decodeShardManifest, MANIFEST_FILE, type ShardManifest, type ShardManifestSplit } from './shard-manifest.js';

const errorText = (e: unknown): string => (e instanceof Error ? ((e as { code?: string }).code ?? e.message) : String(e));

/** The manifest of a shard folder, checked. */
export const readShardManifest = (dir: string): E.Either<string, ShardManifest> => {
  const file = path.join(dir, MANIFEST_FILE);
  let json: unknown;
  try {
    json = JSON.parse(readFileSync(file, 'utf8'));
  } catch (e) {
    return E.left(e instanceof SyntaxError ? `${file} is not valid JSON` : `cannot read ${file} (${errorText(e)})`);
  }
  return E.mapLeft((why: string) => `${file}: ${why}`)(decodeShardManifest(json));
};

/** Every image of one split, read and checked against the manifest. */
const readSplit = (dir: string, manifest: ShardManifest, name: 'train' | 'test', split: ShardManifestSplit): E.Either<string, LabeledImages> => {
  const { shape, numClasses, format } = manifest;
  const perImage = shape.height * shape.width * shape.channels;
  const images: Uint8Array[] = [];
  const labels: number[] = [];
  for (const shard of split.shards) {
    const file = path.join(dir, shard.file);
    let bytes: ReturnType<typeof openLocalBytes>;
    try {
      bytes = openLocalBytes(file);
    } catch (e) {
      return E.left(`cannot read ${file} (${errorText(e)})`);
    }
    const counts = new Array<number>(numClasses).fill(0);
    try {
      for (const r of parseSync(shardParser(format, bytes.size, 0), bytes)) {
        if (r.kind === 'corrupt') return E.left(`shard ${file}: ${r.reason} at byte ${r.offset}`);
        const { label, image } = r.record;
        if (label >= numClasses) return E.left(`shard ${file}: the record at byte ${r.offset} has label ${label}, but there are ${numClasses} classes`);
        const png = decodePng(image, shape.height * shape.width);
        if (E.isLeft(png)) return E.left(`shard ${file}: the image of the record at byte ${r.offset}: ${png.left}`);
        const { height, width, channels, pixels } = png.right;
        if (height !== shape.height || width !== shape.width || channels !== shape.channels) {
          return E.left(`shard ${file}: the image of the record at byte ${r.offset} is ${height}×${width}×${channels}, the manifest says ${shape.height}×${shape.width}×${shape.channels}`);
        }
        images.push(pixels);
        labels.push(label);
        counts[label]!++;
      }
    } finally {
      bytes.close();
    }
    const diff = countDifference(counts, shard.counts, 'the shard', 'the manifest');
    if (diff !== undefined) return E.left(`shard ${file} does not hold the records per class its manifest lists (${diff})`);
  }
  const read = new Array<number>(numClasses).fill(0);
  for (const l of labels) read[l]!++;
  const diff = countDifference(read, split.counts, 'the shards', 'the manifest');
  if (diff !== undefined) return E.left(`the ${name} shards do not hold the records per class the manifest lists (${diff})`);
  const pixels = new Uint8Array(images.length * perImage);
  images.forEach((p, i) => pixels.set(p, i * perImage));
  return E.right({ pixels, labels: Int32Array.from(labels), shape: { ...shape }, numClasses, classNames: manifest.classNames });
};

const all = (n: number): Int32Array => Int32Array.from({ length: n }, (_, i) => i);

/** Loads a shard folder into a `LongTailDataset`; Left is one sentence fragment naming the file and what is wrong. */
export const loadShardDataset = (dir: string): E.Either<string, LongTailDataset> =>
  E.chain((manifest: ShardManifest) => {
    const train = readSplit(dir, manifest, 'train', manifest.splits.train);
    if (E.isLeft(train)) return train;
    const test = readSplit(dir, manifest, 'test', manifest.splits.test);
    if (E.isLeft(test)) return test;
    const trainSubset: Subset = { source: train.right, indices: all(train.right.labels.length) };
    const testSubset: Subset = { source: test.right, indices: all(test.right.labels.length) };
    return E.right<string, LongTailDataset>({
      name: 'shards',
      train: trainSubset,
      test: testSubset,
      trainCounts: [...manifest.splits.train.counts],
      testCounts: [...manifest.splits.test.counts],
      numClasses: manifest.numClasses,
      classNames: manifest.classNames,
      shape: { ...manifest.shape },
      mean: manifest.mean,
      std: manifest.std,
      flipInvariant: manifest.flipInvariant,
    });
  })(readShardManifest(dir));
