/**
 * Image-list folders in the layout of ImageNet-LT and iNaturalist 2018 (Liu et al., "Large-Scale
 * Long-Tailed Recognition in an Open World", CVPR 2019; the split files of their OLTR code,
 * `ImageNet_LT_train.txt` …): one `relative/path label` per line, images under a root folder.
 *
 * Intuition: parse both list files first (every bad line is reported with `file:line` before any image
 * is read), then decode the listed images with sharp, up to `concurrency` at a time off the main
 * thread, each resized to `size × size` RGB (grey converted, alpha dropped) and copied into one NHWC
 * byte array per split. The resize keeps the aspect ratio and crops the centre (sharp's `cover`), as
 * the OLTR code's `Resize` + `CenterCrop` evaluation transform does; deliberate deviation: one fixed
 * small size for every split (no random-resized crop at load time — augmentation happens per batch).
 * numClasses is the largest label of both lists + 1; labels must be integers ≥ 0. The first missing or
 * undecodable image fails the load with its file and the list line naming it.
 */
import { existsSync, readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type { LabeledImages } from './labeled-images.js';
import { loadSharp, MAX_IMAGE_PIXELS } from './sharp-codec.js';

/** One line of a list file. */
export interface ImageListEntry {
  /** The image's path relative to the root folder, as written. */
  readonly path: string;
  readonly label: number;
  /** 1-based line number, for messages. */
  readonly line: number;
}

/** Options of `loadImageList`. */
export interface ImageListOptions {
  /** Side of the square every image is resized to (default 32). */
  readonly size?: number;
  /** Images decoding at once (default 8). */
  readonly concurrency?: number;
  /** Images with more pixels are refused before decoding (default 8192²). */
  readonly maxPixels?: number;
}

/** Default side of the square images (`ImageListOptions.size`). */
export const IMAGE_LIST_SIZE = 32;

/** Labels must be below this (iNaturalist 2018 has 8,142 classes); it keeps a typo from allocating per-class arrays of a billion entries. */
export const IMAGE_LIST_MAX_CLASSES = 1_000_000;

/** List file names tried in a data dir, in order: tailstream's own, then ImageNet-LT's. */
export const IMAGE_LIST_FILES = [
  { train: 'train.txt', test: 'test.txt' },
  { train: 'ImageNet_LT_train.txt', test: 'ImageNet_LT_test.txt' },
] as const;

/**
 * Parses the text of a list file: one `<path> <label>` per line (the label is the last
 * whitespace-separated field, so paths may hold spaces), blank lines ignored. `name` is used in
 * messages; Left is `name:line: what is wrong`.
 */
export const parseImageList = (text: string, name: string): E.Either<string, ImageListEntry[]> => {
  const out: ImageListEntry[] = [];
  const lines = text.split(/\r?\n/);
  for (let i = 0; i < lines.length; i++) {
    const line = lines[i]!.trim();
    if (line === '') continue;
    const m = /^(.+?)\s+(\S+)$/.exec(line);
    if (m === null) return E.left(`${name}:${i + 1}: expected '<path> <label>', got '${line}'`);
    const label = /^\d+$/.test(m[2]!) ? Number(m[2]) : NaN;
    if (!Number.isSafeInteger(label)) return E.left(`${name}:${i + 1}: the label must be an integer ≥ 0, got '${m[2]}'`);
    out.push({ path: m[1]!, label, line: i + 1 });
  }
  return E.right(out);
};

/** Reads and parses the list file `file`; Left names it. */
export const readImageList = (file: string): E.Either<string, ImageListEntry[]> => {
  let text: string;
  try {
    text = readFileSync(file, 'utf8');
  } catch (e) {
    return E.left(`cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
  }
  return parseImageList(text, file);
};

/** The image file at `rel` under `root`, or undefined where it would leave the root (absolute, `..`). */
const underRoot = (root: string, rel: string): string | undefined => {
  const full = path.resolve(root, rel);
  const back = path.relative(path.resolve(root), full);
  return back === '' || back.startsWith('..') || path.isAbsolute(back) ? undefined : full;
};

/** Decodes one encoded image to `size × size` RGB bytes (HWC), resized with `cover` (aspect kept, centre cropped). */
export const decodeSquareRgb = async (bytes: Uint8Array, size: number, maxPixels = MAX_IMAGE_PIXELS): Promise<Uint8Array> => {
  const sharp = await loadSharp();
  const { data, info } = await sharp(bytes, { failOn: 'error', limitInputPixels: maxPixels })
    .resize(size, size, { fit: 'cover', position: 'centre' })
    .toColourspace('srgb')
    .removeAlpha()
    .raw({ depth: 'uchar' })
    .toBuffer({ resolveWithObject: true });
  if (info.channels !== 3 || info.width !== size || info.height !== size) {
    throw new Error(`decoded to ${info.height}×${info.width}×${info.channels}, expected ${size}×${size}×3`);
  }
  return new Uint8Array(data.buffer, data.byteOffset, data.length);
};

/** Decodes every listed image into one NHWC array, `concurrency` at a time; Left names the first image at fault. */
const decodeList = async (
  root: string,
  listFile: string,
  entries: readonly ImageListEntry[],
  numClasses: number,
  size: number,
  concurrency: number,
  maxPixels: number,
): Promise<E.Either<string, LabeledImages>> => {
  const per = size * size * 3;
  const pixels = new Uint8Array(entries.length * per);
  let next = 0;
  let failure: string | undefined;
  const worker = async (): Promise<void> => {
    while (failure === undefined && next < entries.length) {
      const i = next++;
      const entry = entries[i]!;
      const where = `listed at ${listFile}:${entry.line}`;
      const file = underRoot(root, entry.path);
      if (file === undefined) {
        failure ??= `${entry.path}, ${where}, is outside ${root}`;
        return;
      }
      let bytes: Uint8Array;
      try {
        bytes = await readFile(file);
      } catch (e) {
        failure ??= `cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'}), ${where}`;
        return;
      }
      try {
        pixels.set(await decodeSquareRgb(bytes, size, maxPixels), i * per);
      } catch (e) {
        failure ??= `${file}, ${where}, could not be decoded (${e instanceof Error ? e.message : String(e)})`;
        return;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, entries.length) }, worker));
  if (failure !== undefined) return E.left(failure);
  return E.right({
    pixels,
    labels: Int32Array.from(entries, (e) => e.label),
    shape: { height: size, width: size, channels: 3 },
    numClasses,
    classNames: Array.from({ length: numClasses }, (_, c) => String(c)),
  });
};

