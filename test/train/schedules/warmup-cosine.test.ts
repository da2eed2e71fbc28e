import { describe, expect, it } from 'vitest';
import { warmupCosineDecay } from '../../../src/train/schedules/warmup-cosine.js';

describe('warmupCosineDecay', () => {
  it('warms up as LDAM-DRW (base·(e+1)/W), then follows a half cosine to min at the last epoch', () => {
    const lr = warmupCosineDecay({ base: 0.1, warmupEpochs: 5, epochs: 25 });
    const table: Array<[number, number]> = [
      [0, 0.02],
      [1, 0.04],
      [4, 0.1],
      [5, 0.1],
      [10, 0.1 * (1 + Math.cos(Math.PI / 4)) / 2],
      [15, 0.05],
      [20, 0.1 * (1 + Math.cos((3 * Math.PI) / 4)) / 2],
      [25, 0],
      [30, 0],
    ];
    for (const [e, v] of table) expect(lr(e), `epoch ${e}`).toBeCloseTo(v, 12);
  });

  it('with warmupStart, rises linearly from it (BALMS/MARC’s 0.05 → 0.1) and ends at min', () => {
    const lr = warmupCosineDecay({ base: 0.1, warmupEpochs: 800, epochs: 2000, warmupStart: 0.05, min: 0.001 });
    expect(lr(0)).toBe(0.05);
    expect(lr(400)).toBeCloseTo(0.075, 12);
    expect(lr(800)).toBeCloseTo(0.1, 12);
    expect(lr(1400)).toBeCloseTo(0.001 + 0.099 / 2, 12);
    expect(lr(2000)).toBe(0.001);
  });

  it('without warm-up starts at the base rate', () => {
    expect(warmupCosineDecay({ base: 0.2, warmupEpochs: 0, epochs: 4 })(0)).toBe(0.2);
    expect(warmupCosineDecay({ base: 0.2, warmupEpochs: 0, epochs: 4 })(2)).toBeCloseTo(0.1, 12);
  });
});
