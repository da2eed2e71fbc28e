/**
 * Decoding records' PNG/JPEG bytes with sharp as an RxJS operator: exact PNG pixels, order kept under
 * concurrency, the concurrency cap, bounded look-ahead inside `pullThrough` over a real TFRecord shard,
 * one sentence for a corrupt or mis-sized image, and decoding that does not block the main thread.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { concatMap, from, lastValueFrom, map, tap, toArray } from 'rxjs';
import { isUserError } from '../../src/core/errors.js';
import { encodeTfRecords } from '../../src/data/tfrecord.js';
import { encodeTfExample } from '../../src/data/tf-example.js';
import { decodeImageBytes, encodePng, loadSharp } from '../../src/data/sharp-codec.js';
import { pullThrough } from '../../src/streams/pull-source.js';
import { shardRecords, type ShardItem } from '../../src/streams/shard-records.js';
import { decodeImages, type ImageDecoder } from '../../src/streams/decode-images.js';

/** A deterministic 8-bit image: a gradient plus a per-image offset. */
const pixelsOf = (i: number, h: number, w: number, c: number): Uint8Array => Uint8Array.from({ length: h * w * c }, (_, p) => (p * 7 + i * 31) % 256);

let dir = '';
let shard = '';
const N = 24;
beforeAll(async () => {
  dir = mkdtempSync(path.join(tmpdir(), 'tailstream-decode-'));
  const records = await Promise.all(
    Array.from({ length: N }, async (_, i) =>
      encodeTfExample([
        ['image/encoded', { kind: 'bytes', values: [await encodePng(pixelsOf(i, 8, 6, 1), { height: 8, width: 6, channels: 1 })] }],
        ['image/class/label', { kind: 'int64', values: [BigInt(i % 3)] }],
      ]),
    ),
  );
  shard = path.join(dir, 'png.tfrecord');
  writeFileSync(shard, encodeTfRecords(records));
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const record = (image: Uint8Array, key = 'k') => ({ record: { image, label: 0, key } });

describe('sharp codec', () => {
  it('round-trips grey, RGB and RGBA PNGs exactly and converts between channel counts', async () => {
    for (const c of [1, 3, 4] as const) {
      const px = pixelsOf(c, 5, 7, c);
      const png = await encodePng(px, { height: 5, width: 7, channels: c });
      expect([...png.subarray(1, 4)].map((b) => String.fromCharCode(b)).join('')).toBe('PNG');
      const back = await decodeImageBytes(png, c);
      expect(back.shape).toEqual({ height: 5, width: 7, channels: c });
      expect(back.pixels).toEqual(px);
    }
    const grey = await encodePng(pixelsOf(0, 4, 4, 1), { height: 4, width: 4, channels: 1 });
    const rgb = await decodeImageBytes(grey, 3);
    expect(rgb.shape.channels).toBe(3);
    expect(Array.from(rgb.pixels.filter((_, i) => i % 3 === 0))).toEqual(Array.from(pixelsOf(0, 4, 4, 1)));
  });

  it('decodes JPEG (lossy: close to the original)', async () => {
    const sharp = await loadSharp();
    const px = new Uint8Array(16 * 16).fill(90);
    const jpeg = await sharp(px, { raw: { width: 16, height: 16, channels: 1 } }).toColourspace('b-w').jpeg({ quality: 95 }).toBuffer();
    const back = await decodeImageBytes(jpeg, 1);
    expect(back.shape).toEqual({ height: 16, width: 16, channels: 1 });
    for (const v of back.pixels) expect(Math.abs(v - 90)).toBeLessThanOrEqual(2);
  });
});

describe('decodeImages', () => {
  it('decodes a real TFRecord shard inside pullThrough: exact pixels, labels, order, look-ahead ≤ prefetch', async () => {
    let read = 0;
    let consumed = 0;
    let maxAhead = 0;
    const out = await lastValueFrom(
      pullThrough(
        shardRecords({ format: 'tfrecord', shards: [shard] }),
        (items$) =>
          items$.pipe(
            tap(() => {
              read++;
              maxAhead = Math.max(maxAhead, read - consumed);
            }),
            decodeImages<ShardItem>({ channels: 1, size: { height: 8, width: 6 }, concurrency: 3 }),
            concatMap(async (x) => {
              await new Promise((r) => setTimeout(r, 1));
              consumed++;
              return x;
            }),
          ),
        { prefetch: 4 },
      ).pipe(toArray()),
    );
    expect(out).toHaveLength(N);
    out.forEach((item, i) => {
      expect(item.pixels).toEqual(pixelsOf(i, 8, 6, 1));
      expect(item.shape).toEqual({ height: 8, width: 6, channels: 1 });
      expect(item.record.label).toBe(i % 3);
    });
    expect(maxAhead).toBeLessThanOrEqual(4);
  });

  it('keeps input order when later images finish first, and never runs more than `concurrency` decodes', async () => {
    let running = 0;
    let maxRunning = 0;
    const decoder: ImageDecoder = async (bytes, channels) => {
      running++;
      maxRunning = Math.max(maxRunning, running);
      await new Promise((r) => setTimeout(r, (10 - bytes[0]!) * 2)); // earlier inputs take longer
      running--;
      return { pixels: bytes, shape: { height: 1, width: bytes.length, channels } };
    };
    const inputs = Array.from({ length: 10 }, (_, i) => record(Uint8Array.of(i), `k${i}`));
    const out = await lastValueFrom(from(inputs).pipe(decodeImages({ channels: 1, concurrency: 3, decoder }), toArray()));
    expect(out.map((o) => o.record.key)).toEqual(inputs.map((i) => i.record.key));
    expect(maxRunning).toBe(3);
  });

  it('a corrupt image ends the stream with one sentence naming shard and offset; so does a wrong size', async () => {
    const bad = { ...record(new TextEncoder().encode('not an image')), path: 'shards/a.tfrecord', offset: 1234 };
    await expect(lastValueFrom(from([bad]).pipe(decodeImages({ channels: 1 })))).rejects.toSatisfy(
      (e: unknown) => isUserError(e) && /^Shard shards\/a\.tfrecord: the image of the record at byte 1234 could not be decoded \(.+\)\.$/.test(e.message),
    );
    const png = await encodePng(pixelsOf(0, 3, 3, 1), { height: 3, width: 3, channels: 1 });
    await expect(lastValueFrom(from([{ ...record(png), path: 'b.tar', offset: 0 }]).pipe(decodeImages({ channels: 1, size: { height: 8, width: 8 } })))).rejects.toThrow(
      'Shard b.tar: the image of the record at byte 0 is 3×3, expected 8×8.',
    );
  });

  it('refuses an image whose header claims more pixels than the limit', async () => {
    const png = await encodePng(new Uint8Array(64 * 64), { height: 64, width: 64, channels: 1 });
    await expect(lastValueFrom(from([record(png, 'big')]).pipe(decodeImages({ channels: 1, maxPixels: 1000 })))).rejects.toThrow(
      /^The image of record 'big' could not be decoded \(.*pixel.*\)\.$/i,
    );
  });

  it('decodes off the main thread: the call returns at once, and the decode finishes while the main thread is busy', async () => {
    // Counting timer ticks while awaiting the decode was racy: when the main thread stalled (a GC pause, a
    // loaded machine) until the decode had finished, its completion ran before any timer, and no tick came.
    // Here the main thread is kept busy on purpose, for several decode times; a decode that needed the main
    // thread could not progress meanwhile, and would still take a whole decode time after the busy spell.
    const big = await encodePng(pixelsOf(1, 2000, 2000, 3), { height: 2000, width: 2000, channels: 3 }, 1);
    let decodeMs = Infinity;
    for (let i = 0; i < 2; i++) {
      const t = performance.now();
      await decodeImageBytes(big, 3); // also warms up sharp
      decodeMs = Math.min(decodeMs, performance.now() - t);
    }
    const t0 = performance.now();
    const pending = decodeImageBytes(big, 3);
    const syncMs = performance.now() - t0;
    // Let decodeImageBytes reach sharp (it first awaits the loaded module): microtasks only, no event-loop turn.
    for (let i = 0; i < 10; i++) await Promise.resolve();
    while (performance.now() - t0 < 4 * decodeMs + 50) {
      // busy: the event loop cannot run
    }
    const t1 = performance.now();
    const decoded = await pending;
    const waitMs = performance.now() - t1;
    expect(decoded.pixels.length).toBe(2000 * 2000 * 3);
    expect(syncMs).toBeLessThan(decodeMs / 4);
    expect(waitMs).toBeLessThan(0.75 * decodeMs);
  });
});
