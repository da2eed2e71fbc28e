/**
 * Sharded image datasets on local disk — TFRecord files of `tf.Example`s and WebDataset tar shards —
 * as a pull source of encoded image records, one record per credit, with a resumable cursor.
 *
 * Intuition: an epoch visits this rank's shards in an order drawn from the epoch's Rng (the same on
 * every rank, so the ranks split the shards without overlap); within a shard, records are read one
 * at a time at increasing byte offsets, so memory holds one record whatever the shard size. Every
 * record carries the cursor `{epoch, shard, offset}` of the record after it: starting from that cursor
 * continues the stream exactly where it stopped, without repeating or skipping a record.
 *
 * Corrupt input (bad CRC, truncated shard, a length field past the limit, a tar entry without a label)
 * either stops the stream with one sentence naming shard and byte offset (`onCorrupt: 'fail'`) or is
 * skipped and reported to `onSkip` (`'skip'`); a length is checked against the limit and the bytes left
 * in the file before anything is allocated for it.
 */
import { closeSync, fstatSync, openSync, readSync } from 'node:fs';
import * as E from 'fp-ts/lib/Either.js';
import { pipe } from 'fp-ts/lib/function.js';
import { draw, type Rng } from '../core/rng.js';
import { UserError } from '../core/errors.js';
import {
  decodeTfRecordHeader,
  checkTfRecordData,
  TFRECORD_FOOTER_BYTES,
  TFRECORD_HEADER_BYTES,
  TFRECORD_MAX_RECORD_BYTES,
} from '../data/tfrecord.js';
import { decodeTfExample } from '../data/tf-example.js';
import { imageRecordFromExample, type ExampleKeys, type ImageRecord } from '../data/image-record.js';
import { decodeTarHeader, isZeroBlock, paxPath, TAR_BLOCK, tarPaddedSize } from '../data/tar.js';
import { imageRecordFromSample, splitWebDatasetName, type WebDatasetFields } from '../data/webdataset.js';
import { fromIterator, type PullSource } from './pull-source.js';

/** Where a stream stands: 0-based epoch, position in that epoch's shard list for this rank, byte offset in the shard. */
export interface ShardCursor {
  readonly epoch: number;
  readonly shard: number;
  readonly offset: number;
}

/** One record of a shard, with where it came from and the cursor that resumes after it. */
export interface ShardItem {
  readonly record: ImageRecord;
  /** Path of the shard the record is in. */
  readonly path: string;
  /** Byte offset of the record (TFRecord) or of the sample's first tar header (WebDataset). */
  readonly offset: number;
  /** Resume here to continue with the record after this one. */
  readonly next: ShardCursor;
}

/** A record or the rest of a shard skipped under `onCorrupt: 'skip'`. */
export interface ShardSkip {
  readonly path: string;
  readonly offset: number;
  readonly reason: string;
}

/** Random access to a shard's bytes (local files by default; a test or a cache may provide its own). */
export interface ShardFile {
  readonly size: number;
  /** `length` bytes at `position` (fewer only at the end of the file). */
  read(position: number, length: number): Uint8Array;
  close(): void;
}

