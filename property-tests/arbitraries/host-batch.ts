/**
 * Host batches for the transform properties: the dimensions first (size, height, width, channels,
 * classes, with fc.integer), then float32 pixels of that size (finite, in ±bound) and labels in range.
 * Shrinks towards small batches, small images, few classes. `distinctRows` adds 1000·(indexOffset + row + 1)
 * to every value so that no two samples (of one batch or of a pair) are equal (operators then cannot give the same output by accident).
 */
import fc from 'fast-check';
import type { HostBatch, SampleShape } from '../../src/core/host-batch.js';

/** Options of the batch arbitraries. */
export interface HostBatchOptions {
  readonly minSize?: number;
  readonly maxSize?: number;
  readonly minSide?: number;
  readonly maxSide?: number;
  readonly maxChannels?: number;
  readonly maxClasses?: number;
  /** |x| ≤ bound before the row tags (default 5). */
  readonly bound?: number;
  readonly distinctRows?: boolean;
}

/** The dimensions of a batch problem. */
export interface BatchDims {
  readonly size: number;
  readonly shape: SampleShape;
  readonly classes: number;
}

/** Batch size, sample shape and number of classes. */
export const batchDimsArb = (o: HostBatchOptions = {}): fc.Arbitrary<BatchDims> =>
  fc.record({
    size: fc.integer({ min: o.minSize ?? 1, max: o.maxSize ?? 8 }),
    shape: fc.record({
      height: fc.integer({ min: o.minSide ?? 1, max: o.maxSide ?? 6 }),
      width: fc.integer({ min: o.minSide ?? 1, max: o.maxSide ?? 6 }),
      channels: fc.integer({ min: 1, max: o.maxChannels ?? 3 }),
    }),
    classes: fc.integer({ min: 1, max: o.maxClasses ?? 6 }),
  });

/** A batch of the given dimensions (indices 0…size−1 plus `indexOffset`). */
export const batchOfDimsArb = (dims: BatchDims, o: HostBatchOptions = {}, indexOffset = 0): fc.Arbitrary<HostBatch> => {
  const per = dims.shape.height * dims.shape.width * dims.shape.channels;
  const bound = Math.fround(o.bound ?? 5);
  return fc
    .record({
      x: fc.float32Array({ min: -bound, max: bound, noNaN: true, noDefaultInfinity: true, minLength: dims.size * per, maxLength: dims.size * per }),
      y: fc.array(fc.integer({ min: 0, max: dims.classes - 1 }), { minLength: dims.size, maxLength: dims.size }),
    })
    .map(({ x, y }) => {
      // −0 and +0 compare equal but print apart; normalise them so copies compare cleanly.
      const tag = (i: number): number => (o.distinctRows === true ? 1000 * (indexOffset + Math.floor(i / per) + 1) : 0);
      const pixels = Float32Array.from(x, (v, i) => v + 0 + tag(i));
      return {
        x: pixels,
        y: Int32Array.from(y),
        index: Int32Array.from({ length: dims.size }, (_, i) => indexOffset + i),
        shape: dims.shape,
      };
    });
};

/** One batch with its number of classes. */
export const hostBatchArb = (o: HostBatchOptions = {}): fc.Arbitrary<{ batch: HostBatch; classes: number }> =>
  batchDimsArb(o).chain((dims) => batchOfDimsArb(dims, o).map((batch) => ({ batch, classes: dims.classes })));

/** Two batches of the same size (≤ 1000) and sample shape (main and second stream; the second indexed from 1000), with their number of classes. */
export const batchPairArb = (o: HostBatchOptions = {}): fc.Arbitrary<{ first: HostBatch; second: HostBatch; classes: number }> =>
  batchDimsArb(o).chain((dims) =>
    fc
      .tuple(batchOfDimsArb(dims, o), batchOfDimsArb(dims, o, 1000))
      .map(([first, second]) => ({ first, second, classes: dims.classes })),
  );
