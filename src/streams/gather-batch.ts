/**
 * Builds one host batch from a subset: gathers the chosen images and scales bytes to normalised floats.
 */
import type { HostBatch } from '../core/host-batch.js';
import type { Subset } from '../data/labeled-images.js';

/** Per-channel normalisation applied to pixels scaled to [0, 1]: (v − mean) / std. */
export interface Normalization {
  readonly mean: readonly number[];
  readonly std: readonly number[];
}

/**
 * The images at `positions` (positions in the subset, not dataset indices) as a normalised `HostBatch`.
 */
export const gatherBatch = (subset: Subset, positions: ArrayLike<number>, norm: Normalization): HostBatch => {
  const { source } = subset;
  const { height, width, channels } = source.shape;
  const per = height * width * channels;
  const n = positions.length;
  const x = new Float32Array(n * per);
  const y = new Int32Array(n);
  const index = new Int32Array(n);
  const scale = norm.std.map((s) => 1 / (255 * s));
  const shift = norm.mean.map((m, c) => m / norm.std[c]!);
  for (let b = 0; b < n; b++) {
    const i = subset.indices[positions[b]!]!;
    index[b] = i;
    y[b] = source.labels[i]!;
    const src = i * per;
    const dst = b * per;
    if (channels === 1) {
      const s0 = scale[0]!;
      const t0 = shift[0]!;
      for (let p = 0; p < per; p++) x[dst + p] = source.pixels[src + p]! * s0 - t0;
    } else {
      for (let p = 0; p < per; p++) {
        const c = p % channels;
        x[dst + p] = source.pixels[src + p]! * scale[c]! - shift[c]!;
      }
    }
  }
  const targets = source.targets === undefined ? undefined : gatherTargets(source.targets, source.numClasses, subset.indices, positions);
  return { x, y, index, shape: source.shape, ...(targets !== undefined ? { targets } : {}) };
};

/** The multi-hot rows (`numClasses` bytes each) of the samples at `positions` of a subset with `indices`. */
export const gatherTargets = (all: Uint8Array, numClasses: number, indices: Int32Array, positions: ArrayLike<number>): Uint8Array => {
  const out = new Uint8Array(positions.length * numClasses);
  for (let b = 0; b < positions.length; b++) {
    const i = indices[positions[b]!]!;
    out.set(all.subarray(i * numClasses, (i + 1) * numClasses), b * numClasses);
  }
  return out;
};
