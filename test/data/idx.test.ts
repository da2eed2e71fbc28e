import { describe, expect, it } from 'vitest';
import { gzipSync } from 'node:zlib';
import * as E from 'fp-ts/lib/Either.js';
import { decodeIdx, encodeIdx } from '../../src/data/idx.js';

const left = (r: E.Either<string, unknown>): string => (E.isLeft(r) ? r.left : 'decoded');

describe('decodeIdx', () => {
  const data = Uint8Array.from({ length: 2 * 3 * 4 }, (_, i) => i);
  const bytes = encodeIdx([2, 3, 4], data);

  it('round-trips raw and gzip files', () => {
    for (const input of [bytes, new Uint8Array(gzipSync(bytes))]) {
      const r = decodeIdx(input);
      expect(E.isRight(r)).toBe(true);
      if (E.isRight(r)) {
        expect(r.right.dims).toEqual([2, 3, 4]);
        expect([...r.right.data]).toEqual([...data]);
      }
    }
  });

  it('writes the header of the real format', () => {
    expect([...bytes.subarray(0, 8)]).toEqual([0, 0, 8, 3, 0, 0, 0, 2]);
  });

  it('refuses truncated, foreign and lying files with a sentence', () => {
    expect(left(decodeIdx(new Uint8Array([0, 0])))).toBe('too short for an IDX header (2 bytes)');
    expect(left(decodeIdx(new Uint8Array([1, 0, 8, 1, 0, 0, 0, 0])))).toBe('not an IDX file (the first two bytes must be zero)');
    expect(left(decodeIdx(new Uint8Array([0, 0, 0x42, 1])))).toBe('unknown IDX data type 0x42');
    expect(left(decodeIdx(new Uint8Array([0, 0, 0x0d, 1, 0, 0, 0, 0])))).toBe("IDX data type 'float' is not supported (only unsigned byte)");
    expect(left(decodeIdx(bytes.subarray(0, 10)))).toBe('truncated IDX header (rank 3 needs 16 bytes, got 10)');
    expect(left(decodeIdx(bytes.subarray(0, bytes.length - 1)))).toBe('IDX header declares 2×3×4 = 24 values but the file holds 23');
    expect(left(decodeIdx(new Uint8Array([0x1f, 0x8b, 1, 2, 3])))).toMatch(/^corrupt gzip data/);
  });

  it('does not allocate for a header that declares a huge size', () => {
    const huge = new Uint8Array([0, 0, 8, 3, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff, 1, 2]);
    expect(left(decodeIdx(huge))).toMatch(/^IDX header declares 4294967295×4294967295×4294967295 = .* values but the file holds 2$/);
  });
});
