import { describe, expect, it } from 'vitest';
import { bbnLearningRate, bbnLearningRateFor } from '../../../src/train/schedules/bbn-learning-rate.js';

describe('bbnLearningRate', () => {
  it('BBN’s CIFAR table: warm-up from a third, 1e-3 from epoch 120, 1e-5 from 160', () => {
    const lr = bbnLearningRate({ base: 0.1, warmupEpochs: 5, milestones: [120, 160], factor: 0.01 });
    const table: Array<[number, number]> = [
      [0, 0.1 / 3],
      [1, 0.1 * (0.8 / 3 + 0.2)],
      [2, 0.06],
      [3, 0.1 * (0.4 / 3 + 0.6)],
      [4, 0.1 * (0.2 / 3 + 0.8)],
      [5, 0.1],
      [119, 0.1],
      [120, 1e-3],
      [159, 1e-3],
      [160, 1e-5],
      [199, 1e-5],
    ];
    for (const [e, v] of table) expect(lr(e), `epoch ${e}`).toBeCloseTo(v, 14);
  });

  it('scales to a run length: 200 epochs give BBN’s own settings', () => {
    expect(bbnLearningRateFor(0.1, 200)).toEqual({ base: 0.1, warmupEpochs: 5, milestones: [120, 160], factor: 0.01 });
    expect(bbnLearningRateFor(0.1, 10)).toEqual({ base: 0.1, warmupEpochs: 1, milestones: [6, 8], factor: 0.01 });
  });
});
