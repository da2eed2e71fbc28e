import { describe, expect, it } from 'vitest';
import { linearRamp } from '../../../src/train/schedules/linear-ramp.js';

describe('linearRamp', () => {
  it('holds, ramps linearly between the two epochs, then holds', () => {
    const r = linearRamp({ from: 0, to: 1, startEpoch: 10, endEpoch: 14 });
    expect([0, 10, 11, 12, 13, 14, 20].map(r)).toEqual([0, 0, 0.25, 0.5, 0.75, 1, 1]);
  });

  it('a zero-length ramp is a switch; a reversed one is refused', () => {
    expect([4, 5, 6].map(linearRamp({ from: 1, to: 3, startEpoch: 5, endEpoch: 5 }))).toEqual([1, 3, 3]);
    expect(() => linearRamp({ from: 0, to: 1, startEpoch: 5, endEpoch: 4 })).toThrow('linearRamp: endEpoch 4 is before startEpoch 5');
  });
});
