/**
 * Shard folders: a long-tailed dataset written into TFRecord / WebDataset shards with a manifest, read
 * back (by the `shards` dataset and by the streams) to the same images and labels, and every way the
 * folder can disagree with its manifest reported with the difference.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { existsSync, mkdtempSync, readFileSync, readdirSync, rmSync, unlinkSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { lastValueFrom, toArray } from 'rxjs';
import { isUserError } from '../../src/core/errors.js';
import { datasets, longTailFromTrainTest, type LongTailDataset } from '../../src/data/datasets.js';
import type { LabeledImages } from '../../src/data/labeled-images.js';
import { writeDatasetShards } from '../../src/data/write-shards.js';
import { loadShardDataset } from '../../src/data/shard-dataset.js';
import { decodeShardManifest, MANIFEST_FILE, type ShardManifest } from '../../src/data/shard-manifest.js';
import type { ShardFormat } from '../../src/data/shard-parse.js';
import { pullThrough } from '../../src/streams/pull-source.js';
import { shardRecords, type ShardItem } from '../../src/streams/shard-records.js';
import { decodeImages } from '../../src/streams/decode-images.js';

/** A balanced source of `perClass` images per class, each image distinct. */
const source = (classes: number, perClass: number, h: number, w: number, c: number, salt: number): LabeledImages => {
  const n = classes * perClass;
  return {
    pixels: Uint8Array.from({ length: n * h * w * c }, (_, p) => (p * 31 + salt + ((p / (h * w * c)) | 0) * 17) % 251),
    labels: Int32Array.from({ length: n }, (_, i) => i % classes),
    shape: { height: h, width: w, channels: c },
    numClasses: classes,
    classNames: Array.from({ length: classes }, (_, k) => `class-${k}`),
  };
};

const tiny = (c: number): LongTailDataset =>
  longTailFromTrainTest('tiny', source(4, 16, 10, 9, c, 1), source(4, 5, 10, 9, c, 2), { ratio: 8, profile: 'exp', subsetSeed: 0 }, true);

/** Each image of a split as `label:pixels`, sorted: equal multisets ⇔ equal sorted lists. */
const images = (ds: LongTailDataset, split: 'train' | 'test'): string[] => {
  const s = ds[split];
  const per = ds.shape.height * ds.shape.width * ds.shape.channels;
  return Array.from(s.indices, (i) => `${s.source.labels[i]}:${Buffer.from(s.source.pixels.subarray(i * per, (i + 1) * per)).toString('base64')}`).sort();
};

let root = '';
beforeAll(() => {
  root = mkdtempSync(path.join(tmpdir(), 'tailstream-shard-ds-'));
});
afterAll(() => rmSync(root, { recursive: true, force: true }));

const SOURCE = { ratio: 8, profile: 'exp', subsetSeed: 0 } as const;

describe.each([
  ['tfrecord', 1],
  ['webdataset', 3],
] as const)('shard folders (%s, %i channel(s))', (format: ShardFormat, channels) => {
  let out = '';
  let manifest: ShardManifest;
  const ds = tiny(channels);
  beforeAll(async () => {
    out = path.join(root, `${format}-${channels}`);
    manifest = await writeDatasetShards(ds, { format, shards: 3, out, source: SOURCE });
  });

  it('writes N class-mixed shards per split and a manifest of the counts per class, overall and per shard', () => {
    const ext = format === 'tfrecord' ? 'tfrecord' : 'tar';
    expect(readdirSync(out).sort()).toEqual([
      MANIFEST_FILE,
      ...['test', 'train'].flatMap((s) => [0, 1, 2].map((i) => `${s}-0000${i}-of-00003.${ext}`)),
    ]);
    expect(decodeShardManifest(JSON.parse(readFileSync(path.join(out, MANIFEST_FILE), 'utf8')))).toEqual(E.right(manifest));
    expect(manifest.splits.train.counts).toEqual(ds.trainCounts);
    expect(manifest.splits.test.counts).toEqual(ds.testCounts);
    expect(manifest.shape).toEqual({ height: 10, width: 9, channels });
    expect(manifest.mean).toEqual(ds.mean);
    for (const shard of manifest.splits.train.shards) {
      expect(Math.abs(shard.records - ds.train.indices.length / 3)).toBeLessThan(1);
      expect(shard.counts.filter((n) => n > 0).length).toBeGreaterThanOrEqual(2);
      expect(shard.bytes).toBe(readFileSync(path.join(out, shard.file)).length);
    }
  });

  it('loads back as the `shards` dataset: the same images, labels, counts and normalisation', () => {
    const loaded = datasets.get('shards').load({ ...SOURCE, dataDir: out });
    if (E.isLeft(loaded)) throw new Error(loaded.left);
    const back = loaded.right;
    expect(images(back, 'train')).toEqual(images(ds, 'train'));
    expect(images(back, 'test')).toEqual(images(ds, 'test'));
    expect(back.trainCounts).toEqual(ds.trainCounts);
    expect(back.testCounts).toEqual(ds.testCounts);
    expect([back.mean, back.std, back.flipInvariant, back.classNames, back.shape]).toEqual([ds.mean, ds.std, true, ds.classNames, ds.shape]);
  });

  it('streams back through shardRecords + decodeImages (sharp) to the same training images', async () => {
    const shards = manifest.splits.train.shards.map((s) => path.join(out, s.file));
    const items = await lastValueFrom(
      pullThrough(shardRecords({ format, shards }), decodeImages<ShardItem>({ channels, size: { height: 10, width: 9 } }), { prefetch: 4 }).pipe(toArray()),
    );
    expect(items.map((i) => `${i.record.label}:${Buffer.from(i.pixels).toString('base64')}`).sort()).toEqual(images(ds, 'train'));
  });
});

