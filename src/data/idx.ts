/**
 * Decoder for the IDX format of MNIST and Fashion-MNIST (raw or gzip), as a pure function of the bytes.
 *
 * Intuition: 2 zero bytes, a type code, a rank, rank big-endian 32-bit dimensions, then the values.
 * The declared size is checked against the actual bytes before anything is allocated, so a hostile
 * header cannot make the decoder allocate more than the input warrants.
 */
import { gunzipSync } from 'node:zlib';
import * as E from 'fp-ts/lib/Either.js';

/** A decoded IDX array. Only unsigned-byte data (the MNIST family) is materialised; other types are refused. */
export interface IdxArray {
  readonly dims: readonly number[];
  readonly data: Uint8Array;
}

const TYPE_NAMES: Record<number, string> = {
  0x08: 'unsigned byte',
  0x09: 'signed byte',
  0x0b: 'short',
  0x0c: 'int',
  0x0d: 'float',
  0x0e: 'double',
};

/** Upper bound on the decompressed size of one IDX file (Fashion-MNIST's largest is 47 MB). */
export const IDX_MAX_BYTES = 1 << 30;

/** Decompresses `bytes` if they start with the gzip magic; leaves them as they are otherwise. */
export const maybeGunzip = (bytes: Uint8Array, maxBytes = IDX_MAX_BYTES): E.Either<string, Uint8Array> => {
  if (bytes.length >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b) {
    try {
      return E.right(new Uint8Array(gunzipSync(bytes, { maxOutputLength: maxBytes })));
    } catch (e) {
      return E.left(`corrupt gzip data (${e instanceof Error ? e.message : String(e)})`);
    }
  }
  return E.right(bytes);
};

/**
 * Decodes IDX bytes (gzip or raw). Left is a sentence fragment saying what is wrong, for the caller to prefix with the file name.
 */
export const decodeIdx = (input: Uint8Array): E.Either<string, IdxArray> => {
  const unzipped = maybeGunzip(input);
  if (E.isLeft(unzipped)) return unzipped;
  const bytes = unzipped.right;
  if (bytes.length < 4) return E.left(`too short for an IDX header (${bytes.length} bytes)`);
  if (bytes[0] !== 0 || bytes[1] !== 0) return E.left('not an IDX file (the first two bytes must be zero)');
  const type = bytes[2]!;
  const rank = bytes[3]!;
  if (TYPE_NAMES[type] === undefined) return E.left(`unknown IDX data type 0x${type.toString(16)}`);
  if (type !== 0x08) return E.left(`IDX data type '${TYPE_NAMES[type]}' is not supported (only unsigned byte)`);
  if (rank === 0) return E.left('IDX rank is 0');
  const headerLength = 4 + 4 * rank;
  if (bytes.length < headerLength) return E.left(`truncated IDX header (rank ${rank} needs ${headerLength} bytes, got ${bytes.length})`);
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const dims: number[] = [];
  let count = 1;
  for (let i = 0; i < rank; i++) {
    const d = view.getUint32(4 + 4 * i, false);
    dims.push(d);
    count *= d;
  }
  const available = bytes.length - headerLength;
  if (count !== available) {
    return E.left(`IDX header declares ${dims.join('×')} = ${count} values but the file holds ${available}`);
  }
  return E.right({ dims, data: bytes.subarray(headerLength) });
};

/** Encodes unsigned bytes as IDX (used to write test fixtures and shards in the real format). */
export const encodeIdx = (dims: readonly number[], data: Uint8Array): Uint8Array => {
  const out = new Uint8Array(4 + 4 * dims.length + data.length);
  const view = new DataView(out.buffer);
  out[2] = 0x08;
  out[3] = dims.length;
  dims.forEach((d, i) => view.setUint32(4 + 4 * i, d, false));
  out.set(data, 4 + 4 * dims.length);
  return out;
};
