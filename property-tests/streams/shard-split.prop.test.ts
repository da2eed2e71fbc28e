/**
 * The split of shards by rank and world size (`shardsForRank`): for any number of shards, any world
 * size that leaves every rank a shard, any seed and epoch, the ranks' lists partition the shards
 * (every shard on exactly one rank), differ in length by at most one, and are the same on every call
 * (every rank computes the split by itself). A world size larger than the number of shards is refused
 * on every rank, so no rank silently reads nothing.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { createRng } from '../../src/core/rng.js';
import { shardsForRank } from '../../src/streams/shard-records.js';

const seedArb = fc.integer({ min: 0, max: 2 ** 31 - 1 });
/** Shard names, a world size ≤ their number, an epoch. */
const splitArb = fc
  .integer({ min: 1, max: 60 })
  .chain((n) => fc.record({ shards: fc.constant(Array.from({ length: n }, (_, i) => `shard-${i}.tar`)), worldSize: fc.integer({ min: 1, max: n }), epoch: fc.nat(50) }));

describe('shardsForRank', () => {
  it('partitions the shards across ranks, sizes within one, the same on every call (seeded or not)', () =>
    fc.assert(
      fc.property(splitArb, fc.option(seedArb, { nil: undefined }), ({ shards, worldSize, epoch }, seed) => {
        const rng = seed === undefined ? undefined : createRng(seed);
        const lists = Array.from({ length: worldSize }, (_, rank) => {
          const mine = shardsForRank(shards, epoch, rank, worldSize, rng);
          if (E.isLeft(mine)) throw new Error(mine.left);
          // Another call (another process with the same seed) gets the same list.
          expect(shardsForRank(shards, epoch, rank, worldSize, seed === undefined ? undefined : createRng(seed))).toEqual(mine);
          return mine.right;
        });
        expect(lists.flat().sort()).toEqual([...shards].sort());
        const sizes = lists.map((l) => l.length);
        expect(Math.min(...sizes)).toBeGreaterThanOrEqual(1);
        expect(Math.max(...sizes) - Math.min(...sizes)).toBeLessThanOrEqual(1);
        // Without a seed the split is the listed order dealt round-robin.
        if (seed === undefined) lists.forEach((l, rank) => expect(l).toEqual(shards.filter((_, i) => i % worldSize === rank)));
      }),
    ));

  it('refuses, on every rank, a world size with more ranks than shards', () =>
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 10 }), seedArb, (n, extra, seed) => {
        const shards = Array.from({ length: n }, (_, i) => `s${i}`);
        const worldSize = n + extra;
        for (let rank = 0; rank < worldSize; rank++) {
          expect(shardsForRank(shards, 0, rank, worldSize, createRng(seed))).toEqual(
            E.left(`rank ${rank} of ${worldSize} would get no shard: there are only ${n} shard(s) for ${worldSize} ranks`),
          );
        }
      }),
    ));
});
