/**
 * Sharded sources over shards the test writes in the real formats (TFRecord of tf.Example, WebDataset
 * tar): order, resumption from any cursor, rank split, corrupt-input policy, cancellation and bounded reads.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { lastValueFrom, map, take, toArray } from 'rxjs';
import { createRng } from '../../src/core/rng.js';
import { isUserError } from '../../src/core/errors.js';
import { encodeTfRecords } from '../../src/data/tfrecord.js';
import { encodeTfExample } from '../../src/data/tf-example.js';
import { encodeTar } from '../../src/data/tar.js';
import { pullThrough } from '../../src/streams/pull-source.js';
import {
  openLocalShard,
  shardRecords,
  shardsForRank,
  type ShardFile,
  type ShardItem,
  type ShardRecordsOptions,
  type ShardSkip,
} from '../../src/streams/shard-records.js';

const enc = (s: string): Uint8Array => new TextEncoder().encode(s);
const dec = (b: Uint8Array): string => new TextDecoder().decode(b);

/** Record j of shard s: image bytes naming it (of varying length), label (s + j) mod 5. */
const recordOf = (s: number, j: number) => ({ image: enc(`img-${s}-${j}-${'#'.repeat((s * 7 + j * 13) % 50)}`), label: (s + j) % 5 });

const tfShard = (s: number, n: number): Uint8Array =>
  encodeTfRecords(
    Array.from({ length: n }, (_, j) => {
      const r = recordOf(s, j);
      return encodeTfExample([
        ['image/encoded', { kind: 'bytes', values: [r.image] }],
        ['image/class/label', { kind: 'int64', values: [BigInt(r.label)] }],
        ['image/format', { kind: 'bytes', values: [enc('png')] }],
      ]);
    }),
  );

const tarShard = (s: number, n: number): Uint8Array =>
  encodeTar(
    Array.from({ length: n }, (_, j) => {
      const r = recordOf(s, j);
      // Every third sample has a key over 100 bytes (a pax header) and an extra field.
      const key = j % 3 === 2 ? `shard${s}/${'long'.repeat(30)}-${j}` : `shard${s}/${String(j).padStart(5, '0')}`;
      const fields = [
        { name: `${key}.png`, data: r.image },
        { name: `${key}.cls`, data: enc(String(r.label)) },
      ];
      return j % 3 === 2 ? [...fields, { name: `${key}.json`, data: enc('{}') }] : fields;
    }).flat(),
  );

const SIZES = [5, 3, 6, 1, 4, 2, 5];
let dir = '';
const tfPaths: string[] = [];
const tarPaths: string[] = [];

beforeAll(() => {
  dir = mkdtempSync(path.join(tmpdir(), 'tailstream-shards-'));
  SIZES.forEach((n, s) => {
    tfPaths.push(path.join(dir, `train-${s}.tfrecord`));
    writeFileSync(tfPaths[s]!, tfShard(s, n));
    tarPaths.push(path.join(dir, `train-${s}.tar`));
    writeFileSync(tarPaths[s]!, tarShard(s, n));
  });
});
afterAll(() => rmSync(dir, { recursive: true, force: true }));

const readAll = (options: ShardRecordsOptions): Promise<ShardItem[]> =>
  lastValueFrom(pullThrough(shardRecords(options), map((x: ShardItem) => x), { prefetch: 2 }).pipe(toArray()));

const ids = (items: readonly ShardItem[]): string[] => items.map((i) => `${dec(i.record.image)}:${i.record.label}`);

const formats = [
  ['tfrecord', () => tfPaths],
  ['webdataset', () => tarPaths],
] as const;

