/**
 * The unit that flows on a training stream: a batch of samples held in host memory (typed arrays).
 *
 * Intuition: what a PyTorch DataLoader yields, minus the tensors. Streams, samplers and operators
 * only ever see `HostBatch`es; tensors are created from them inside a step's `tf.tidy` scope.
 */

/** Image layout of one sample: height, width, channels (NHWC without the N). */
export interface SampleShape {
  readonly height: number;
  readonly width: number;
  readonly channels: number;
}

/** A batch of images and integer labels in host memory. */
export interface HostBatch {
  /** Pixels, NHWC, `size * height * width * channels` floats. */
  readonly x: Float32Array;
  /** Class labels in [0, numClasses). */
  readonly y: Int32Array;
  /** Indices of the samples in their dataset (provenance; lets anyone rebuild the batch). */
  readonly index: Int32Array;
  /** Per-sample image shape. */
  readonly shape: SampleShape;
  /** Optional per-sample loss weight (1 when absent). */
  readonly weight?: Float32Array;
  /**
   * Mixed targets (mixup, CutMix, CMO): sample i's target is λ_i·y_i + (1 − λ_i)·mix.y_i, and every
   * loss is consumed as λ_i·L(y_i) + (1 − λ_i)·L(mix.y_i), the way the papers do.
   */
  readonly mix?: MixedTargets;
  /**
   * Optional pure-noise marker (OPeN): 1 where the image was replaced by a pure-noise image, 0 for a
   * natural image, so the model can route noise images through DAR-BN's separate statistics.
   */
  readonly noise?: Uint8Array;
  /**
   * Optional multi-hot targets of a multi-label batch, `size × numClasses` bytes (1 = the class is in
   * the sample's label set); `y` then holds one representative label per sample (its rarest class).
   */
  readonly targets?: Uint8Array;
}

/** The second label of each sample of a mixed batch, and the weight λ ∈ [0, 1] of the first. */
export interface MixedTargets {
  readonly y: Int32Array;
  readonly lambda: Float32Array;
}

/** Number of samples in a batch. */
export const batchSize = (b: HostBatch): number => b.y.length;

/** Floats per sample. */
export const sampleLength = (s: SampleShape): number => s.height * s.width * s.channels;

/** The NHWC tensor shape of a batch. */
export const batchTensorShape = (b: HostBatch): [number, number, number, number] => [
  b.y.length,
  b.shape.height,
  b.shape.width,
  b.shape.channels,
];
