import { describe, expect, it } from 'vitest';
import { ldamSchedule, warmupStepDecay } from '../../src/train/learning-rate.js';

describe('learning-rate schedules', () => {
  it("reproduces LDAM-DRW's cifar_train.py schedule over 200 epochs", () => {
    const lr = warmupStepDecay(ldamSchedule(0.1, 200));
    // 1-indexed epoch e ≤ 5: 0.1·e/5 ⇒ 0-based epochs 0..4
    expect([0, 1, 2, 3, 4].map(lr)).toEqual([0.02, 0.04, 0.06, 0.08, 0.1].map((v) => expect.closeTo(v, 12)));
    expect(lr(5)).toBe(0.1);
    expect(lr(159)).toBe(0.1);
    expect(lr(160)).toBeCloseTo(0.001, 12);
    expect(lr(179)).toBeCloseTo(0.001, 12);
    expect(lr(180)).toBeCloseTo(0.00001, 12);
    expect(lr(199)).toBeCloseTo(0.00001, 12);
  });

  it('takes the latest milestone reached, whatever the order given', () => {
    const lr = warmupStepDecay({ base: 1, warmupEpochs: 0, milestones: [{ epoch: 6, factor: 0.01 }, { epoch: 3, factor: 0.1 }] });
    expect([0, 2, 3, 5, 6, 9].map(lr)).toEqual([1, 1, 0.1, 0.1, 0.01, 0.01]);
  });
});
