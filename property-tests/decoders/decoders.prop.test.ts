/**
 * Fuzzing every decoder of this layer with fast-check: random bytes, truncations, bit flips and
 * adversarial length fields. Each must return a Left (or a Right) within a time bound — never throw,
 * never hang, never allocate beyond the input's size. Runs per property: FC_NUM_RUNS (default 100);
 * a long campaign is `FC_NUM_RUNS=100000 npx vitest run property-tests/decoders`.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { gzipSync } from 'node:zlib';
import * as E from 'fp-ts/lib/Either.js';
import { decodeIdx, encodeIdx } from '../../src/data/idx.js';
import { decodeCheckpoint, encodeCheckpoint } from '../../src/train/checkpoint.js';
import { decodeTfRecords, encodeTfRecords } from '../../src/data/tfrecord.js';
import { decodeTfExample, encodeTfExample } from '../../src/data/tf-example.js';
import { decodeTarHeader, encodeTar } from '../../src/data/tar.js';
import { decodeCifarBatch, encodeCifarBatch } from '../../src/data/cifar-binary.js';
import { decodePng } from '../../src/data/png.js';
import { decodeConfigDocument } from '../../src/recipes/config-file.js';
import { parse as parseYaml } from 'yaml';

const validIdx = encodeIdx([3, 4, 4], Uint8Array.from({ length: 48 }, (_, i) => i));
const validCheckpoint = encodeCheckpoint({
  cursor: { epoch: 1, step: 2, totals: { lossSum: 1, correct: 1, samples: 2, skipped: 0 } },
  tensors: new Map([['model/w', { shape: [3], values: Float32Array.from([1, 2, 3]) }]]),
  history: [],
});
const validTfRecords = encodeTfRecords([encodeTfExample([['label', { kind: 'int64', values: [3n] }]])]);
const validTarHeader = encodeTar([{ name: 'sample0001.cls', data: Uint8Array.of(0x33) }]).subarray(0, 512);
const validCifar = encodeCifarBatch([1, 7], new Uint8Array(2 * 3072), 'cifar10');
/** A 2×1 greyscale PNG (pixels 0, 255) built with Python's zlib + struct. */
const validPng = Uint8Array.from(Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAIAAAABCAAAAADRSSBWAAAAC0lEQVR4nGNg+A8AAQIBAEK+vGgAAAAASUVORK5CYII=', 'base64'));

/** Mutations of a valid input: truncation, bit flips, overwritten 32-bit fields (lengths), or random bytes. */
const mutated = (valid: Uint8Array) =>
  fc.oneof(
    fc.uint8Array({ maxLength: 256 }),
    fc.nat({ max: valid.length }).map((n) => valid.subarray(0, n)),
    fc.array(fc.tuple(fc.nat({ max: valid.length - 1 }), fc.integer({ min: 0, max: 7 })), { minLength: 1, maxLength: 8 }).map((flips) => {
      const b = valid.slice();
      for (const [i, bit] of flips) b[i]! ^= 1 << bit;
      return b;
    }),
    fc.tuple(fc.nat({ max: Math.max(0, valid.length - 4) }), fc.constantFrom(0xffffffff, 0x7fffffff, 0x80000000, 0, 1 << 30)).map(([at, v]) => {
      const b = valid.slice();
      new DataView(b.buffer).setUint32(at, v, at % 2 === 0);
      return b;
    }),
  );

/** Runs a decoder, asserting it neither throws nor takes long. */
const safely = <A>(decode: (b: Uint8Array) => E.Either<string, A>, input: Uint8Array): E.Either<string, A> => {
  const started = performance.now();
  const r = decode(input);
  expect(performance.now() - started).toBeLessThan(1000);
  if (E.isLeft(r)) expect(r.left.length).toBeGreaterThan(0);
  return r;
};

describe('decoders never throw on hostile bytes', () => {
  it('IDX (raw and gzip)', () => {
    fc.assert(fc.property(mutated(validIdx), (b) => void safely(decodeIdx, b)));
    fc.assert(fc.property(mutated(new Uint8Array(gzipSync(validIdx))), (b) => void safely(decodeIdx, b)));
  });

  it('checkpoints: any change is caught (checksum) and nothing throws', () => {
    fc.assert(
      fc.property(mutated(validCheckpoint), (b) => {
        const r = safely(decodeCheckpoint, b);
        const same = b.length === validCheckpoint.length && b.every((x, i) => x === validCheckpoint[i]);
        expect(E.isRight(r)).toBe(same);
      }),
    );
  });

  it('start from inputs that decode', () => {
    expect(E.isRight(decodeTarHeader(validTarHeader))).toBe(true);
    expect(E.isRight(decodeCifarBatch(validCifar, 'cifar10'))).toBe(true);
    expect(E.isRight(decodePng(validPng))).toBe(true);
  });

  it('tar headers, CIFAR batches and PNG images', () => {
    fc.assert(fc.property(mutated(validTarHeader), (b) => void safely((x) => decodeTarHeader(x.length === 512 ? x : new Uint8Array(512)), b)));
    fc.assert(fc.property(mutated(validCifar), (b) => void safely((x) => decodeCifarBatch(x, 'cifar10'), b)));
    fc.assert(fc.property(mutated(validCifar), (b) => void safely((x) => decodeCifarBatch(x, 'cifar100'), b)));
    fc.assert(fc.property(mutated(validPng), (b) => void safely((x) => decodePng(x), b)));
  });

  it('run config documents (YAML text and parsed values)', () => {
    const asYaml = (text: string): E.Either<string, unknown> => {
      let doc: unknown;
      try {
        doc = parseYaml(text, { maxAliasCount: 100 });
      } catch {
        return E.left('not YAML');
      }
      return decodeConfigDocument(doc);
    };
    fc.assert(fc.property(fc.string({ maxLength: 200 }), (text) => void safely(() => asYaml(text), new Uint8Array())));
    fc.assert(fc.property(fc.jsonValue(), (doc) => void safely(() => decodeConfigDocument(doc), new Uint8Array())));
    fc.assert(
      fc.property(fc.dictionary(fc.constantFrom('epochs', 'ratio', 'lr', 'classWeights', 'transforms', 'seed', 'lossConfig'), fc.jsonValue()), (doc) =>
        void safely(() => decodeConfigDocument(doc), new Uint8Array()),
      ),
    );
  });

  it('TFRecord framing and tf.Example', () => {
    fc.assert(fc.property(mutated(validTfRecords), (b) => void safely((x) => decodeTfRecords(x), b)));
    fc.assert(fc.property(fc.uint8Array({ maxLength: 128 }), (b) => void safely(decodeTfExample, b)));
  });
});
