/**
 * The unit a sharded image dataset yields before decoding: encoded image bytes (PNG, JPEG, …) and an
 * integer class label, from a TFRecord `tf.Example` or a WebDataset tar sample.
 */
import * as E from 'fp-ts/lib/Either.js';
import type { TfFeatures } from './tf-example.js';

/** Encoded image bytes with their class. */
export interface ImageRecord {
  /** The image file's bytes, still encoded (decode them off the main thread). */
  readonly image: Uint8Array;
  /** Class label, a non-negative integer. */
  readonly label: number;
  /** The sample's key where the format has one (WebDataset's `__key__`). */
  readonly key?: string;
}

/** Feature names of an image classification `tf.Example`. */
export interface ExampleKeys {
  /** Default `image/encoded`. */
  readonly image?: string;
  /** Default `image/class/label`. */
  readonly label?: string;
}

/** A label from an integer-valued source: a safe, non-negative integer or a sentence fragment. */
export const checkLabel = (value: number | bigint, where: string): E.Either<string, number> => {
  const n = typeof value === 'bigint' ? (value >= 0n && value <= BigInt(Number.MAX_SAFE_INTEGER) ? Number(value) : -1) : value;
  return Number.isSafeInteger(n) && n >= 0 ? E.right(n) : E.left(`${where}: label ${String(value)} is not a non-negative integer`);
};

/** The image and label of an Example's features (TF-Slim / TFDS names by default). */
export const imageRecordFromExample = (features: TfFeatures, keys: ExampleKeys = {}): E.Either<string, ImageRecord> => {
  const imageKey = keys.image ?? 'image/encoded';
  const labelKey = keys.label ?? 'image/class/label';
  const image = features.get(imageKey);
  if (image?.kind !== 'bytes' || image.values.length !== 1) {
    return E.left(`Example has no single bytes feature '${imageKey}'`);
  }
  const label = features.get(labelKey);
  if (label?.kind !== 'int64' || label.values.length !== 1) {
    return E.left(`Example has no single int64 feature '${labelKey}'`);
  }
  const checked = checkLabel(label.values[0]!, `feature '${labelKey}'`);
  return E.isLeft(checked) ? checked : E.right({ image: image.values[0]!, label: checked.right });
};
