import { beforeAll, describe, expect, it } from 'vitest';
import { mkdirSync, mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import sharp from 'sharp';
import { datasets, loadDataset, loadImageList, parseImageList, subsetLabels } from '../../src/data/index.js';
import { initBackend } from '../../src/backend/index.js';
import { evaluateRun } from '../../src/recipes/evaluate-run.js';
import { calibrateRun } from '../../src/recipes/calibrate-run.js';
import { DEFAULT_RUN_CONFIG, runTraining } from '../../src/recipes/index.js';

/** Solid RGB colour of each class. */
const COLOURS: ReadonlyArray<readonly [number, number, number]> = [
  [200, 30, 40],
  [20, 180, 60],
  [40, 50, 220],
];

const solid = (width: number, height: number, rgb: readonly number[]): Buffer => {
  const px = Buffer.alloc(width * height * 3);
  for (let i = 0; i < width * height; i++) px.set(rgb, i * 3);
  return px;
};

const writeImage = async (file: string, width: number, height: number, rgb: readonly number[], format: 'png' | 'jpeg'): Promise<void> => {
  mkdirSync(path.dirname(file), { recursive: true });
  const img = sharp(solid(width, height, rgb), { raw: { width, height, channels: 3 } });
  writeFileSync(file, await (format === 'png' ? img.png() : img.jpeg({ quality: 95 })).toBuffer());
};

const TRAIN_PER_CLASS = [6, 3, 1];
const TEST_PER_CLASS = [2, 2, 2];

/**
 * A folder in the layout of ImageNet-LT: class c's images are solid COLOURS[c], of assorted sizes,
 * PNG for even indices and JPEG for odd ones; train.txt lists them with a 6/3/1 long tail, with blank lines.
 */
const makeFolder = async (): Promise<string> => {
  const dir = mkdtempSync(path.join(tmpdir(), 'ts-imagelist-'));
  for (const [split, perClass] of [['train', TRAIN_PER_CLASS], ['test', TEST_PER_CLASS]] as const) {
    const lines: string[] = [];
    for (let c = 0; c < perClass.length; c++) {
      for (let i = 0; i < perClass[c]!; i++) {
        const format = i % 2 === 0 ? 'png' : 'jpeg';
        const rel = `${split}/n0${c}/img_${i}.${format === 'png' ? 'png' : 'JPEG'}`;
        await writeImage(path.join(dir, rel), 20 + 7 * i, 17 + 5 * c, COLOURS[c]!, format);
        lines.push(`${rel} ${c}`, '');
      }
    }
    writeFileSync(path.join(dir, `${split}.txt`), lines.join('\n'));
  }
  return dir;
};

const options = { ratio: 100, profile: 'exp' as const, subsetSeed: 0 };

describe('parseImageList', () => {
  it('reads path and label per line, skipping blank lines; a path may hold spaces', () => {
    const r = parseImageList('a/b.jpg 3\n\n  c d/e.png\t0  \n', 'x.txt');
    expect(r).toEqual(E.right([
      { path: 'a/b.jpg', label: 3, line: 1 },
      { path: 'c d/e.png', label: 0, line: 3 },
    ]));
  });

  it('names file and line of a bad line', () => {
    expect(parseImageList('a.png 0\nb.png\n', 'train.txt')).toEqual(E.left("train.txt:2: expected '<path> <label>', got 'b.png'"));
    expect(parseImageList('a.png 0\n\nb.png -1\n', 'train.txt')).toEqual(E.left("train.txt:3: the label must be an integer ≥ 0, got '-1'"));
    expect(parseImageList('a.png 1.5\n', 'test.txt')).toEqual(E.left("test.txt:1: the label must be an integer ≥ 0, got '1.5'"));
  });
});

describe('image-list dataset', () => {
  let dir: string;
  beforeAll(async () => {
    dir = await makeFolder();
  });

  it('decodes PNG and JPEG to size×size RGB with the lists’ own long tail', async () => {
    const r = await loadDataset(datasets.get('image-list'), { ...options, dataDir: dir });
    if (E.isLeft(r)) throw new Error(r.left);
    const ds = r.right;
    expect(ds.numClasses).toBe(3);
    expect(ds.trainCounts).toEqual(TRAIN_PER_CLASS);
    expect(ds.testCounts).toEqual(TEST_PER_CLASS);
    expect(ds.shape).toEqual({ height: 32, width: 32, channels: 3 });
    expect(ds.train.source.pixels.length).toBe(10 * 32 * 32 * 3);
    expect(Array.from(subsetLabels(ds.train))).toEqual([0, 0, 0, 0, 0, 0, 1, 1, 1, 2]);
    expect(ds.flipInvariant).toBe(true);
    // Every pixel of image i is its class colour: exactly for PNG (lossless; a solid image resizes to itself),
    // within 2 for JPEG (YCbCr rounding; measured 1 with quality 95).
    const per = 32 * 32 * 3;
    const labels = ds.train.source.labels;
    const indexInClass = [0, 1, 2, 3, 4, 5, 0, 1, 2, 0];
    for (let i = 0; i < labels.length; i++) {
      const png = indexInClass[i]! % 2 === 0;
      const colour = COLOURS[labels[i]!]!;
      let worst = 0;
      for (let p = 0; p < per; p++) worst = Math.max(worst, Math.abs(ds.train.source.pixels[i * per + p]! - colour[p % 3]!));
      expect(worst).toBeLessThanOrEqual(png ? 0 : 2);
    }
    // mean of the training pixels: (6·c0 + 3·c1 + 1·c2) / 10 / 255 per channel, up to the JPEG error.
    for (let ch = 0; ch < 3; ch++) {
      const expected = (6 * COLOURS[0]![ch]! + 3 * COLOURS[1]![ch]! + COLOURS[2]![ch]!) / 10 / 255;
      expect(Math.abs(ds.mean[ch]! - expected)).toBeLessThanOrEqual(2 / 255);
    }
    expect(datasets.get('image-list').load({ ...options, dataDir: dir })).toEqual(
      E.left('decodes its images with sharp, asynchronously: build it with loadAsync (loadDataset), as train and shard do'),
    );
  });

  it('resizes with the aspect ratio kept and the centre cropped; grey images become RGB', async () => {
    const d = mkdtempSync(path.join(tmpdir(), 'ts-imagelist-crop-'));
    // 96×32: columns 0–23 red, 24–71 green, 72–95 blue. Cover to 16×16 scales by 1/2 (48×16) and keeps
    // columns 16–31 of 48, i.e. original columns 32–63: all green, 8 columns from either edge
    // (more than lanczos3's reach of 6 original pixels at this scale). A squash ('fill') would show red and blue.
    const w = 96;
    const h = 32;
    const px = Buffer.alloc(w * h * 3);
    for (let y = 0; y < h; y++) for (let x = 0; x < w; x++) px.set(x < 24 ? [255, 0, 0] : x < 72 ? [0, 255, 0] : [0, 0, 255], (y * w + x) * 3);
    writeFileSync(path.join(d, 'wide.png'), await sharp(px, { raw: { width: w, height: h, channels: 3 } }).png().toBuffer());
    const grey = Buffer.alloc(10 * 12, 77);
    writeFileSync(path.join(d, 'grey.png'), await sharp(grey, { raw: { width: 10, height: 12, channels: 1 } }).toColourspace('b-w').png().toBuffer());
    const meta = await sharp(readFileSync(path.join(d, 'grey.png'))).metadata();
    expect(meta.channels).toBe(1);
    writeFileSync(path.join(d, 'train.txt'), 'wide.png 0\ngrey.png 1\n');
    writeFileSync(path.join(d, 'test.txt'), 'grey.png 4\n');
    const r = await loadImageList(d, { size: 16, concurrency: 2 });
    if (E.isLeft(r)) throw new Error(r.left);
    const { train, test } = r.right;
    expect(train.numClasses).toBe(5); // max label 4 (in test.txt) + 1
    expect(test.numClasses).toBe(5);
    expect(train.shape).toEqual({ height: 16, width: 16, channels: 3 });
    const per = 16 * 16 * 3;
    const wide = train.pixels.subarray(0, per);
    const greyRgb = train.pixels.subarray(per, 2 * per);
    for (let p = 0; p < per; p++) {
      expect(wide[p]).toBe(p % 3 === 1 ? 255 : 0);
      expect(greyRgb[p]).toBe(77);
    }
    expect(Array.from(test.labels)).toEqual([4]);
  });

  it('reports a bad line with file:line, a missing and an undecodable image by name', async () => {
    const d = mkdtempSync(path.join(tmpdir(), 'ts-imagelist-bad-'));
    await writeImage(path.join(d, 'ok.png'), 4, 4, [1, 2, 3], 'png');
    writeFileSync(path.join(d, 'broken.png'), 'not an image');
    writeFileSync(path.join(d, 'test.txt'), 'ok.png 0\n');
    const train = path.join(d, 'train.txt');
    const load = () => loadDataset(datasets.get('image-list'), { ...options, dataDir: d });

    writeFileSync(train, 'ok.png 0\nok.png 1\n\nok.png one\n');
    expect(await load()).toEqual(E.left(`${train}:4: the label must be an integer ≥ 0, got 'one'`));
    writeFileSync(train, 'ok.png 0\nok.png\n');
    expect(await load()).toEqual(E.left(`${train}:2: expected '<path> <label>', got 'ok.png'`));
    writeFileSync(train, 'ok.png 0\nmissing/a.jpg 1\n');
    expect(await load()).toEqual(E.left(`cannot read ${path.join(d, 'missing/a.jpg')} (ENOENT), listed at ${train}:2`));
    writeFileSync(train, 'broken.png 0\n');
    const broken = await load();
    expect(E.isLeft(broken) && broken.left).toMatch(new RegExp(`^${path.join(d, 'broken.png')}, listed at ${train}:1, could not be decoded \\(.+\\)$`));
    writeFileSync(train, '../outside.png 0\n');
    expect(await load()).toEqual(E.left(`../outside.png, listed at ${train}:1, is outside ${d}`));

    expect(await loadDataset(datasets.get('image-list'), options)).toEqual(E.left('needs --data-dir pointing at a folder with train.txt and test.txt'));
    const empty = mkdtempSync(path.join(tmpdir(), 'ts-imagelist-empty-'));
    expect(await loadDataset(datasets.get('image-list'), { ...options, dataDir: empty })).toEqual(
      E.left(`${empty} holds no image lists (expected train.txt and test.txt, or ImageNet_LT_train.txt and ImageNet_LT_test.txt)`),
    );
  });

  it("accepts ImageNet-LT's file names", async () => {
    const d = mkdtempSync(path.join(tmpdir(), 'ts-imagelist-inlt-'));
    await writeImage(path.join(d, 'train/n01/a.JPEG'), 8, 6, [9, 99, 199], 'jpeg');
    writeFileSync(path.join(d, 'ImageNet_LT_train.txt'), 'train/n01/a.JPEG 1\n');
    writeFileSync(path.join(d, 'ImageNet_LT_test.txt'), 'train/n01/a.JPEG 0\n');
    const r = await loadImageList(d, { size: 4 });
    expect(E.isRight(r) && [r.right.train.numClasses, r.right.train.pixels.length]).toEqual([2, 4 * 4 * 3]);
  });
});

describe('runTraining on an image list', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('trains 1 epoch × 2 steps and reports every class', async () => {
    const dir = await makeFolder();
    const config = { ...DEFAULT_RUN_CONFIG, dataset: 'image-list', dataDir: dir, epochs: 1, warmupEpochs: 0, batchSize: 4, maxStepsPerEpoch: 2, evalBatchSize: 8 };
    const result = await runTraining(config, { out: path.join(dir, 'run') });
    expect(result.trainCounts).toEqual(TRAIN_PER_CLASS);
    expect(result.report.perClass).toHaveLength(3);
    const metrics = JSON.parse(readFileSync(path.join(dir, 'run', 'metrics.json'), 'utf8'));
    expect(JSON.stringify(metrics)).toContain('"perClass"');
    expect(JSON.parse(readFileSync(path.join(dir, 'run', 'run.json'), 'utf8')).status).toBe('complete');
    // `tailstream eval` and `calibrate` read the images again (asynchronously) and agree with the run.
    const again = await evaluateRun(path.join(dir, 'run'), { write: false });
    expect(again.report.balancedAccuracy).toBe(result.report.balancedAccuracy);
    const calibrated = await calibrateRun(path.join(dir, 'run'), { method: 'logit-adjust', tau: 0 });
    expect(calibrated.report.balancedAccuracy).toBe(result.report.balancedAccuracy);
  }, 60_000);
});
