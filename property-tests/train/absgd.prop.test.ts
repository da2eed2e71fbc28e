import { beforeAll, describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { ABSGD_START, absgdReduce } from '../../src/train/absgd.js';

beforeAll(async () => {
  await initBackend('cpu');
});

const lossesArb = fc.float32Array({ min: 0, max: Math.fround(30), noNaN: true, noDefaultInfinity: true, minLength: 1, maxLength: 12 });
const weightingArb = fc.record({ gamma: fc.double({ min: 0.05, max: 1, noNaN: true }), alpha: fc.double({ min: 0.1, max: 2, noNaN: true }) });
const weightsOf = (losses: Float32Array, lambda: number, w: { gamma: number; alpha: number }) =>
  tf.tidy(() => Array.from(absgdReduce(tf.tensor1d(losses), lambda, w, ABSGD_START).weights.dataSync()));

describe('ABSGD properties', () => {
  it('on the first weighted step Σ p_i = 1/(γ·α), whatever the losses', () =>
    fc.assert(
      fc.property(lossesArb, fc.double({ min: 0.5, max: 50, noNaN: true }), weightingArb, (losses, lambda, w) => {
        const sum = weightsOf(losses, lambda, w).reduce((a, b) => a + b, 0);
        expect(sum * w.gamma * w.alpha).toBeCloseTo(1, 3);
      }),
      { numRuns: 50 },
    ));

  it('λ > 0 never gives a harder example a smaller weight; λ < 0 never a larger one', () =>
    fc.assert(
      fc.property(lossesArb, fc.double({ min: 0.5, max: 50, noNaN: true }), weightingArb, (losses, lambda, w) => {
        for (const sign of [1, -1]) {
          const p = weightsOf(losses, sign * lambda, w);
          for (let i = 0; i < losses.length; i++) {
            for (let j = 0; j < losses.length; j++) {
              if (losses[i]! > losses[j]!) expect(sign * (p[i]! - p[j]!)).toBeGreaterThanOrEqual(-1e-6 * Math.max(p[i]!, p[j]!));
            }
          }
        }
      }),
      { numRuns: 50 },
    ));
});