describe('shard folders that disagree with their manifest', () => {
  const fresh = async (name: string): Promise<string> => {
    const out = path.join(root, name);
    await writeDatasetShards(tiny(1), { format: 'tfrecord', shards: 3, out, source: SOURCE });
    return out;
  };
  const editManifest = (out: string, edit: (m: ShardManifest) => void) => {
    const file = path.join(out, MANIFEST_FILE);
    const m = JSON.parse(readFileSync(file, 'utf8')) as ShardManifest;
    edit(m);
    writeFileSync(file, JSON.stringify(m));
  };
  const loadError = (out: string): string => {
    const r = loadShardDataset(out);
    return E.isLeft(r) ? r.left : 'loaded';
  };

  it('per-class counts that differ from the manifest: fails with the difference, class by class', async () => {
    const out = await fresh('miscounted');
    editManifest(out, (m) => {
      const s = m.splits.train.shards[1]!;
      s.counts[0]! += 1;
      s.counts[2]! -= 1;
      m.splits.train.counts[0]! += 1;
      m.splits.train.counts[2]! -= 1;
    });
    const counts = (JSON.parse(readFileSync(path.join(out, MANIFEST_FILE), 'utf8')) as ShardManifest).splits.train.shards[1]!.counts;
    expect(loadError(out)).toBe(
      `shard ${path.join(out, 'train-00001-of-00003.tfrecord')} does not hold the records per class its manifest lists (class 0: ${counts[0]! - 1} in the shard, ${counts[0]} in the manifest; class 2: ${counts[2]! + 1} in the shard, ${counts[2]} in the manifest)`,
    );
  });

  it('a manifest whose shard counts do not add up, a missing shard, a corrupt shard, a foreign file name', async () => {
    const out = await fresh('broken');
    editManifest(out, (m) => {
      m.splits.test.counts[3]! += 2;
      m.splits.test.records += 2;
    });
    expect(loadError(out)).toBe(
      `${path.join(out, MANIFEST_FILE)}: splits.test: per-class counts of the shards do not add up to the split's (class 3: 5 in the shards, 7 in the split)`,
    );
    editManifest(out, (m) => {
      m.splits.test.counts[3]! -= 2;
      m.splits.test.records -= 2;
      m.splits.train.shards[0]!.file = '../escape.tfrecord';
    });
    expect(loadError(out)).toBe(`${path.join(out, MANIFEST_FILE)}: splits.train.shards.0.file '../escape.tfrecord' is not a plain file name in the folder`);
    editManifest(out, (m) => {
      m.splits.train.shards[0]!.file = 'train-00000-of-00003.tfrecord';
    });
    expect(loadError(out)).toBe('loaded');
    const victim = path.join(out, 'test-00002-of-00003.tfrecord');
    const bytes = new Uint8Array(readFileSync(victim));
    bytes[40] = bytes[40]! ^ 0xff;
    writeFileSync(victim, bytes);
    expect(loadError(out)).toMatch(new RegExp(`^shard ${victim.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: TFRecord data CRC mismatch .* at byte 0$`));
    unlinkSync(victim);
    expect(loadError(out)).toBe(`cannot read ${victim} (ENOENT)`);
  });

  it('the `shards` dataset needs --data-dir; a folder without a manifest is named', () => {
    expect(datasets.get('shards').load(SOURCE)).toEqual(E.left('needs --data-dir pointing at a folder written by tailstream shard'));
    expect(loadShardDataset(root)).toEqual(E.left(`cannot read ${path.join(root, MANIFEST_FILE)} (ENOENT)`));
  });

  it('refuses to write into a folder that already holds shards', async () => {
    const out = await fresh('twice');
    await expect(writeDatasetShards(tiny(1), { format: 'tfrecord', shards: 2, out, source: SOURCE })).rejects.toSatisfy(
      (e: unknown) => isUserError(e) && e.message === `${out} already holds shards (manifest.json); choose another --out or remove them.`,
    );
    unlinkSync(path.join(out, MANIFEST_FILE));
    await expect(writeDatasetShards(tiny(1), { format: 'tfrecord', shards: 2, out, source: SOURCE })).rejects.toThrow(/already holds shard files \(t\w+-00000-of-00003\.tfrecord\)/);
    expect(existsSync(path.join(out, 'train-00000-of-00002.tfrecord'))).toBe(false);
  });
});
