import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { decodeTfExample, encodeTfExample, type TfFeature } from '../../src/data/tf-example.js';
import { imageRecordFromExample } from '../../src/data/image-record.js';

const left = (r: E.Either<string, unknown>): string => (E.isLeft(r) ? r.left : 'decoded');

describe('tf.Example', () => {
  it('encodes the wire bytes TensorFlow writes (packed int64 list)', () => {
    // Example{features{feature{key:"a" value{int64_list{value:[1]}}}}}, field by field.
    const bytes = encodeTfExample([['a', { kind: 'int64', values: [1n] }]]);
    expect([...bytes]).toEqual([0x0a, 0x0c, 0x0a, 0x0a, 0x0a, 0x01, 0x61, 0x12, 0x05, 0x1a, 0x03, 0x0a, 0x01, 0x01]);
  });

  it('decodes packed and unpacked numbers, bytes lists and negative int64', () => {
    // Unpacked int64 list: Feature{int64_list{value: 7, value: -1}} (tag 0x08 each).
    const minusOne = [0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0x01];
    const int64List = [0x08, 0x07, 0x08, ...minusOne];
    const feature = [0x1a, int64List.length, ...int64List];
    const entry = [0x0a, 0x01, 0x6e, 0x12, feature.length, ...feature];
    const example = Uint8Array.from([0x0a, entry.length + 2, 0x0a, entry.length, ...entry]);
    const r = decodeTfExample(example);
    expect(E.isRight(r) && r.right.get('n')).toEqual({ kind: 'int64', values: [7n, -1n] });
  });

  it('round-trips every kind of feature', () => {
    const feature: fc.Arbitrary<TfFeature> = fc.oneof(
      fc.array(fc.uint8Array({ maxLength: 40 }), { maxLength: 4 }).map((values) => ({ kind: 'bytes' as const, values })),
      fc.array(fc.float({ noNaN: true }), { maxLength: 6 }).map((v) => ({ kind: 'float' as const, values: Float32Array.from(v) })),
      fc.array(fc.bigInt({ min: -(2n ** 63n), max: 2n ** 63n - 1n }), { maxLength: 6 }).map((values) => ({ kind: 'int64' as const, values })),
    );
    fc.assert(
      fc.property(fc.uniqueArray(fc.tuple(fc.string({ maxLength: 12 }), feature), { selector: ([k]) => k, maxLength: 5 }), (features) => {
        const r = decodeTfExample(encodeTfExample(features));
        expect(E.isRight(r)).toBe(true);
        if (E.isRight(r)) expect(new Map(features)).toEqual(r.right);
      }),
      { numRuns: 50 },
    );
  });

  it('never throws on arbitrary bytes, and reports lengths that overrun the message', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => void decodeTfExample(bytes)), { numRuns: 300 });
    expect(left(decodeTfExample(Uint8Array.from([0x0a, 0xff, 0xff, 0xff, 0xff, 0x0f, 1])))).toBe(
      'malformed Example: field 1 at byte 0 declares 4294967295 bytes but only 1 remain',
    );
    expect(left(decodeTfExample(Uint8Array.from([0x0b])))).toBe('malformed Example: unsupported wire type 3 for field 1 at byte 0');
  });

  it('reads the image and label of the TF-Slim / TFDS convention', () => {
    const png = Uint8Array.from([0x89, 0x50, 0x4e, 0x47]);
    const ex = encodeTfExample([
      ['image/encoded', { kind: 'bytes', values: [png] }],
      ['image/class/label', { kind: 'int64', values: [3n] }],
    ]);
    const features = decodeTfExample(ex);
    expect(E.isRight(features)).toBe(true);
    if (E.isLeft(features)) return;
    const rec = imageRecordFromExample(features.right);
    expect(E.isRight(rec) && { image: [...rec.right.image], label: rec.right.label }).toEqual({ image: [...png], label: 3 });
    expect(left(imageRecordFromExample(features.right, { label: 'label' }))).toBe("Example has no single int64 feature 'label'");
    const negative = decodeTfExample(
      encodeTfExample([
        ['image/encoded', { kind: 'bytes', values: [png] }],
        ['image/class/label', { kind: 'int64', values: [-2n] }],
      ]),
    );
    expect(E.isRight(negative) && left(imageRecordFromExample(negative.right))).toBe(
      "feature 'image/class/label': label -2 is not a non-negative integer",
    );
  });
});
