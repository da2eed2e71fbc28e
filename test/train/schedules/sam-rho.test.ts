import { describe, expect, it } from 'vitest';
import { samRhoSchedule, steppedRho } from '../../../src/train/schedules/sam-rho.js';

describe('samRhoSchedule', () => {
  it('is 0 (plain steps) before the start epoch and ρ from it on', () => {
    const rho = samRhoSchedule({ rho: 0.8, startEpoch: 160 });
    expect([0, 159, 160, 199].map(rho)).toEqual([0, 0, 0.8, 0.8]);
    expect(samRhoSchedule({ rho: 0.5, startEpoch: 0 })(0)).toBe(0.5);
  });
});

describe('steppedRho', () => {
  it('takes the latest step reached, in any order given', () => {
    const rho = steppedRho([
      { fromEpoch: 60, rho: 0.5 },
      { fromEpoch: 0, rho: 0.05 },
      { fromEpoch: 5, rho: 0.1 },
      { fromEpoch: 75, rho: 0.6 },
    ]);
    const table: Array<[number, number]> = [
      [0, 0.05],
      [4, 0.05],
      [5, 0.1],
      [59, 0.1],
      [60, 0.5],
      [75, 0.6],
      [89, 0.6],
    ];
    for (const [e, v] of table) expect(rho(e), `epoch ${e}`).toBe(v);
    expect(steppedRho([{ fromEpoch: 3, rho: 1 }])(2)).toBe(0);
  });

  it('refuses a negative ρ', () => {
    expect(() => steppedRho([{ fromEpoch: 0, rho: -0.1 }])).toThrow('steppedRho: ρ must be a finite number ≥ 0, got -0.1');
  });
});
