/**
 * Record parsers for TFRecord files of `tf.Example`s and WebDataset tar shards, written without any IO
 * ("sans-IO"): a parser is a generator that asks its driver for bytes and yields records.
 *
 * Intuition: a parser yields `{kind: 'read', position, length}` and receives those bytes back from
 * `next(bytes)` (fewer only at the end of the shard); between reads it yields the records it found
 * and the corrupt spots it met. The same parser therefore serves a local file read synchronously, an
 * HTTP body read asynchronously, or a buffer in memory: only the driver differs. Reads only move
 * forward, so a streamed source never has to seek back.
 *
 * Every length from the shard is checked against the limit and the bytes left in the shard before a
 * read of that size is asked for, so a hostile length field cannot make the driver allocate.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import {
  checkTfRecordData,
  decodeTfRecordHeader,
  TFRECORD_FOOTER_BYTES,
  TFRECORD_HEADER_BYTES,
  TFRECORD_MAX_RECORD_BYTES,
} from './tfrecord.js';
import { decodeTfExample } from './tf-example.js';
import { imageRecordFromExample, type ExampleKeys, type ImageRecord } from './image-record.js';
import { decodeTarHeader, isZeroBlock, paxPath, TAR_BLOCK, tarPaddedSize } from './tar.js';
import { imageRecordFromSample, splitWebDatasetName, type WebDatasetFields } from './webdataset.js';

/** A parser's request: `length` bytes at `position` (answered with fewer only at the end of the shard). */
export interface ShardReadRequest {
  readonly kind: 'read';
  readonly position: number;
  readonly length: number;
}

/** A record found at `offset`; `next` is the offset of whatever follows it. */
export interface ParsedShardRecord {
  readonly kind: 'record';
  readonly record: ImageRecord;
  readonly offset: number;
  readonly next: number;
}

/** A corrupt spot: where, why, and whether the rest of the shard is lost (`fatal`). */
export interface ShardCorruption {
  readonly kind: 'corrupt';
  readonly offset: number;
  readonly reason: string;
  /** True when the rest of the shard cannot be trusted (a bad header, a truncation); the parser stops. */
  readonly fatal: boolean;
}

/** What a parser yields. */
export type ShardParseStep = ShardReadRequest | ParsedShardRecord | ShardCorruption;

/** A sans-IO shard parser: feed each `read` request's bytes to `next`; pass an empty array otherwise. */
export type ShardParser = Generator<ShardParseStep, void, Uint8Array>;

/** The two shard formats. */
export type ShardFormat = 'tfrecord' | 'webdataset';

/** Options shared by the parsers. */
export interface ShardParseOptions {
  /** Largest record (TFRecord) or tar entry accepted (default 256 MiB). */
  readonly maxRecordBytes?: number;
  readonly exampleKeys?: ExampleKeys;
  readonly webDatasetFields?: WebDatasetFields;
}

/** Bytes a driver passes to `next` after a step that was not a read. */
export const NO_BYTES: Uint8Array = new Uint8Array(0);

const read = (position: number, length: number): ShardReadRequest => ({ kind: 'read', position, length });
const corrupt = (offset: number, reason: string, fatal: boolean): ShardCorruption => ({ kind: 'corrupt', offset, reason, fatal });

/** TFRecord records of a shard of `size` bytes, from `offset` (a record boundary) on. */
export function* tfRecordParser(size: number, offset: number, options: ShardParseOptions = {}): ShardParser {
  const limit = options.maxRecordBytes ?? TFRECORD_MAX_RECORD_BYTES;
  let at = offset;
  while (at < size) {
    const header: Uint8Array = yield read(at, TFRECORD_HEADER_BYTES);
    if (header.length < TFRECORD_HEADER_BYTES) {
      yield corrupt(at, `truncated TFRecord header (${header.length} of 12 bytes)`, true);
      return;
    }
    const length = decodeTfRecordHeader(header, limit);
    if (E.isLeft(length)) {
      yield corrupt(at, length.left, true);
      return;
    }
    const end = at + TFRECORD_HEADER_BYTES + length.right + TFRECORD_FOOTER_BYTES;
    if (end > size) {
      yield corrupt(at, `truncated TFRecord: the record declares ${length.right} bytes but the file ends at ${size}`, true);
      return;
    }
    const body: Uint8Array = yield read(at + TFRECORD_HEADER_BYTES, length.right + TFRECORD_FOOTER_BYTES);
    if (body.length < length.right + TFRECORD_FOOTER_BYTES) {
      yield corrupt(at, `truncated TFRecord: the record declares ${length.right} bytes but only ${Math.max(0, body.length - TFRECORD_FOOTER_BYTES)} arrived`, true);
      return;
    }
    const checked = checkTfRecordData(body.subarray(0, length.right), body.subarray(length.right));
    const record = E.isLeft(checked)
      ? checked
      : pipe(
          decodeTfExample(checked.right),
          E.chain((features) => imageRecordFromExample(features, options.exampleKeys)),
        );
    if (E.isLeft(record)) yield corrupt(at, record.left, false);
    else yield { kind: 'record', record: record.right, offset: at, next: end };
    at = end;
  }
}

/**
 * WebDataset samples of a tar shard of `size` bytes, from `offset` (a sample boundary) on. A sample is
 * complete when an entry of another key starts, at the end marker, or where the shard turns out
 * corrupt (its entries read so far were intact; the corruption is reported after it).
 */
