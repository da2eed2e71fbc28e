/**
 * Data integrity for streamed shards: every record that passes is counted by class, and when the
 * epoch's stream completes the counts are compared with what the manifest says the shards hold.
 *
 * Intuition: a shard silently truncated, skipped under `onCorrupt: 'skip'`, or split oddly across
 * ranks shows up as a per-class difference at the end of the epoch, in one sentence, instead of as a
 * quietly different class balance.
 */
import { Observable, type OperatorFunction } from 'rxjs';
import { countDifference } from '../data/shard-manifest.js';

/** What to do when an epoch's counts differ from the expected ones. */
export type CountMismatchPolicy = 'fail' | 'report';

/** Options of `countEpochRecords`. */
export interface CountEpochRecordsOptions {
  /** Records per class the epoch should yield (the manifest's counts for this rank's shards). */
  readonly expected: readonly number[];
  /** 'fail' (default): the stream errors with the difference; 'report': `onMismatch` is told and the stream completes. */
  readonly onMismatch?: CountMismatchPolicy;
  /** Called with the counts read whenever the epoch ends (matching or not). */
  readonly onEpochEnd?: (counts: readonly number[], difference: string | undefined) => void;
}

/**
 * Passes items through unchanged, counting them by `labelOf`; on completion compares the counts
 * with `expected`. A label outside the expected classes is a mismatch too.
 */
export const countEpochRecords =
  <T>(labelOf: (item: T) => number, options: CountEpochRecordsOptions): OperatorFunction<T, T> =>
  (source) =>
    new Observable<T>((subscriber) => {
      const counts = new Array<number>(options.expected.length).fill(0);
      return source.subscribe({
        next: (item) => {
          const label = labelOf(item);
          if (label >= 0 && label < counts.length) counts[label]!++;
          else counts[label] = (counts[label] ?? 0) + 1;
          subscriber.next(item);
        },
        error: (e) => subscriber.error(e),
        complete: () => {
          const filled = Array.from(counts, (c) => c ?? 0);
          const difference = countDifference(filled, options.expected, 'this epoch', 'the manifest');
          options.onEpochEnd?.(filled, difference);
          if (difference !== undefined && (options.onMismatch ?? 'fail') === 'fail') {
            subscriber.error(new Error(`The epoch's records differ from the manifest: ${difference}.`));
          } else subscriber.complete();
        },
      });
    });
