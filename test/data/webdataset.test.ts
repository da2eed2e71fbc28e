import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { imageRecordFromSample, splitWebDatasetName } from '../../src/data/webdataset.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('WebDataset naming', () => {
  it('splits at the first dot of the file name, keeping directories in the key', () => {
    expect(splitWebDatasetName('n03/00042.jpg')).toEqual({ key: 'n03/00042', field: 'jpg' });
    expect(splitWebDatasetName('a.b/c.seg.png')).toEqual({ key: 'a.b/c', field: 'seg.png' });
    expect(splitWebDatasetName('noext')).toBeUndefined();
    expect(splitWebDatasetName('dir/.hidden')).toBeUndefined();
  });

  it('reads the image and the decimal label of a sample', () => {
    const sample = { key: 'k', fields: new Map([['jpg', enc('JFIF')], ['cls', enc(' 12\n')]]) };
    const r = imageRecordFromSample(sample);
    expect(E.isRight(r) && { ...r.right, image: [...r.right.image] }).toEqual({ image: [...enc('JFIF')], label: 12, key: 'k' });
  });

  it('says which sample lacks a label or has a bad one', () => {
    expect(imageRecordFromSample({ key: 'k', fields: new Map([['png', enc('x')]]) })).toEqual(
      E.left("sample 'k' has no label field (cls, label, class)"),
    );
    expect(imageRecordFromSample({ key: 'k', fields: new Map([['png', enc('x')], ['cls', enc('cat')]]) })).toEqual(
      E.left("sample 'k': label 'cat' is not a non-negative integer"),
    );
    expect(imageRecordFromSample({ key: 'k', fields: new Map([['cls', enc('1')]]) })).toEqual(
      E.left("sample 'k' has no image field (png, jpg, jpeg, webp, ppm)"),
    );
  });
});
