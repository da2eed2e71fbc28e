import { describe, expect, it } from 'vitest';
import { from, lastValueFrom, toArray } from 'rxjs';
import { countEpochRecords } from '../../src/streams/count-epoch-records.js';

const labels = (xs: number[]) => from(xs.map((label) => ({ label })));

describe('countEpochRecords', () => {
  it('passes every record and reports the counts when they match', async () => {
    let seen: readonly number[] = [];
    const out = await lastValueFrom(
      labels([0, 1, 1, 2]).pipe(countEpochRecords((r) => r.label, { expected: [1, 2, 1], onEpochEnd: (c) => (seen = c) }), toArray()),
    );
    expect(out).toHaveLength(4);
    expect(seen).toEqual([1, 2, 1]);
  });

  it('fails with the per-class difference when records are missing', async () => {
    await expect(lastValueFrom(labels([0, 1]).pipe(countEpochRecords((r) => r.label, { expected: [1, 2, 1] })))).rejects.toThrow(
      "The epoch's records differ from the manifest: class 1: 1 in this epoch, 2 in the manifest; class 2: 0 in this epoch, 1 in the manifest.",
    );
  });

  it('counts a label outside the manifest as a difference, and can report instead of failing', async () => {
    let difference: string | undefined;
    const out = await lastValueFrom(
      labels([0, 3]).pipe(countEpochRecords((r) => r.label, { expected: [1, 0], onMismatch: 'report', onEpochEnd: (_c, d) => (difference = d) }), toArray()),
    );
    expect(out).toHaveLength(2);
    expect(difference).toBe('class 3: 1 in this epoch, 0 in the manifest');
  });
});
