/**
 * A subset's images copied once into shared memory, so a worker thread can gather batches from them
 * without a copy of its own.
 *
 * Intuition: only the subset's images are copied (a long-tailed training subset is a fraction of its
 * source: 12,406 of CIFAR-10's 60,000 images at ρ = 100), packed in subset order. Inside the worker
 * the packed images are a subset whose indices are 0..n−1; `toDatasetIndices` turns a batch's
 * `index` back into positions in the original dataset, so batches equal those gathered from the
 * original subset.
 */
import type { HostBatch } from '../core/host-batch.js';
import type { LabeledImages, Subset } from './labeled-images.js';

/** A subset packed into `SharedArrayBuffer`s (structured-clonable; the memory is shared, not copied). */
export interface SharedSubset {
  /** The subset's images in subset order, one byte per value. */
  readonly pixels: Uint8Array;
  readonly labels: Int32Array;
  /** Multi-hot label sets of a multi-label subset, in subset order. */
  readonly targets?: Uint8Array;
  readonly shape: LabeledImages['shape'];
  readonly numClasses: number;
  /** Position in the original dataset of each packed image. */
  readonly datasetIndices: Int32Array;
}

const sharedCopy = <A extends Uint8Array | Int32Array>(make: (buffer: SharedArrayBuffer) => A, bytes: number, fill: (out: A) => void): A => {
  const out = make(new SharedArrayBuffer(bytes));
  fill(out);
  return out;
};

/** Copies the subset's images, labels (and label sets) into shared memory, in subset order. */
export const shareSubset = (subset: Subset): SharedSubset => {
  const { source, indices } = subset;
  const { height, width, channels } = source.shape;
  const per = height * width * channels;
  const n = indices.length;
  const C = source.numClasses;
  const { targets } = source;
  return {
    pixels: sharedCopy((b) => new Uint8Array(b), n * per, (out) => {
      for (let k = 0; k < n; k++) {
        const i = indices[k]!;
        out.set(source.pixels.subarray(i * per, (i + 1) * per), k * per);
      }
    }),
    labels: sharedCopy((b) => new Int32Array(b), 4 * n, (out) => {
      for (let k = 0; k < n; k++) out[k] = source.labels[indices[k]!]!;
    }),
    ...(targets !== undefined
      ? {
          targets: sharedCopy((b) => new Uint8Array(b), n * C, (out) => {
            for (let k = 0; k < n; k++) out.set(targets.subarray(indices[k]! * C, (indices[k]! + 1) * C), k * C);
          }),
        }
      : {}),
    shape: source.shape,
    numClasses: C,
    datasetIndices: sharedCopy((b) => new Int32Array(b), 4 * n, (out) => out.set(indices)),
  };
};

/** The packed images as a subset (indices 0..n−1 into a source of just these images). */
export const openSharedSubset = (shared: SharedSubset): Subset => ({
  source: {
    pixels: shared.pixels,
    labels: shared.labels,
    shape: shared.shape,
    numClasses: shared.numClasses,
    classNames: [],
    ...(shared.targets !== undefined ? { targets: shared.targets } : {}),
  },
  indices: Int32Array.from({ length: shared.labels.length }, (_, i) => i),
});

/**
 * The batch with `index` mapped from packed positions back to original dataset positions (a new
 * array; entries outside the packed range, such as −1 for a generated image, are kept as they are).
 */
export const toDatasetIndices = (batch: HostBatch, datasetIndices: Int32Array): HostBatch => {
  const index = new Int32Array(batch.index.length);
  for (let b = 0; b < index.length; b++) {
    const i = batch.index[b]!;
    index[b] = i >= 0 && i < datasetIndices.length ? datasetIndices[i]! : i;
  }
  return { ...batch, index };
};