export function* webDatasetParser(size: number, offset: number, options: ShardParseOptions = {}): ShardParser {
  const limit = options.maxRecordBytes ?? TFRECORD_MAX_RECORD_BYTES;
  let at = offset;
  let key: string | undefined;
  let sampleStart = offset;
  let fields = new Map<string, Uint8Array>();
  let longName: string | undefined;
  let entryStart = offset;
  const flush = function* (next: number): Generator<ShardParseStep, void, Uint8Array> {
    if (key === undefined) return;
    const record = imageRecordFromSample({ key, fields }, options.webDatasetFields);
    if (E.isLeft(record)) yield corrupt(sampleStart, record.left, false);
    else yield { kind: 'record', record: record.right, offset: sampleStart, next };
    key = undefined;
    fields = new Map();
  };
  while (at < size) {
    const block: Uint8Array = yield read(at, TAR_BLOCK);
    if (block.length < TAR_BLOCK) {
      yield* flush(at);
      yield corrupt(at, `truncated tar header (${block.length} of 512 bytes)`, true);
      return;
    }
    if (isZeroBlock(block)) break;
    if (longName === undefined) entryStart = at;
    const header = decodeTarHeader(block, limit);
    if (E.isLeft(header)) {
      yield* flush(entryStart);
      yield corrupt(at, header.left, true);
      return;
    }
    const { size: entrySize, type } = header.right;
    const next = at + TAR_BLOCK + tarPaddedSize(entrySize);
    if (at + TAR_BLOCK + entrySize > size) {
      yield* flush(entryStart);
      yield corrupt(at, `truncated tar entry '${header.right.name}': ${entrySize} bytes declared but the file ends at ${size}`, true);
      return;
    }
    const data = (): Generator<ShardParseStep, Uint8Array | undefined, Uint8Array> =>
      (function* () {
        const bytes: Uint8Array = yield read(at + TAR_BLOCK, entrySize);
        return bytes.length < entrySize ? undefined : bytes;
      })();
    if (type === 'pax' || type === 'gnu-long-name') {
      const bytes = yield* data();
      if (bytes === undefined) {
        yield* flush(entryStart);
        yield corrupt(at, `truncated tar entry '${header.right.name}': the shard ended inside its data`, true);
        return;
      }
      longName = type === 'pax' ? paxPath(bytes) ?? longName : new TextDecoder().decode(bytes).replace(/\0+$/, '');
      at = next;
      continue;
    }
    const name = longName ?? header.right.name;
    longName = undefined;
    if (type === 'file') {
      const split = splitWebDatasetName(name);
      if (split === undefined) {
        yield corrupt(entryStart, `tar entry '${name}' has no extension to name its field`, false);
      } else {
        if (key !== undefined && split.key !== key) yield* flush(entryStart);
        if (key === undefined) {
          key = split.key;
          sampleStart = entryStart;
        }
        const bytes = yield* data();
        if (bytes === undefined) {
          yield* flush(entryStart);
          yield corrupt(at, `truncated tar entry '${name}': the shard ended inside its data`, true);
          return;
        }
        fields.set(split.field, bytes);
      }
    }
    at = next;
  }
  yield* flush(size);
}

/** The parser of `format` for a shard of `size` bytes from `offset`. */
export const shardParser = (format: ShardFormat, size: number, offset: number, options: ShardParseOptions = {}): ShardParser =>
  format === 'tfrecord' ? tfRecordParser(size, offset, options) : webDatasetParser(size, offset, options);

/** Random access to bytes, synchronously (a local file, a buffer). */
export interface SyncBytes {
  readonly size: number;
  /** `length` bytes at `position` (fewer only at the end). */
  read(position: number, length: number): Uint8Array;
}

/** Runs a parser against synchronous bytes: its records and corrupt spots, in order. */
export function* parseSync(parser: ShardParser, bytes: SyncBytes): Generator<ParsedShardRecord | ShardCorruption, void, undefined> {
  let input = NO_BYTES;
  try {
    for (;;) {
      const step = parser.next(input);
      if (step.done === true) return;
      if (step.value.kind === 'read') {
        input = bytes.read(step.value.position, step.value.length);
      } else {
        input = NO_BYTES;
        yield step.value;
      }
    }
  } finally {
    parser.return();
  }
}

/** Bytes in memory as `SyncBytes` (views, no copies). */
export const bytesOf = (buffer: Uint8Array): SyncBytes => ({
  size: buffer.length,
  read: (position, length) => buffer.subarray(Math.min(position, buffer.length), Math.min(position + length, buffer.length)),
});

/** A local file opened for positional reads; `close` releases it. */
export const openLocalBytes = (path: string): SyncBytes & { close(): void } => {
  const fd = openSync(path, 'r');
  const size = fstatSync(fd).size;
  return {
    size,
    read: (position, length) => {
      const buffer = new Uint8Array(Math.max(0, Math.min(length, size - position)));
      let got = 0;
      while (got < buffer.length) {
        const n = readSync(fd, buffer, got, buffer.length - got, position + got);
        if (n === 0) break;
        got += n;
      }
      return got === buffer.length ? buffer : buffer.subarray(0, got);
    },
    close: () => closeSync(fd),
  };
};