describe.each(formats)('shardRecords (%s)', (format, paths) => {
  it('reads every record of every shard in order, with its label', async () => {
    const items = await readAll({ format, shards: paths() });
    const expected = SIZES.flatMap((n, s) => Array.from({ length: n }, (_, j) => recordOf(s, j)));
    expect(ids(items)).toEqual(expected.map((r) => `${dec(r.image)}:${r.label}`));
    expect(items[0]!.offset).toBe(0);
    expect(items.at(-1)!.next).toEqual({ epoch: 0, shard: SIZES.length, offset: 0 });
    if (format === 'webdataset') expect(items[2]!.record.key).toMatch(/^shard0\/(long){30}-2$/);
  });

  it('resumes from any cursor without repeating or skipping a record (two shuffled epochs)', async () => {
    const options = { format, shards: paths(), epochs: 2, rng: createRng(99) } as const;
    const full = await readAll(options);
    expect(full).toHaveLength(2 * SIZES.reduce((s, n) => s + n, 0));
    // Epochs visit shards in different orders.
    expect(ids(full.slice(0, full.length / 2))).not.toEqual(ids(full.slice(full.length / 2)));
    await fc.assert(
      fc.asyncProperty(fc.integer({ min: 1, max: full.length - 1 }), async (k) => {
        const resumed = await readAll({ ...options, start: full[k - 1]!.next });
        expect(ids([...full.slice(0, k), ...resumed])).toEqual(ids(full));
      }),
      { numRuns: 12 },
    );
  });

  it('splits shards by rank: every record exactly once across ranks, each epoch', async () => {
    const all = ids(await readAll({ format, shards: paths(), epochs: 2, rng: createRng(5) })).sort();
    const byRank = await Promise.all([0, 1, 2].map((rank) => readAll({ format, shards: paths(), epochs: 2, rng: createRng(5), rank, worldSize: 3 })));
    expect(byRank.flatMap(ids).sort()).toEqual(all);
    for (const items of byRank) expect(items.length).toBeGreaterThan(0);
  });

  it('stops reading and closes the shard when the consumer takes only a few records', async () => {
    const log = { opened: 0, closed: 0 };
    const open = (p: string): ShardFile => {
      const f = openLocalShard(p);
      log.opened++;
      return { ...f, close: () => (log.closed++, f.close()) };
    };
    const first = await lastValueFrom(pullThrough(shardRecords({ format, shards: paths(), open }), map((x: ShardItem) => x)).pipe(take(2), toArray()));
    expect(first).toHaveLength(2);
    expect(log).toEqual({ opened: 1, closed: 1 });
  });
});

describe('shardsForRank', () => {
  it('fails loudly when a rank would get no shard', () => {
    expect(shardsForRank(['a', 'b'], 0, 2, 3)).toEqual({ _tag: 'Left', left: 'rank 2 of 3 would get no shard: there are only 2 shard(s) for 3 ranks' });
    try {
      shardRecords({ format: 'tfrecord', shards: ['a', 'b'], rank: 0, worldSize: 3 });
      expect.unreachable();
    } catch (e) {
      expect(isUserError(e) && e.kind).toBe('bad-argument');
      expect((e as Error).message).toBe('shardRecords: rank 0 of 3 would get no shard: there are only 2 shard(s) for 3 ranks.');
    }
  });
});

