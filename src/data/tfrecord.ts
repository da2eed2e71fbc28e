/**
 * TFRecord framing (`tensorflow/core/lib/io/record_writer.cc`), as pure functions of bytes.
 *
 * Intuition: every record is `uint64 length (LE) · uint32 masked_crc32c(length bytes) · data[length] ·
 * uint32 masked_crc32c(data)`. A reader first checks the 12-byte header (so a corrupt length is caught
 * by its own CRC before anything is allocated), then the data against its CRC.
 */
import * as E from 'fp-ts/lib/Either.js';
import { maskedCrc32c } from './crc32c.js';

/** Bytes before the data of a record: the length and its CRC. */
export const TFRECORD_HEADER_BYTES = 12;
/** Bytes after the data of a record: the data's CRC. */
export const TFRECORD_FOOTER_BYTES = 4;
/** Default ceiling on one record's data (a larger declared length is refused before allocation). */
export const TFRECORD_MAX_RECORD_BYTES = 256 * 1024 * 1024;

/**
 * The data length a 12-byte TFRecord header declares, after checking the header's CRC and that the
 * length is at most `maxRecordBytes`. Left is a sentence fragment (the caller adds shard and offset).
 */
export const decodeTfRecordHeader = (header: Uint8Array, maxRecordBytes = TFRECORD_MAX_RECORD_BYTES): E.Either<string, number> => {
  if (header.length < TFRECORD_HEADER_BYTES) return E.left(`truncated TFRecord header (${header.length} of 12 bytes)`);
  const view = new DataView(header.buffer, header.byteOffset, TFRECORD_HEADER_BYTES);
  const stored = view.getUint32(8, true);
  const actual = maskedCrc32c(header.subarray(0, 8));
  if (stored !== actual) return E.left(`TFRecord length CRC mismatch (stored 0x${hex(stored)}, computed 0x${hex(actual)})`);
  const length = view.getBigUint64(0, true);
  if (length > BigInt(maxRecordBytes)) return E.left(`TFRecord length ${length} exceeds the limit of ${maxRecordBytes} bytes`);
  return E.right(Number(length));
};

/** `data` if `footer` (4 bytes) holds its masked CRC-32C; a sentence fragment otherwise. */
export const checkTfRecordData = (data: Uint8Array, footer: Uint8Array): E.Either<string, Uint8Array> => {
  if (footer.length < TFRECORD_FOOTER_BYTES) return E.left(`truncated TFRecord data CRC (${footer.length} of 4 bytes)`);
  const stored = new DataView(footer.buffer, footer.byteOffset, 4).getUint32(0, true);
  const actual = maskedCrc32c(data);
  return stored === actual ? E.right(data) : E.left(`TFRecord data CRC mismatch (stored 0x${hex(stored)}, computed 0x${hex(actual)})`);
};

/** One record framed as TFRecord. */
export const encodeTfRecord = (data: Uint8Array): Uint8Array => {
  const out = new Uint8Array(TFRECORD_HEADER_BYTES + data.length + TFRECORD_FOOTER_BYTES);
  const view = new DataView(out.buffer);
  view.setBigUint64(0, BigInt(data.length), true);
  view.setUint32(8, maskedCrc32c(out.subarray(0, 8)), true);
  out.set(data, TFRECORD_HEADER_BYTES);
  view.setUint32(TFRECORD_HEADER_BYTES + data.length, maskedCrc32c(data), true);
  return out;
};

/** Records framed one after another: a whole TFRecord file. */
export const encodeTfRecords = (records: readonly Uint8Array[]): Uint8Array => {
  const framed = records.map(encodeTfRecord);
  const out = new Uint8Array(framed.reduce((s, r) => s + r.length, 0));
  let at = 0;
  for (const r of framed) {
    out.set(r, at);
    at += r.length;
  }
  return out;
};

/** A record read from a buffer: its data and the offset of the record after it. */
export interface TfRecordAt {
  readonly data: Uint8Array;
  readonly next: number;
}

/**
 * The record starting at `offset` of an in-memory TFRecord file (the data is a view, not a copy).
 * Left names what is wrong and the record's byte offset.
 */
export const decodeTfRecordAt = (bytes: Uint8Array, offset: number, maxRecordBytes = TFRECORD_MAX_RECORD_BYTES): E.Either<string, TfRecordAt> => {
  const header = decodeTfRecordHeader(bytes.subarray(offset, offset + TFRECORD_HEADER_BYTES), maxRecordBytes);
  if (E.isLeft(header)) return E.left(`${header.left} at byte ${offset}`);
  const start = offset + TFRECORD_HEADER_BYTES;
  const end = start + header.right;
  if (end + TFRECORD_FOOTER_BYTES > bytes.length) {
    return E.left(`truncated TFRecord: the record at byte ${offset} declares ${header.right} bytes but the file ends at ${bytes.length}`);
  }
  const data = checkTfRecordData(bytes.subarray(start, end), bytes.subarray(end, end + TFRECORD_FOOTER_BYTES));
  if (E.isLeft(data)) return E.left(`${data.left} at byte ${offset}`);
  return E.right({ data: data.right, next: end + TFRECORD_FOOTER_BYTES });
};

/** Every record of an in-memory TFRecord file, or the first problem. */
export const decodeTfRecords = (bytes: Uint8Array, maxRecordBytes = TFRECORD_MAX_RECORD_BYTES): E.Either<string, Uint8Array[]> => {
  const out: Uint8Array[] = [];
  let offset = 0;
  while (offset < bytes.length) {
    const r = decodeTfRecordAt(bytes, offset, maxRecordBytes);
    if (E.isLeft(r)) return r;
    out.push(r.right.data);
    offset = r.right.next;
  }
  return E.right(out);
};

const hex = (x: number): string => x.toString(16).padStart(8, '0');