/** Which list files a data dir holds (see `IMAGE_LIST_FILES`); Left says what is missing. */
export const findImageLists = (dir: string): E.Either<string, { train: string; test: string }> => {
  for (const names of IMAGE_LIST_FILES) {
    const train = path.join(dir, names.train);
    const test = path.join(dir, names.test);
    if (existsSync(train) && existsSync(test)) return E.right({ train, test });
  }
  const tried = IMAGE_LIST_FILES.map((n) => `${n.train} and ${n.test}`).join(', or ');
  return E.left(`${dir} holds no image lists (expected ${tried})`);
};

/**
 * Loads the training and test images listed in a data dir (train.txt/test.txt, or ImageNet-LT's
 * names), images relative to `dir`. Both splits share numClasses = max label + 1 over both lists.
 */
export const loadImageList = async (
  dir: string,
  options: ImageListOptions = {},
): Promise<E.Either<string, { train: LabeledImages; test: LabeledImages }>> => {
  const size = options.size ?? IMAGE_LIST_SIZE;
  if (!Number.isInteger(size) || size < 1) return E.left(`the image size must be an integer ≥ 1, got ${size}`);
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 8));
  const maxPixels = options.maxPixels ?? MAX_IMAGE_PIXELS;
  const files = findImageLists(dir);
  if (E.isLeft(files)) return files;
  const train = readImageList(files.right.train);
  if (E.isLeft(train)) return train;
  const test = readImageList(files.right.test);
  if (E.isLeft(test)) return test;
  if (train.right.length === 0) return E.left(`${files.right.train} lists no images`);
  if (test.right.length === 0) return E.left(`${files.right.test} lists no images`);
  let maxLabel = 0;
  for (const e of [...train.right, ...test.right]) maxLabel = Math.max(maxLabel, e.label);
  if (maxLabel >= IMAGE_LIST_MAX_CLASSES) return E.left(`label ${maxLabel} is past the ${IMAGE_LIST_MAX_CLASSES} classes an image list may have`);
  const numClasses = maxLabel + 1;
  const trainImages = await decodeList(dir, files.right.train, train.right, numClasses, size, concurrency, maxPixels);
  if (E.isLeft(trainImages)) return trainImages;
  const testImages = await decodeList(dir, files.right.test, test.right, numClasses, size, concurrency, maxPixels);
  if (E.isLeft(testImages)) return testImages;
  return E.right({ train: trainImages.right, test: testImages.right });
};
