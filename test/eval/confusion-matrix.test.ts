import { describe, expect, it } from 'vitest';
import { confusionMatrix } from '../../src/eval/confusion-matrix.js';

describe('confusionMatrix', () => {
  it('counts true class by row and prediction by column', () => {
    expect(confusionMatrix([0, 0, 1, 2, 2, 2], [0, 1, 1, 2, 0, 2], 3)).toEqual([
      [1, 1, 0],
      [0, 1, 0],
      [1, 0, 2],
    ]);
  });

  it('refuses mismatched lengths and out-of-range classes', () => {
    expect(() => confusionMatrix([0], [0, 1], 2)).toThrow('confusionMatrix: 1 labels but 2 predictions');
    expect(() => confusionMatrix([0, 3], [0, 1], 2)).toThrow('confusionMatrix: pair (3, 1) at 1 is outside [0, 2)');
  });
});
