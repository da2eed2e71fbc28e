/**
 * Sharded image datasets — TFRecord files of `tf.Example`s and WebDataset tar shards, on local disk or
 * on an HTTP(S) server — as a pull source of encoded image records, one record per credit, with a resumable cursor.
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
 *
 * Local shards are read synchronously (one record per credit, inside the credit's call); shards named
 * by `http://` or `https://` URLs, or opened by `openAsync`, are read asynchronously with the same
 * parsers (`data/shard-parse`) and the same rule: one record read per credit, never more.
 */
import { fileURLToPath } from 'node:url';
import * as E from 'fp-ts/lib/Either.js';
import { draw, type Rng } from '../core/rng.js';
import { UserError } from '../core/errors.js';
import type { ExampleKeys, ImageRecord } from '../data/image-record.js';
import type { WebDatasetFields } from '../data/webdataset.js';
import {
  NO_BYTES,
  openLocalBytes,
  parseSync,
  shardParser,
  type ParsedShardRecord,
  type ShardCorruption,
  type ShardFormat,
  type ShardParser,
} from '../data/shard-parse.js';
import { fromAsyncIterator, fromIterator, type PullSource } from './pull-source.js';
import { isHttpUrl, openHttpShard, type AsyncShardFile, type HttpShardOptions } from './http-shard.js';

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
export const openLocalShard = (path: string): ShardFile => openLocalBytes(path);

/** Opens a shard for asynchronous reads, starting near `offset` (a hint: streamed sources begin there). */
export type OpenAsyncShard = (path: string, at: { readonly offset: number; readonly signal: AbortSignal }) => Promise<AsyncShardFile>;

/** A local path or `file://` URL as a path. */
const localPath = (path: string): string => (path.startsWith('file://') ? fileURLToPath(path) : path);

/**
 * The default asynchronous opener: `http(s)://` URLs are streamed with Range requests and retries
 * (`http` options), anything else is a local path or `file://` URL read with positional reads.
 */
export const openShard =
  (http: HttpShardOptions = {}): OpenAsyncShard =>
  async (path, at) => {
    if (isHttpUrl(path)) return openHttpShard(path, at, http);
    const file = openLocalShard(localPath(path));
    return { size: file.size, read: async (position, length) => file.read(position, length), close: () => file.close() };
  };

/** Options of `shardRecords`. */
export interface ShardRecordsOptions {
  readonly format: ShardFormat;
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
  /** How to open a local shard synchronously (default `openLocalShard`); ignored when `openAsync` is given. */
  readonly open?: (path: string) => ShardFile;
  /**
   * How to open a shard asynchronously. When given, or when a shard is an `http(s)://` URL (then the
   * default is `openShard(options.http)`), every shard is read asynchronously.
   */
  readonly openAsync?: OpenAsyncShard;
  /** Retries, backoff and timeouts of HTTP shards. */
  readonly http?: HttpShardOptions;
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

/** A record of a shard, or nothing when a corrupt one was skipped; throws under `onCorrupt: 'fail'`. */
export const acceptRecord = (
  r: ParsedShardRecord | ShardCorruption,
  path: string,
  options: Pick<ShardRecordsOptions, 'onCorrupt' | 'onSkip'>,
): ParsedShardRecord | undefined => {
  if (r.kind === 'record') return r;
  if (options.onCorrupt !== 'skip') throw new UserError('bad-file', `Shard ${path}: ${r.reason} at byte ${r.offset}.`);
  options.onSkip?.({ path, offset: r.offset, reason: r.fatal ? `${r.reason} (rest of the shard skipped)` : r.reason });
  return undefined;
};

/** Runs a parser against an asynchronous file: its records and corrupt spots, in order. */
export async function* parseAsync(parser: ShardParser, file: AsyncShardFile): AsyncGenerator<ParsedShardRecord | ShardCorruption, void, undefined> {
  let input = NO_BYTES;
  try {
    for (;;) {
      const step = parser.next(input);
      if (step.done === true) return;
      if (step.value.kind === 'read') {
        input = await file.read(step.value.position, step.value.length);
      } else {
        input = NO_BYTES;
        yield step.value;
      }
    }
  } finally {
    parser.return();
  }
}

/** True when `shardRecords` reads these options' shards asynchronously. */
export const readsAsync = (options: Pick<ShardRecordsOptions, 'openAsync' | 'shards'>): boolean =>
  options.openAsync !== undefined || options.shards.some(isHttpUrl);

/**
 * The records of `options.shards` for this rank, epoch after epoch, one per credit, from `start`.
 * @throws UserError ('bad-argument') when this rank would get no shard or the cursor is out of range;
 *   read failures under `onCorrupt: 'fail'` (and HTTP failures after the retries) arrive as a
 *   `UserError` ('bad-file') on the stream.
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
  /** Every (epoch, position, path, first offset) this rank reads, from the cursor on. */
  const visits = function* () {
    for (let epoch = start.epoch; epoch < epochs; epoch++) {
      const mine = E.getOrElse((): string[] => [])(shardsForRank(options.shards, epoch, rank, worldSize, options.rng));
      for (let s = epoch === start.epoch ? start.shard : 0; s < mine.length; s++) {
        yield { epoch, s, path: mine[s]!, offset: epoch === start.epoch && s === start.shard ? start.offset : 0 };
      }
    }
  };
  const item = (r: ParsedShardRecord, path: string, epoch: number, s: number, size: number): ShardItem => ({
    record: r.record,
    path,
    offset: r.offset,
    next: r.next >= size ? { epoch, shard: s + 1, offset: 0 } : { epoch, shard: s, offset: r.next },
  });
  if (readsAsync(options)) {
    const open = options.openAsync ?? openShard(options.http);
    return fromAsyncIterator(async function* (signal) {
      for (const { epoch, s, path, offset } of visits()) {
        const file = await open(path, { offset, signal });
        try {
          for await (const r of parseAsync(shardParser(options.format, file.size, offset, options), file)) {
            const ok = acceptRecord(r, path, options);
            if (ok !== undefined) yield item(ok, path, epoch, s, file.size);
          }
        } finally {
          file.close();
        }
      }
    });
  }
  const open = options.open ?? ((path: string) => openLocalShard(localPath(path)));
  return fromIterator(function* () {
    for (const { epoch, s, path, offset } of visits()) {
      const file = open(path);
      try {
        for (const r of parseSync(shardParser(options.format, file.size, offset, options), file)) {
          const ok = acceptRecord(r, path, options);
          if (ok !== undefined) yield item(ok, path, epoch, s, file.size);
        }
      } finally {
        file.close();
      }
    }
  });
};
