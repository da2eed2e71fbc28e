import { describe, expect, it } from 'vitest';
import { deferredReweighting, rampedReweighting } from '../../src/train/class-weight-schedule.js';

/** Effective-number weights in float64: (1 − β)/(1 − β^n), normalised to sum to C. */
const effectiveNumber = (counts: readonly number[], beta: number) => {
  const raw = counts.map((n) => (1 - beta) / (1 - beta ** n));
  const total = raw.reduce((a, b) => a + b, 0);
  return raw.map((r) => (r / total) * counts.length);
};

describe('rampedReweighting', () => {
  const counts = [500, 50, 5];

  it('is uniform up to startEpoch, (1 − t)·1 + t·w^CB on the ramp, w^CB from endEpoch (the DRW weights)', () => {
    const w = effectiveNumber(counts, 0.999);
    const ramp = rampedReweighting(counts, { beta: 0.999, startEpoch: 4, endEpoch: 8 });
    expect(ramp(0)).toBeUndefined();
    expect(ramp(4)).toBeUndefined();
    for (const [epoch, t] of [
      [5, 0.25],
      [6, 0.5],
      [7, 0.75],
      [8, 1],
      [20, 1],
    ] as const) {
      const got = ramp(epoch)!;
      w.forEach((wc, c) => expect(got[c]).toBeCloseTo(1 - t + t * wc, 10));
      expect(got.reduce((a, b) => a + b, 0)).toBeCloseTo(3, 10);
    }
    expect(ramp(9)).toEqual(deferredReweighting(counts, { beta: 0.999, fromEpoch: 0 })(9));
  });

  it('a zero-length ramp is DRW’s switch; a reversed one is refused', () => {
    const ramp = rampedReweighting(counts, { beta: 0.9, startEpoch: 3, endEpoch: 3 });
    const drw = deferredReweighting(counts, { beta: 0.9, fromEpoch: 3 });
    expect([2, 3, 4].map(ramp)).toEqual([2, 3, 4].map(drw));
    expect(() => rampedReweighting(counts, { beta: 0.9, startEpoch: 3, endEpoch: 2 })).toThrow('linearRamp: endEpoch 2 is before startEpoch 3');
  });
});
