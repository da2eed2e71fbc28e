/**
 * Fashion-MNIST from IDX files (Debian's `dataset-fashion-mnist` installs them in /usr/share/datasets/fashion-mnist).
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import * as E from 'fp-ts/lib/Either.js';
import { decodeIdx } from './idx.js';
import type { LabeledImages } from './labeled-images.js';

/** Where Debian's package puts the files. */
export const DEBIAN_FASHION_MNIST_DIR = '/usr/share/datasets/fashion-mnist';

/** Fashion-MNIST's class names, by label. */
export const FASHION_MNIST_CLASSES = [
  'T-shirt/top',
  'Trouser',
  'Pullover',
  'Dress',
  'Coat',
  'Sandal',
  'Shirt',
  'Sneaker',
  'Bag',
  'Ankle boot',
] as const;

const readIdxFile = (file: string): E.Either<string, { dims: readonly number[]; data: Uint8Array }> => {
  let bytes: Uint8Array;
  try {
    bytes = readFileSync(file);
  } catch (e) {
    const code = (e as NodeJS.ErrnoException).code;
    return E.left(`cannot read ${file} (${code ?? 'error'})`);
  }
  return E.mapLeft((why: string) => `${file}: ${why}`)(decodeIdx(bytes));
};

/** Reads an image file and a label file of the MNIST family into `LabeledImages`; Left is one sentence. */
export const readIdxImageSet = (
  imagesFile: string,
  labelsFile: string,
  classNames: readonly string[],
): E.Either<string, LabeledImages> => {
  const images = readIdxFile(imagesFile);
  if (E.isLeft(images)) return images;
  const labels = readIdxFile(labelsFile);
  if (E.isLeft(labels)) return labels;
  const [n, h, w] = images.right.dims;
  if (images.right.dims.length !== 3 || n === undefined || h === undefined || w === undefined) {
    return E.left(`${imagesFile}: expected 3 dimensions (count, height, width), got ${images.right.dims.length}`);
  }
  if (labels.right.dims.length !== 1 || labels.right.dims[0] !== n) {
    return E.left(`${labelsFile}: expected ${n} labels to match ${imagesFile}, got ${labels.right.dims.join('×')}`);
  }
  const y = new Int32Array(n);
  for (let i = 0; i < n; i++) {
    const v = labels.right.data[i]!;
    if (v >= classNames.length) return E.left(`${labelsFile}: label ${v} at index ${i} is not below ${classNames.length}`);
    y[i] = v;
  }
  return E.right({
    pixels: images.right.data,
    labels: y,
    shape: { height: h, width: w, channels: 1 },
    numClasses: classNames.length,
    classNames,
  });
};

/** Fashion-MNIST's official train (60k) and test (10k) splits from `dir`. */
export const loadFashionMnist = (
  dir = DEBIAN_FASHION_MNIST_DIR,
): E.Either<string, { train: LabeledImages; test: LabeledImages }> => {
  const f = (name: string) => path.join(dir, name);
  const train = readIdxImageSet(f('train-images-idx3-ubyte.gz'), f('train-labels-idx1-ubyte.gz'), FASHION_MNIST_CLASSES);
  if (E.isLeft(train)) return train;
  const test = readIdxImageSet(f('t10k-images-idx3-ubyte.gz'), f('t10k-labels-idx1-ubyte.gz'), FASHION_MNIST_CLASSES);
  if (E.isLeft(test)) return test;
  return E.right({ train: train.right, test: test.right });
};
