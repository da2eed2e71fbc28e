/**
 * Records of k interleaved shards through a bounded shuffle buffer: the sharded source for data whose
 * shards are not class-mixed (class-sorted shards, one class per shard).
 *
 * Intuition: up to `interleave` shards of this rank's epoch list are open at once; each record read
 * comes from one of them, drawn with probability proportional to the records it has left (when
 * `shardRecordCounts` says how many; uniformly otherwise), which makes the merged sequence a uniformly
 * random interleaving of the open shards. Without counts, shards of unequal size drain at equal rates,
 * so the small ones run out early and the end of the epoch holds only the large ones: pass the
 * manifest's per-shard counts. The records then pass through a buffer of `bufferSize`
 * records: once it is full, each emitted record is drawn uniformly from it and its place refilled, as
 * webdataset's `shuffle(n)` and tf.data's `shuffle(buffer)` do. A shuffle buffer alone cannot unsort
 * class-sorted shards (a buffer of 64 over shards of 1000 records of one class still yields batches of
 * one class, libffcv/ffcv#304); the interleave across shards is what mixes the classes, so open as
 * many shards as there are classes, or write class-mixed shards.
 *
 * Memory: at most `bufferSize` records plus one record per open shard are held, whatever the shard
 * sizes; a record is read only when a credit asks for an output (one read per output once the buffer
 * is full). All draws come from `rng.derive('shuffle', epoch, rank)`, so the order is a pure function of
 * the seed, epoch, rank and data.
 *
 * Resumption: each item carries `{epoch, index}`, the number of items of that epoch emitted so far.
 * Resuming replays the epoch's reads up to that point (records are parsed and checked, not decoded)
 * and emits from there on, so the continuation equals the uninterrupted stream exactly; the cost is
 * re-reading at most one epoch of this rank's shards.
 */
import * as E from 'fp-ts/lib/Either.js';
import { draw, type Rng } from '../core/rng.js';
import { UserError } from '../core/errors.js';
import type { ImageRecord } from '../data/image-record.js';
import { shardParser, type ParsedShardRecord, type ShardCorruption } from '../data/shard-parse.js';
import { fromAsyncIterator, type PullSource } from './pull-source.js';
import type { AsyncShardFile } from './http-shard.js';
import { acceptRecord, openShard, parseAsync, shardsForRank, type ShardRecordsOptions } from './shard-records.js';

/** Where a shuffled stream stands: the epoch and how many of its items were emitted. */
export interface ShuffledCursor {
  readonly epoch: number;
  readonly index: number;
}

/** One record with its shard, its byte offset there and the cursor that resumes after it. */
export interface ShuffledShardItem {
  readonly record: ImageRecord;
  readonly path: string;
  readonly offset: number;
  readonly next: ShuffledCursor;
}

/** Options of `shuffledShardRecords`. */
export interface ShuffledShardRecordsOptions extends Omit<ShardRecordsOptions, 'start' | 'open' | 'rng'> {
  /** Seeds the shard order (`derive('shards', epoch)`) and the interleave and buffer draws (`derive('shuffle', epoch, rank)`). */
  readonly rng: Rng;
  /** Shards open at once (default 4, at least 1). */
  readonly interleave?: number;
  /** Records held for shuffling (at least 1; 1 means no shuffling beyond the interleave). */
  readonly bufferSize: number;
  /** Records in each shard, in the order of `shards` (a manifest's per-shard counts): interleave ∝ records left. */
  readonly shardRecordCounts?: readonly number[];
  /** Where to start (default the beginning of epoch 0). */
  readonly start?: ShuffledCursor;
  /** Told the number of records in the buffer after each refill (for monitoring memory). */
  readonly onBufferSize?: (records: number) => void;
}

interface Slot {
  readonly path: string;
  readonly file: AsyncShardFile;
  readonly reads: AsyncGenerator<ParsedShardRecord | ShardCorruption, void, undefined>;
  left: number;
}

interface Buffered {
  readonly record: ParsedShardRecord;
  readonly path: string;
}

/**
 * The records of `options.shards` for this rank, interleaved `interleave` shards at a time and
 * shuffled through a buffer of `bufferSize` records, epoch after epoch, one per credit.
 * @throws UserError ('bad-argument') for a rank without shards or invalid sizes; read failures
 *   arrive on the stream as in `shardRecords`.
 */