describe('corrupt shards', () => {
  const write = (name: string, bytes: Uint8Array): string => {
    const p = path.join(dir, name);
    writeFileSync(p, bytes);
    return p;
  };
  const failure = async (options: ShardRecordsOptions): Promise<string> => {
    try {
      await readAll(options);
      return 'no error';
    } catch (e) {
      expect(isUserError(e)).toBe(true);
      return (e as Error).message;
    }
  };

  it('a bad TFRecord data CRC: fail names shard and offset; skip drops that record only', async () => {
    const bytes = new Uint8Array(readFileSync(tfPaths[0]!));
    const good = await readAll({ format: 'tfrecord', shards: [tfPaths[0]!] });
    const victim = good[2]!.offset;
    bytes[victim + 20] = bytes[victim + 20]! ^ 0x55;
    const p = write('bad-crc.tfrecord', bytes);
    expect(await failure({ format: 'tfrecord', shards: [p] })).toMatch(
      new RegExp(`^Shard ${p.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}: TFRecord data CRC mismatch .* at byte ${victim}\\.$`),
    );
    const skips: ShardSkip[] = [];
    const items = await readAll({ format: 'tfrecord', shards: [p, tfPaths[1]!], onCorrupt: 'skip', onSkip: (s) => skips.push(s) });
    expect(ids(items)).toEqual([...ids(good.slice(0, 2)), ...ids(good.slice(3)), ...ids(await readAll({ format: 'tfrecord', shards: [tfPaths[1]!] }))]);
    expect(skips).toHaveLength(1);
    expect(skips[0]!.offset).toBe(victim);
  });

  it('a truncated shard or a length past the limit never allocates by the length field', async () => {
    const bytes = readFileSync(tfPaths[0]!);
    const truncated = write('truncated.tfrecord', new Uint8Array(bytes.subarray(0, bytes.length - 10)));
    expect(await failure({ format: 'tfrecord', shards: [truncated] })).toMatch(/truncated TFRecord: the record declares \d+ bytes but the file ends at \d+ at byte \d+\.$/);
    // A header claiming 2^40 bytes with a valid CRC: refused by the limit, reads stay small.
    const huge = new Uint8Array(16);
    const view = new DataView(huge.buffer);
    view.setBigUint64(0, 2n ** 40n, true);
    const { maskedCrc32c } = await import('../../src/data/crc32c.js');
    view.setUint32(8, maskedCrc32c(huge.subarray(0, 8)), true);
    const p = write('huge.tfrecord', huge);
    let largestRead = 0;
    const open = (q: string): ShardFile => {
      const f = openLocalShard(q);
      return { ...f, read: (pos, len) => ((largestRead = Math.max(largestRead, len)), f.read(pos, len)) };
    };
    expect(await failure({ format: 'tfrecord', shards: [p], open })).toMatch(/TFRecord length 1099511627776 exceeds the limit of 268435456 bytes at byte 0\.$/);
    expect(largestRead).toBeLessThanOrEqual(12);
    const skips: ShardSkip[] = [];
    expect(await readAll({ format: 'tfrecord', shards: [p, tfPaths[3]!], onCorrupt: 'skip', onSkip: (s) => skips.push(s) })).toHaveLength(1);
    expect(skips.map((s) => s.reason)).toEqual(['TFRecord length 1099511627776 exceeds the limit of 268435456 bytes (rest of the shard skipped)']);
  });

  it('a tar sample without a label: fail names it; skip counts it and goes on', async () => {
    const p = write(
      'nolabel.tar',
      encodeTar([
        { name: 's/1.png', data: enc('a') },
        { name: 's/1.cls', data: enc('1') },
        { name: 's/2.png', data: enc('b') },
        { name: 's/3.png', data: enc('c') },
        { name: 's/3.cls', data: enc('3') },
      ]),
    );
    expect(await failure({ format: 'webdataset', shards: [p] })).toMatch(/: sample 's\/2' has no label field \(cls, label, class\) at byte 2048\.$/);
    const skips: ShardSkip[] = [];
    const items = await readAll({ format: 'webdataset', shards: [p], onCorrupt: 'skip', onSkip: (s) => skips.push(s) });
    expect(items.map((i) => i.record.label)).toEqual([1, 3]);
    expect(skips).toHaveLength(1);
  });

  it('a tar header with a bad checksum stops the shard', async () => {
    const bytes = new Uint8Array(readFileSync(tarPaths[1]!));
    bytes[1024 * 2 + 3] = bytes[1024 * 2 + 3]! ^ 1; // the header of the second sample's first entry
    const p = write('badsum.tar', bytes);
    expect(await failure({ format: 'webdataset', shards: [p] })).toMatch(/: tar header checksum mismatch \(stored \d+, computed \d+\) at byte 2048\.$/);
    const skips: ShardSkip[] = [];
    const items = await readAll({ format: 'webdataset', shards: [p], onCorrupt: 'skip', onSkip: (s) => skips.push(s) });
    expect(items).toHaveLength(1);
    expect(skips).toHaveLength(1);
  });
});
