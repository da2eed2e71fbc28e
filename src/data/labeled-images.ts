/**
 * An in-memory image classification set: 8-bit pixels and integer labels, as the file formats store them.
 */
import type { SampleShape } from '../core/host-batch.js';

/** Images (NHWC, one byte per value) with labels. */
export interface LabeledImages {
  /** `labels.length * height * width * channels` bytes. */
  readonly pixels: Uint8Array;
  /** Class of each image, in [0, numClasses). */
  readonly labels: Int32Array;
  readonly shape: SampleShape;
  readonly numClasses: number;
  /** Human-readable class names, indexed by label. */
  readonly classNames: readonly string[];
  /**
   * Multi-label sets only: `labels.length × numClasses` bytes, 1 where the class is in the image's
   * label set (`labels` then holds one representative label per image).
   */
  readonly targets?: Uint8Array;
}

/** A view of some images of a `LabeledImages` by index (no pixels are copied). */
export interface Subset {
  readonly source: LabeledImages;
  /** Indices into `source`, in a fixed order. */
  readonly indices: Int32Array;
}

/** The labels of a subset's images, in subset order. */
export const subsetLabels = (s: Subset): Int32Array => {
  const out = new Int32Array(s.indices.length);
  for (let i = 0; i < out.length; i++) out[i] = s.source.labels[s.indices[i]!]!;
  return out;
};