/** Opens a local file for positional reads. */
export const openLocalShard = (path: string): ShardFile => {
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

/** Options of `shardRecords`. */
export interface ShardRecordsOptions {
  readonly format: 'tfrecord' | 'webdataset';
  /** Every shard of the dataset (all ranks see the same list). */
  readonly shards: readonly string[];
  /** Stream epochs `start.epoch … epochs − 1` (default 1). */
  readonly epochs?: number;
  /** Shard order per epoch from `rng.derive('shards', epoch)`; the listed order when absent. Same on every rank. */
  readonly rng?: Rng;
  /** This process's rank among `worldSize` (defaults 0 of 1). */
  readonly rank?: number;
  readonly worldSize?: number;
  /** Where to start (default the beginning of epoch 0). */
  readonly start?: ShardCursor;
  /** Stop with a sentence (default) or skip and report corrupt records. */
  readonly onCorrupt?: 'fail' | 'skip';
  /** Told about every skip under `onCorrupt: 'skip'`. */
  readonly onSkip?: (skip: ShardSkip) => void;
  /** Largest record (TFRecord) or tar entry accepted (default 256 MiB). */
  readonly maxRecordBytes?: number;
  readonly exampleKeys?: ExampleKeys;
  readonly webDatasetFields?: WebDatasetFields;
  /** How to open a shard (default `openLocalShard`). */
  readonly open?: (path: string) => ShardFile;
}

/**
 * The shards rank `rank` of `worldSize` reads in epoch `epoch`: the epoch's order (a permutation
 * from `rng.derive('shards', epoch)`, or the list as given), then every `worldSize`-th from `rank`.
 * Left when the rank would get no shard (fewer shards than ranks) or rank/worldSize are invalid.
 */
export const shardsForRank = (
  shards: readonly string[],
  epoch: number,
  rank: number,
  worldSize: number,
  rng?: Rng,
): E.Either<string, string[]> => {
  if (!(Number.isInteger(worldSize) && worldSize >= 1)) return E.left(`worldSize must be a positive integer, got ${worldSize}`);
  if (!(Number.isInteger(rank) && rank >= 0 && rank < worldSize)) return E.left(`rank must be an integer in [0, ${worldSize}), got ${rank}`);
  if (shards.length < worldSize) {
    return E.left(`rank ${rank} of ${worldSize} would get no shard: there are only ${shards.length} shard(s) for ${worldSize} ranks`);
  }
  const order = rng === undefined ? Int32Array.from(shards, (_, i) => i) : draw(rng.derive('shards', epoch), (d) => d.permutation(shards.length))[0];
  const mine: string[] = [];
  for (let i = rank; i < order.length; i += worldSize) mine.push(shards[order[i]!]!);
  return E.right(mine);
};

/** A corrupt spot: where, and why. */
class Corrupt {
  constructor(
    readonly offset: number,
    readonly reason: string,
    /** True when the rest of the shard cannot be trusted (a bad header, a truncation). */
    readonly fatal: boolean,
  ) {}
}

type Read = { readonly record: ImageRecord; readonly offset: number; readonly next: number } | Corrupt;

/** TFRecord records from `offset` on. */
function* tfRecords(file: ShardFile, offset: number, options: ShardRecordsOptions): Generator<Read> {
  const limit = options.maxRecordBytes ?? TFRECORD_MAX_RECORD_BYTES;
  let at = offset;
  while (at < file.size) {
    const header = file.read(at, TFRECORD_HEADER_BYTES);
    if (header.length < TFRECORD_HEADER_BYTES) {
      yield new Corrupt(at, `truncated TFRecord header (${header.length} of 12 bytes)`, true);
      return;
    }
    const length = decodeTfRecordHeader(header, limit);
    if (E.isLeft(length)) {
      yield new Corrupt(at, length.left, true);
      return;
    }
    const end = at + TFRECORD_HEADER_BYTES + length.right + TFRECORD_FOOTER_BYTES;
    if (end > file.size) {
      yield new Corrupt(at, `truncated TFRecord: the record declares ${length.right} bytes but the file ends at ${file.size}`, true);
      return;
    }
    const body = file.read(at + TFRECORD_HEADER_BYTES, length.right + TFRECORD_FOOTER_BYTES);
    const checked = checkTfRecordData(body.subarray(0, length.right), body.subarray(length.right));
    const record = E.isLeft(checked)
      ? checked
      : pipe(
          decodeTfExample(checked.right),
          E.chain((features) => imageRecordFromExample(features, options.exampleKeys)),
        );
    if (E.isLeft(record)) yield new Corrupt(at, record.left, false);
    else yield { record: record.right, offset: at, next: end };
    at = end;
  }
}

/**
 * WebDataset samples from `offset` (a sample boundary) on. A sample is complete when an entry of
 * another key starts, at the end marker, or where the shard turns out corrupt (its entries read so
 * far were intact; the corruption is reported after it).
 */
function* webDatasetSamples(file: ShardFile, offset: number, options: ShardRecordsOptions): Generator<Read> {
  const limit = options.maxRecordBytes ?? TFRECORD_MAX_RECORD_BYTES;
  let at = offset;
  let key: string | undefined;
  let sampleStart = offset;
  let fields = new Map<string, Uint8Array>();
  let longName: string | undefined;
  let entryStart = offset;
  const flush = function* (next: number): Generator<Read> {
    if (key === undefined) return;
    const record = imageRecordFromSample({ key, fields }, options.webDatasetFields);
    if (E.isLeft(record)) yield new Corrupt(sampleStart, record.left, false);
    else yield { record: record.right, offset: sampleStart, next };
    key = undefined;
    fields = new Map();
  };
  while (at < file.size) {
    const block = file.read(at, TAR_BLOCK);
    if (block.length < TAR_BLOCK) {
      yield* flush(at);
      yield new Corrupt(at, `truncated tar header (${block.length} of 512 bytes)`, true);
      return;
    }
    if (isZeroBlock(block)) break;
    if (longName === undefined) entryStart = at;
    const header = decodeTarHeader(block, limit);
    if (E.isLeft(header)) {
      yield* flush(entryStart);
      yield new Corrupt(at, header.left, true);
      return;
    }
    const { size, type } = header.right;
    const next = at + TAR_BLOCK + tarPaddedSize(size);
    if (at + TAR_BLOCK + size > file.size) {
      yield* flush(entryStart);
      yield new Corrupt(at, `truncated tar entry '${header.right.name}': ${size} bytes declared but the file ends at ${file.size}`, true);
      return;
    }
    if (type === 'pax' || type === 'gnu-long-name') {
      const data = file.read(at + TAR_BLOCK, size);
      longName = type === 'pax' ? paxPath(data) ?? longName : new TextDecoder().decode(data).replace(/\0+$/, '');
      at = next;
      continue;
    }
    const name = longName ?? header.right.name;
    longName = undefined;
    if (type === 'file') {
      const split = splitWebDatasetName(name);
      if (split === undefined) {
        yield new Corrupt(entryStart, `tar entry '${name}' has no extension to name its field`, false);
      } else {
        if (key !== undefined && split.key !== key) yield* flush(entryStart);
        if (key === undefined) {
          key = split.key;
          sampleStart = entryStart;
        }
        fields.set(split.field, file.read(at + TAR_BLOCK, size));
      }
    }
    at = next;
  }
  yield* flush(file.size);
}

/**
 * The records of `options.shards` for this rank, epoch after epoch, one per credit, from `start`.
 * @throws UserError ('bad-argument') when this rank would get no shard or the cursor is out of range;
 *   read failures under `onCorrupt: 'fail'` arrive as a `UserError` ('bad-file') on the stream.
 */
export const shardRecords = (options: ShardRecordsOptions): PullSource<ShardItem> => {
  const epochs = options.epochs ?? 1;
  const rank = options.rank ?? 0;
  const worldSize = options.worldSize ?? 1;
  const start = options.start ?? { epoch: 0, shard: 0, offset: 0 };
  const plan = shardsForRank(options.shards, start.epoch, rank, worldSize, options.rng);
  if (E.isLeft(plan)) throw new UserError('bad-argument', `shardRecords: ${plan.left}.`);
  if (!(Number.isInteger(start.shard) && start.shard >= 0 && start.shard <= plan.right.length && start.offset >= 0)) {
    throw new UserError('bad-argument', `shardRecords: cursor shard ${start.shard} is outside this rank's ${plan.right.length} shards.`);
  }
  const open = options.open ?? openLocalShard;
  return fromIterator(function* () {
    for (let epoch = start.epoch; epoch < epochs; epoch++) {
      const mine = E.getOrElse((): string[] => [])(shardsForRank(options.shards, epoch, rank, worldSize, options.rng));
      for (let s = epoch === start.epoch ? start.shard : 0; s < mine.length; s++) {
        const path = mine[s]!;
        const offset = epoch === start.epoch && s === start.shard ? start.offset : 0;
        const file = open(path);
        try {
          const reads = options.format === 'tfrecord' ? tfRecords(file, offset, options) : webDatasetSamples(file, offset, options);
          for (const r of reads) {
            if (r instanceof Corrupt) {
              if (options.onCorrupt !== 'skip') throw new UserError('bad-file', `Shard ${path}: ${r.reason} at byte ${r.offset}.`);
              options.onSkip?.({ path, offset: r.offset, reason: r.fatal ? `${r.reason} (rest of the shard skipped)` : r.reason });
              continue;
            }
            const next: ShardCursor = r.next >= file.size ? { epoch, shard: s + 1, offset: 0 } : { epoch, shard: s, offset: r.next };
            yield { record: r.record, path, offset: r.offset, next };
          }
        } finally {
          file.close();
        }
      }
    }
  });
};
