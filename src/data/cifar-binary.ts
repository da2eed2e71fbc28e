/**
 * CIFAR-10/100 in their binary formats, as pure decoders and a loader for a user's local copy.
 *
 * CIFAR-10 (`cifar-10-batches-bin/`: data_batch_1..5.bin, test_batch.bin, batches.meta.txt): records of
 * 1 label byte + 3072 pixel bytes. CIFAR-100 (`cifar-100-binary/`: train.bin, test.bin,
 * fine_label_names.txt): records of 1 coarse-label byte, 1 fine-label byte, 3072 pixel bytes.
 * Pixels are channel-planar (1024 red, 1024 green, 1024 blue, each 32×32 row-major); the decoder
 * returns them interleaved (NHWC), as every tailstream batch is laid out.
 */
import { readFileSync, existsSync } from 'node:fs';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import type { LabeledImages } from './labeled-images.js';

const SIDE = 32;
const PIXELS = SIDE * SIDE * 3;

/** Which CIFAR: the record layout and label count differ. */
export type CifarVariant = 'cifar10' | 'cifar100';

const labelBytes = (v: CifarVariant) => (v === 'cifar10' ? 1 : 2);
const classCount = (v: CifarVariant) => (v === 'cifar10' ? 10 : 100);

/** CIFAR-10's class names (also in batches.meta.txt). */
export const CIFAR10_CLASSES = ['airplane', 'automobile', 'bird', 'cat', 'deer', 'dog', 'frog', 'horse', 'ship', 'truck'] as const;

/** Decodes the records of one binary batch into labels and NHWC pixels; Left names what is wrong. */
export const decodeCifarBatch = (bytes: Uint8Array, variant: CifarVariant): E.Either<string, { labels: Int32Array; pixels: Uint8Array }> => {
  const recordBytes = labelBytes(variant) + PIXELS;
  if (bytes.length === 0 || bytes.length % recordBytes !== 0) {
    return E.left(`${bytes.length} bytes is not a whole number of ${recordBytes}-byte ${variant} records`);
  }
  const n = bytes.length / recordBytes;
  const labels = new Int32Array(n);
  const pixels = new Uint8Array(n * PIXELS);
  const plane = SIDE * SIDE;
  for (let i = 0; i < n; i++) {
    const base = i * recordBytes;
    const label = bytes[base + labelBytes(variant) - 1]!; // CIFAR-100: the fine label (second byte)
    if (label >= classCount(variant)) return E.left(`record ${i} has label ${label}, not below ${classCount(variant)}`);
    labels[i] = label;
    const src = base + labelBytes(variant);
    const dst = i * PIXELS;
    for (let p = 0; p < plane; p++) {
      pixels[dst + 3 * p] = bytes[src + p]!;
      pixels[dst + 3 * p + 1] = bytes[src + plane + p]!;
      pixels[dst + 3 * p + 2] = bytes[src + 2 * plane + p]!;
    }
  }
  return E.right({ labels, pixels });
};

/** Encodes labels and NHWC pixels as a binary batch (tests write fixtures in the real format with it). */
export const encodeCifarBatch = (labels: ArrayLike<number>, pixels: Uint8Array, variant: CifarVariant): Uint8Array => {
  const lb = labelBytes(variant);
  const out = new Uint8Array(labels.length * (lb + PIXELS));
  const plane = SIDE * SIDE;
  for (let i = 0; i < labels.length; i++) {
    const base = i * (lb + PIXELS);
    if (variant === 'cifar100') out[base] = Math.floor(labels[i]! / 5); // a coarse label; tailstream reads the fine one
    out[base + lb - 1] = labels[i]!;
    for (let p = 0; p < plane; p++)
      for (let c = 0; c < 3; c++) out[base + lb + c * plane + p] = pixels[i * PIXELS + 3 * p + c]!;
  }
  return out;
};

const FILES: Record<CifarVariant, { train: string[]; test: string[]; names: string }> = {
  cifar10: { train: [1, 2, 3, 4, 5].map((k) => `data_batch_${k}.bin`), test: ['test_batch.bin'], names: 'batches.meta.txt' },
  cifar100: { train: ['train.bin'], test: ['test.bin'], names: 'fine_label_names.txt' },
};

const readSplit = (dir: string, files: string[], variant: CifarVariant, classNames: readonly string[]): E.Either<string, LabeledImages> => {
  const labels: Int32Array[] = [];
  const pixels: Uint8Array[] = [];
  for (const f of files) {
    const file = path.join(dir, f);
    let bytes: Uint8Array;
    try {
      bytes = readFileSync(file);
    } catch (e) {
      return E.left(`cannot read ${file} (${(e as NodeJS.ErrnoException).code ?? 'error'})`);
    }
    const decoded = decodeCifarBatch(bytes, variant);
    if (E.isLeft(decoded)) return E.left(`${file}: ${decoded.left}`);
    labels.push(decoded.right.labels);
    pixels.push(decoded.right.pixels);
  }
  const concat = <T extends Int32Array | Uint8Array>(parts: T[], make: (n: number) => T): T => {
    const out = make(parts.reduce((s, p) => s + p.length, 0));
    let k = 0;
    for (const p of parts) {
      out.set(p, k);
      k += p.length;
    }
    return out;
  };
  return E.right({
    labels: concat(labels, (n) => new Int32Array(n)),
    pixels: concat(pixels, (n) => new Uint8Array(n)),
    shape: { height: SIDE, width: SIDE, channels: 3 },
    numClasses: classCount(variant),
    classNames,
  });
};

/** Reads a local CIFAR copy (the folder holding the .bin files): the official train and test splits. */
export const loadCifar = (dir: string, variant: CifarVariant): E.Either<string, { train: LabeledImages; test: LabeledImages }> => {
  const namesFile = path.join(dir, FILES[variant].names);
  const fallback = variant === 'cifar10' ? [...CIFAR10_CLASSES] : Array.from({ length: 100 }, (_, i) => String(i));
  const classNames = existsSync(namesFile)
    ? readFileSync(namesFile, 'utf8').split('\n').map((l) => l.trim()).filter((l) => l !== '')
    : fallback;
  if (classNames.length !== classCount(variant)) return E.left(`${namesFile}: expected ${classCount(variant)} class names, got ${classNames.length}`);
  const train = readSplit(dir, FILES[variant].train, variant, classNames);
  if (E.isLeft(train)) return train;
  const test = readSplit(dir, FILES[variant].test, variant, classNames);
  if (E.isLeft(test)) return test;
  return E.right({ train: train.right, test: test.right });
};
