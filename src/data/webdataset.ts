/**
 * WebDataset sample grouping (webdataset's `base_plus_ext` / `group_by_keys`): consecutive tar entries
 * that share a key form one sample, the key being the path up to the first dot of the file name and
 * the rest its field name (`n03/00042.jpg` and `n03/00042.cls` → key `n03/00042`, fields `jpg`, `cls`).
 */
import * as E from 'fp-ts/lib/Either.js';
import { checkLabel, type ImageRecord } from './image-record.js';

/** A tar entry name split into WebDataset key and field (extension); undefined for names without a dot. */
export const splitWebDatasetName = (name: string): { readonly key: string; readonly field: string } | undefined => {
  const slash = name.lastIndexOf('/');
  const dot = name.indexOf('.', slash + 1);
  if (dot <= slash + 1) return undefined;
  return { key: name.slice(0, dot), field: name.slice(dot + 1) };
};

/** One WebDataset sample: its key and its fields' bytes by extension. */
export interface WebDatasetSample {
  readonly key: string;
  readonly fields: ReadonlyMap<string, Uint8Array>;
}

/** Which fields hold the image and the label. */
export interface WebDatasetFields {
  /** Image extensions, tried in order (default png, jpg, jpeg, webp, ppm). */
  readonly image?: readonly string[];
  /** Label extensions, tried in order (default cls, label, class): ASCII decimal integers. */
  readonly label?: readonly string[];
}

const text = new TextDecoder('utf-8');

/** The image bytes and integer label of a sample; Left names the key and what is missing. */
export const imageRecordFromSample = (sample: WebDatasetSample, fields: WebDatasetFields = {}): E.Either<string, ImageRecord> => {
  const imageExts = fields.image ?? ['png', 'jpg', 'jpeg', 'webp', 'ppm'];
  const labelExts = fields.label ?? ['cls', 'label', 'class'];
  const imageExt = imageExts.find((e) => sample.fields.has(e));
  if (imageExt === undefined) return E.left(`sample '${sample.key}' has no image field (${imageExts.join(', ')})`);
  const labelExt = labelExts.find((e) => sample.fields.has(e));
  if (labelExt === undefined) return E.left(`sample '${sample.key}' has no label field (${labelExts.join(', ')})`);
  const raw = text.decode(sample.fields.get(labelExt)).trim();
  if (!/^\d+$/.test(raw)) return E.left(`sample '${sample.key}': label '${raw.slice(0, 20)}' is not a non-negative integer`);
  const label = checkLabel(Number(raw), `sample '${sample.key}'`);
  return E.isLeft(label) ? label : E.right({ image: sample.fields.get(imageExt)!, label: label.right, key: sample.key });
};