export const shuffledShardRecords = (options: ShuffledShardRecordsOptions): PullSource<ShuffledShardItem> => {
  const epochs = options.epochs ?? 1;
  const rank = options.rank ?? 0;
  const worldSize = options.worldSize ?? 1;
  const start = options.start ?? { epoch: 0, index: 0 };
  const interleave = options.interleave ?? 4;
  const fail = (why: string): never => {
    throw new UserError('bad-argument', `shuffledShardRecords: ${why}.`);
  };
  if (!(Number.isInteger(interleave) && interleave >= 1)) fail(`interleave must be a positive integer, got ${interleave}`);
  if (!(Number.isInteger(options.bufferSize) && options.bufferSize >= 1)) fail(`bufferSize must be a positive integer, got ${options.bufferSize}`);
  if (options.shardRecordCounts !== undefined && options.shardRecordCounts.length !== options.shards.length) {
    fail(`shardRecordCounts has ${options.shardRecordCounts.length} entries for ${options.shards.length} shards`);
  }
  if (!(Number.isInteger(start.index) && start.index >= 0 && Number.isInteger(start.epoch) && start.epoch >= 0)) {
    fail(`the cursor {epoch: ${start.epoch}, index: ${start.index}} is not a pair of non-negative integers`);
  }
  const plan = shardsForRank(options.shards, start.epoch, rank, worldSize, options.rng);
  if (E.isLeft(plan)) fail(plan.left);
  const counts = new Map<string, number>();
  options.shardRecordCounts?.forEach((n, i) => counts.set(options.shards[i]!, n));
  const open = options.openAsync ?? openShard(options.http);

  return fromAsyncIterator(async function* (signal) {
    const slots: Slot[] = [];
    const closeSlot = (slot: Slot) => {
      slot.file.close();
      void slot.reads.return(undefined).catch(() => undefined);
    };
    try {
      for (let epoch = start.epoch; epoch < epochs; epoch++) {
        const mine = E.getOrElse((): string[] => [])(shardsForRank(options.shards, epoch, rank, worldSize, options.rng));
        let rng = options.rng.derive('shuffle', epoch, rank);
        const pick = (n: number, weights?: readonly number[]): number => {
          const [i, after] = draw(rng, (d) => (weights === undefined ? d.int(0, n - 1) : d.categorical(weights)));
          rng = after;
          return i;
        };
        let nextShard = 0;
        const buffer: Buffered[] = [];
        /** One record from the open shards, or undefined when the epoch's shards are all read. */
        const readOne = async (): Promise<Buffered | undefined> => {
          for (;;) {
            while (slots.length < interleave && nextShard < mine.length) {
              const path = mine[nextShard++]!;
              const file = await open(path, { offset: 0, signal });
              slots.push({ path, file, reads: parseAsync(shardParser(options.format, file.size, 0, options), file), left: counts.get(path) ?? 1 });
            }
            if (slots.length === 0) return undefined;
            const s = slots.length === 1 ? 0 : pick(slots.length, counts.size === 0 ? undefined : slots.map((x) => Math.max(x.left, 1)));
            const slot = slots[s]!;
            const r = await slot.reads.next();
            if (r.done === true) {
              closeSlot(slot);
              slots.splice(s, 1);
              continue;
            }
            const record = acceptRecord(r.value, slot.path, options);
            if (record === undefined) continue;
            slot.left--;
            return { record, path: slot.path };
          }
        };
        const skip = epoch === start.epoch ? start.index : 0;
        for (let index = 0; ; index++) {
          while (buffer.length < options.bufferSize) {
            const r = await readOne();
            if (r === undefined) break;
            buffer.push(r);
          }
          options.onBufferSize?.(buffer.length);
          if (buffer.length === 0) break;
          const j = buffer.length === 1 ? 0 : pick(buffer.length);
          const taken = buffer[j]!;
          buffer[j] = buffer[buffer.length - 1]!;
          buffer.pop();
          if (index >= skip) {
            yield { record: taken.record.record, path: taken.path, offset: taken.record.offset, next: { epoch, index: index + 1 } };
          }
        }
      }
    } finally {
      for (const slot of slots.splice(0)) closeSlot(slot);
    }
  });
};
