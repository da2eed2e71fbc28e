/**
 * Shards read over HTTP from a local server on 127.0.0.1: the same records as from disk, resumption
 * from a cursor with a Range request, retries with backoff that resume at the byte offset after a
 * dropped connection, a 503 or a stall, one clear error after the last attempt, bounded read-ahead
 * and cancellation.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { concatMap, lastValueFrom, map, take, tap, toArray } from 'rxjs';
import { createRng } from '../../src/core/rng.js';
import { isUserError } from '../../src/core/errors.js';
import { encodeTfRecords } from '../../src/data/tfrecord.js';
import { encodeTfExample } from '../../src/data/tf-example.js';
import { encodeTar } from '../../src/data/tar.js';
import { pullThrough } from '../../src/streams/pull-source.js';
import { openShard, shardRecords, type ShardItem, type ShardRecordsOptions } from '../../src/streams/shard-records.js';
import { openHttpShard, type HttpRetry } from '../../src/streams/http-shard.js';
import { startShardServer, type ShardServer } from './shard-server.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Record j of shard s: image bytes naming it, 300–800 bytes long, label (s + j) mod 7. */
const recordOf = (s: number, j: number) => ({ image: enc(`img-${s}-${j}-${'#'.repeat(300 + ((s * 131 + j * 71) % 500))}`), label: (s + j) % 7 });

const tfShard = (s: number, n: number): Uint8Array =>
  encodeTfRecords(
    Array.from({ length: n }, (_, j) =>
      encodeTfExample([
        ['image/encoded', { kind: 'bytes', values: [recordOf(s, j).image] }],
        ['image/class/label', { kind: 'int64', values: [BigInt(recordOf(s, j).label)] }],
      ]),
    ),
  );

const tarShard = (s: number, n: number): Uint8Array =>
  encodeTar(
    Array.from({ length: n }, (_, j) => [
      { name: `s${s}/${String(j).padStart(4, '0')}.png`, data: recordOf(s, j).image },
      { name: `s${s}/${String(j).padStart(4, '0')}.cls`, data: enc(String(recordOf(s, j).label)) },
    ]).flat(),
  );

