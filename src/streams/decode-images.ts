/**
 * An RxJS operator that decodes the encoded image of each record (PNG, JPEG, …) to pixels, in order,
 * with up to `concurrency` images decoding at once off the main thread (sharp on libuv's pool).
 *
 * Intuition: each input starts decoding as soon as it arrives (at most `concurrency` at a time; the
 * rest wait their turn in arrival order) and outputs leave in input order, so a slow image delays
 * the ones after it but never swaps places with them. It emits exactly one output per input, which is
 * what `pullThrough` needs to keep look-ahead bounded: inside `pullThrough(source, decodeImages(…),
 * {prefetch})` at most `prefetch` records are read, decoding or waiting ahead of the consumer. An
 * image that cannot be decoded (or has the wrong size) ends the stream with one sentence naming its
 * shard and byte offset. Unsubscribing drops the results of decodes still running.
 */
import { Observable, type OperatorFunction } from 'rxjs';
import { UserError } from '../core/errors.js';
import type { SampleShape } from '../core/host-batch.js';
import type { ImageRecord } from '../data/image-record.js';
import { decodeImageBytes, MAX_IMAGE_PIXELS, type DecodedPixels } from '../data/sharp-codec.js';

/** Decodes image bytes; the default is sharp. */
export type ImageDecoder = (bytes: Uint8Array, channels: 1 | 3 | 4, maxPixels: number) => Promise<DecodedPixels>;

/** Options of `decodeImages`. */
export interface DecodeImagesOptions {
  /** Channels of the pixels: 1 (grey), 3 (RGB) or 4 (RGBA); images are converted to it. */
  readonly channels: 1 | 3 | 4;
  /** When given, every image must be this tall and wide. */
  readonly size?: { readonly height: number; readonly width: number };
  /** Images decoding at once (default 4, libuv's default pool size). */
  readonly concurrency?: number;
  /** Images with more pixels are refused before decoding (default 8192²). */
  readonly maxPixels?: number;
  /** The decoder (default sharp's `decodeImageBytes`). */
  readonly decoder?: ImageDecoder;
}

/** What `decodeImages` adds to an item. */
export interface DecodedImage {
  /** 8-bit pixels, HWC. */
  readonly pixels: Uint8Array;
  readonly shape: SampleShape;
}

/** Items the operator accepts: a record, and where it came from when known (for messages). */
export interface RecordItem {
  readonly record: ImageRecord;
  readonly path?: string;
  readonly offset?: number;
}

const where = (item: RecordItem): string =>
  item.path !== undefined
    ? `Shard ${item.path}: the image of the record at byte ${item.offset ?? '?'}`
    : `The image of record '${item.record.key ?? '?'}'`;

/** Decodes each item's `record.image` to pixels, keeping order; see the module comment. */
export const decodeImages = <T extends RecordItem>(options: DecodeImagesOptions): OperatorFunction<T, T & DecodedImage> => {
  const concurrency = Math.max(1, Math.floor(options.concurrency ?? 4));
  const decoder = options.decoder ?? decodeImageBytes;
  const maxPixels = options.maxPixels ?? MAX_IMAGE_PIXELS;
  return (source) =>
    new Observable<T & DecodedImage>((subscriber) => {
      type Entry = { readonly input: T; result?: DecodedPixels; error?: unknown; done: boolean };
      const queue: Entry[] = [];
      let started = 0; // entries of `queue` whose decode has started
      let running = 0;
      let sourceDone = false;
      const flush = () => {
        while (queue.length > 0 && queue[0]!.done && !subscriber.closed) {
          const entry = queue.shift()!;
          started--;
          if (entry.error !== undefined) {
            const reason = entry.error instanceof Error ? entry.error.message : String(entry.error);
            subscriber.error(entry.error instanceof UserError ? entry.error : new UserError('bad-file', `${where(entry.input)} could not be decoded (${reason}).`));
            return;
          }
          const { pixels, shape } = entry.result!;
          const size = options.size;
          if (size !== undefined && (shape.height !== size.height || shape.width !== size.width)) {
            subscriber.error(new UserError('bad-file', `${where(entry.input)} is ${shape.height}×${shape.width}, expected ${size.height}×${size.width}.`));
            return;
          }
          subscriber.next({ ...entry.input, pixels, shape });
        }
        if (sourceDone && queue.length === 0 && !subscriber.closed) subscriber.complete();
      };
      const startMore = () => {
        while (running < concurrency && started < queue.length) {
          const entry = queue[started++]!;
          running++;
          decoder(entry.input.record.image, options.channels, maxPixels).then(
            (result) => {
              entry.result = result;
              entry.done = true;
            },
            (error: unknown) => {
              entry.error = error ?? new Error('unknown decoding error');
              entry.done = true;
            },
          ).then(() => {
            running--;
            if (subscriber.closed) return;
            startMore();
            flush();
          });
        }
      };
      const sub = source.subscribe({
        next: (input) => {
          queue.push({ input, done: false });
          startMore();
        },
        error: (e) => subscriber.error(e),
        complete: () => {
          sourceDone = true;
          flush();
        },
      });
      return () => {
        sub.unsubscribe();
        queue.length = 0;
      };
    });
};
