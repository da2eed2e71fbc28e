/**
 * The multi-label and contrastive losses train through the ordinary `trainStep` (logits, labels and
 * the model's features; db-loss on the one-hot of the labels), on the wasm backend as the step tests.
 */
import { beforeAll, describe, expect, it } from 'vitest';
import { initBackend } from '../../src/backend/index.js';
import { distributionBalanced } from '../../src/losses/distribution-balanced.js';
import { rescom } from '../../src/losses/rescom.js';
import { toyStepLosses } from './helpers/toy-step.js';

beforeAll(async () => {
  await initBackend('wasm');
});

describe('losses in the training step', () => {
  it('db-loss (DB-Focal defaults) halves within 8 steps on a separable toy batch, no leak', () => {
    const losses = toyStepLosses(distributionBalanced, distributionBalanced.defaults);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[7]!).toBeLessThan(losses[0]! * 0.5);
  });

  it('rescom falls to its floor log 7 (8 per class in 16: 7 positives among 15 others per anchor), no leak', () => {
    // Counts [8, 8]: anchor weights 1, Balanced Softmax = CE; perfect clusters leave −log(1/7) per anchor.
    const losses = toyStepLosses(rescom, rescom.defaults);
    expect(losses.every(Number.isFinite)).toBe(true);
    expect(losses[0]!).toBeGreaterThan(Math.log(7) + 0.5);
    expect(losses[7]!).toBeLessThan(Math.log(7) + 0.05);
    expect(losses[7]!).toBeGreaterThan(Math.log(7) - 1e-3);
  });
});
