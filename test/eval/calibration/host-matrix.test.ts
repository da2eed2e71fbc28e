import { describe, expect, it } from 'vitest';
import { argmaxRows, balancedAccuracyOf, columnNorms, linearLogits, rowsOf, softmaxRows } from '../../../src/eval/calibration/host-matrix.js';
import { expectClose } from '../../helpers/expect-close.js';

describe('host matrix helpers', () => {
  it('column norms of a [D, C] kernel are the class weight norms', () => {
    expectClose(columnNorms([3, 0, 4, 2], 2), [5, 2], 1e-12);
  });

  it('x·W + b', () => {
    expectClose(linearLogits([1, 2], [1, 0, 0, 1], 2, [0.5, -0.5]), [1.5, 1.5], 0);
  });

  it('argmax takes the first index on ties; softmax rows sum to 1', () => {
    expect(Array.from(argmaxRows([1, 1, 0, 2], 2))).toEqual([0, 1]);
    const p = softmaxRows([1000, 1000, 0, Math.log(3)], 2);
    expectClose(p, [0.5, 0.5, 0.25, 0.75], 1e-7);
  });

  it('balanced accuracy averages the recall of the classes present', () => {
    // Labels 0,0,0,1: class 0 recall 2/3, class 1 recall 1.
    expect(balancedAccuracyOf([1, 0, 1, 0, 0, 1, 0, 1], [0, 0, 0, 1], 2)).toBeCloseTo((2 / 3 + 1) / 2, 12);
  });

  it('refuses lengths that do not make rows', () => {
    expect(() => rowsOf([1, 2, 3], 2, 'f')).toThrow('f: 3 values do not make rows of 2');
    expect(() => rowsOf([1, 2], 0, 'f')).toThrow('f: the number of columns must be a positive integer, got 0');
  });
});