const SIZES = [12, 7, 20, 9];
const files = new Map<string, Uint8Array>();
let dir = '';
const local = { tfrecord: [] as string[], webdataset: [] as string[] };
const names = { tfrecord: [] as string[], webdataset: [] as string[] };

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tailstream-http-'));
  SIZES.forEach((n, s) => {
    for (const [format, bytes, ext] of [
      ['tfrecord', tfShard(s, n), 'tfrecord'],
      ['webdataset', tarShard(s, n), 'tar'],
    ] as const) {
      const name = `train-${s}.${ext}`;
      files.set(name, bytes);
      names[format].push(name);
      local[format].push(path.join(dir, name));
      writeFileSync(path.join(dir, name), bytes);
    }
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const servers: ShardServer[] = [];
const serve = async (options: Parameters<typeof startShardServer>[1] = {}): Promise<ShardServer> => {
  const server = await startShardServer(files, options);
  servers.push(server);
  return server;
};
afterAll(async () => {
  await Promise.all(servers.map((s) => s.close()));
});

const FAST = { backoffMs: 2, maxBackoffMs: 20, stallTimeoutMs: 2000 } as const;

const readAll = (options: ShardRecordsOptions, prefetch = 2): Promise<ShardItem[]> =>
  lastValueFrom(pullThrough(shardRecords(options), map((x: ShardItem) => x), { prefetch }).pipe(toArray()));

const ids = (items: readonly ShardItem[]): string[] => items.map((i) => `${dec(i.record.image).slice(0, 12)}:${i.record.label}:${i.offset}`);

const failure = async (options: ShardRecordsOptions): Promise<string> => {
  try {
    await readAll(options);
    return 'no error';
  } catch (e) {
    expect(isUserError(e)).toBe(true);
    return (e as Error).message;
  }
};

describe.each(['tfrecord', 'webdataset'] as const)('HTTP shards (%s)', (format) => {
  it('reads the same records, labels, offsets and cursors as from local files', async () => {
    const server = await serve();
    const options = { format, epochs: 2, rng: createRng(3) } as const;
    const fromDisk = await readAll({ ...options, shards: local[format] });
    const overHttp = await readAll({ ...options, shards: names[format].map(server.url), http: FAST });
    expect(ids(overHttp)).toEqual(ids(fromDisk));
    expect(overHttp.map((i) => i.next)).toEqual(fromDisk.map((i) => i.next));
    // One request per shard and epoch: the body is streamed, not fetched record by record.
    expect(server.log).toHaveLength(2 * SIZES.length);
  });

  it('resumes from a cursor with a Range request at its byte offset', async () => {
    const server = await serve();
    const shards = names[format].map(server.url);
    const full = await readAll({ format, shards, http: FAST });
    const k = 15; // inside the second shard
    const cursor = full[k - 1]!.next;
    expect(cursor.offset).toBeGreaterThan(0);
    server.log.length = 0;
    const rest = await readAll({ format, shards, http: FAST, start: cursor });
    expect(ids([...full.slice(0, k), ...rest])).toEqual(ids(full));
    expect(server.log[0]!.start).toBe(cursor.offset);
    expect(server.log[0]!.status).toBe(206);
  });

  it('retries dropped connections, 503s and a stall with backoff, resuming at the byte offset', async () => {
    const big = names[format][2]!; // the largest shard
    const size = files.get(big)!.length;
    const server = await serve({
      chunkBytes: 1000,
      fault: ({ path: p, n }) => {
        if (p !== big) return n === 0 ? { kind: 'status', status: 500 } : undefined;
        return [
          { kind: 'status', status: 503 } as const,
          { kind: 'drop', afterBytes: 3000 } as const,
          { kind: 'drop', afterBytes: 2500 } as const,
          { kind: 'status', status: 503 } as const,
          { kind: 'stall', afterBytes: 1200 } as const,
        ][n];
      },
    });
    const retries: HttpRetry[] = [];
    const items = await readAll({ format, shards: names[format].map(server.url), http: { ...FAST, stallTimeoutMs: 150, onRetry: (r) => retries.push(r) } });
    expect(ids(items)).toEqual(ids(await readAll({ format, shards: local[format] })));
    const bigLog = server.log.filter((r) => r.path === big);
    // Each reconnection asks for the first byte not yet delivered: 0, 0, 3000, 5500, 5500, 6700.
    expect(bigLog.map((r) => r.start)).toEqual([0, 0, 3000, 5500, 5500, 6700]);
    expect(bigLog.at(-1)!.status).toBe(206);
    expect(bigLog.at(-1)!.sent).toBe(size - 6700);
    const onBig = retries.filter((r) => r.url.endsWith(big));
    expect(onBig.map((r) => [r.offset, r.failures])).toEqual([
      [0, 1],
      [3000, 1],
      [5500, 1],
      [5500, 2],
      [6700, 1],
    ]);
    // Backoff doubles with consecutive failures at one offset.
    expect(onBig[3]!.delayMs).toBe(2 * onBig[2]!.delayMs);
    expect(onBig.map((r) => r.reason)).toEqual([
      'HTTP 503 Service Unavailable',
      expect.stringMatching(/^connection (failed|closed)/),
      expect.stringMatching(/^connection (failed|closed)/),
      'HTTP 503 Service Unavailable',
      'no data for 150 ms',
    ]);
  });

  it('reads from a server that ignores Range (200), dropping the bytes before the offset after a drop', async () => {
    const big = names[format][2]!;
    const server = await serve({ ignoreRange: true, chunkBytes: 1000, fault: ({ path: p, n }) => (p === big && n === 0 ? { kind: 'drop', afterBytes: 4000 } : undefined) });
    const items = await readAll({ format, shards: names[format].map(server.url), http: FAST });
    expect(ids(items)).toEqual(ids(await readAll({ format, shards: local[format] })));
    expect(server.log.filter((r) => r.path === big).map((r) => r.status)).toEqual([200, 200]);
  });

  it('gives up after N consecutive failures at one offset with one sentence naming URL and offset', async () => {
    const big = names[format][2]!;
    const server = await serve({ fault: ({ path: p, start }) => (p === big && start >= 2000 ? { kind: 'status', status: 503 } : p === big ? { kind: 'drop', afterBytes: 2000 } : undefined) });
    const url = server.url(big);
    const message = await failure({ format, shards: [url], http: { ...FAST, attempts: 3 } });
    expect(message).toBe(`Shard ${url}: gave up at byte 2000 after 3 failed attempts (last: HTTP 503 Service Unavailable).`);
    expect(server.log.map((r) => r.start)).toEqual([0, 2000, 2000]);
  });

  it('fails at once on a 404, naming the URL', async () => {
    const server = await serve();
    const url = server.url('missing.bin');
    expect(await failure({ format, shards: [url], http: FAST })).toBe(`Shard ${url}: HTTP 404 Not Found at byte 0.`);
    expect(server.log).toHaveLength(1);
  });
});

describe('HTTP shards: flow control', () => {
  it('a slow consumer never has more than `prefetch` records read ahead', async () => {
    const server = await serve();
    let produced = 0;
    let consumed = 0;
    let maxAhead = 0;
    const source = shardRecords({ format: 'tfrecord', shards: names.tfrecord.map(server.url), http: FAST });
    const slowStep = concatMap(async (item: ShardItem) => {
      await new Promise((r) => setTimeout(r, 1));
      consumed++;
      return item;
    });
    const out = await lastValueFrom(
      pullThrough(
        source,
        (items$) =>
          items$.pipe(
            tap(() => {
              produced++;
              maxAhead = Math.max(maxAhead, produced - consumed);
            }),
            slowStep,
          ),
        { prefetch: 3 },
      ).pipe(toArray()),
    );
    expect(out).toHaveLength(SIZES.reduce((a, b) => a + b, 0));
    expect(maxAhead).toBeLessThanOrEqual(3);
    expect(maxAhead).toBeGreaterThan(1);
  });

  it('unsubscribing stops reading: the connection is closed and no other shard is requested', async () => {
    const bigName = 'big.tfrecord';
    files.set(bigName, tfShard(9, 300));
    const server = await serve({ chunkBytes: 16 * 1024 });
    const closes: string[] = [];
    let bytesRead = 0;
    const open = openShard(FAST);
    const first = await lastValueFrom(
      pullThrough(
        shardRecords({
          format: 'tfrecord',
          shards: [server.url(bigName), server.url(names.tfrecord[0]!)],
          openAsync: async (p, at) => {
            const f = await open(p, at);
            return { ...f, read: (pos, len) => ((bytesRead += len), f.read(pos, len)), close: () => (closes.push(p), f.close()) };
          },
        }),
        map((x: ShardItem) => x),
      ).pipe(take(3), toArray()),
    );
    expect(first).toHaveLength(3);
    await new Promise((r) => setTimeout(r, 100));
    // The async iterator's return() runs the shard's finally block (close) once the stream is torn down.
    expect(closes).toEqual([server.url(bigName)]);
    expect(server.log).toHaveLength(1);
    // The parser asked for the three records taken and nothing after them (records are < 1 KB).
    expect(bytesRead).toBeLessThan(3 * 1024);
    files.delete(bigName);
  });

  it('openHttpShard reads arbitrary spans, forward and backward', async () => {
    const server = await serve({ chunkBytes: 700 });
    const name = names.webdataset[2]!;
    const bytes = files.get(name)!;
    const f = await openHttpShard(server.url(name), { offset: 100 }, FAST);
    expect(f.size).toBe(bytes.length);
    expect(await f.read(100, 50)).toEqual(bytes.subarray(100, 150));
    expect(await f.read(5000, 3000)).toEqual(bytes.subarray(5000, 8000));
    expect(await f.read(10, 20)).toEqual(bytes.subarray(10, 30));
    expect(await f.read(bytes.length - 5, 100)).toEqual(bytes.subarray(bytes.length - 5));
    f.close();
    expect(server.log.map((r) => r.start)).toEqual([100, 10]);
  });
});
