import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { dbnMixStep } from '../../src/train/dbn-mix-step.js';
import { mixedPerExample, type TrainState } from '../../src/train/step.js';
import { createSgdMomentum } from '../../src/train/sgd-momentum.js';
import { createBbnSmallCnn } from '../../src/models/bbn.js';
import { createSmallCnn } from '../../src/models/small-cnn.js';
import { dbnMixLoss } from '../../src/losses/dbn-mix.js';
import { bilateralMixup } from '../../src/transforms/bilateral-mixup.js';
import { reduceLoss } from '../../src/losses/reduce.js';
import { createRng, draw } from '../../src/core/rng.js';
import type { HostBatch } from '../../src/core/host-batch.js';
import type { Model } from '../../src/models/model.js';

const shape = { height: 8, width: 8, channels: 1 };
const batch = (labels: number[], seed: number): HostBatch => ({
  x: draw(createRng(seed), (d) => Float32Array.from({ length: labels.length * 64 }, () => d.normal()))[0],
  y: Int32Array.from(labels),
  index: Int32Array.from(labels, (_, i) => i),
  shape,
});
const counts = [50, 10, 2];
const stateOf = (model: Model): TrainState => ({
  model,
  loss: dbnMixLoss,
  prepared: dbnMixLoss.prepare(dbnMixLoss.defaults, counts),
  reduction: 'mean',
  optimizer: createSgdMomentum(model.variables.trainable, { momentum: 0.9, weightDecay: 0 }),
});
const mixed = bilateralMixup({ alpha: 1, clampLambda: true })(batch([0, 1, 2, 0], 1), batch([2, 2, 1, 0], 2), createRng(3));

beforeAll(async () => {
  await initBackend('wasm');
});

describe('forwardBranches', () => {
  it('gives each branch alone; their mean on the same input is the test-time forward', () => {
    const model = createBbnSmallCnn({ shape, numClasses: 3 }, createRng(4));
    const x = batch([0, 1, 2], 5);
    const [mean, whole] = tf.tidy(() => {
      const input = tf.tensor4d(x.x, [3, 8, 8, 1]);
      const b = model.forwardBranches(input, input, { training: false });
      return [tf.div(tf.add(b.conventional.logits, b.rebalancing.logits), 2).arraySync() as number[][], model.forward(input, { training: false }).logits.arraySync()] as const;
    });
    mean.flat().forEach((v, i) => expect(v).toBeCloseTo(whole.flat()[i]!, 5));
    model.dispose();
  });
});

describe('dbnMixStep', () => {
  it('optimises ½·(L(z_cb(x̃₁), t₁) + L(z_rb(x̃₂), t₂)): the reported loss before the update', () => {
    const state = stateOf(createBbnSmallCnn({ shape, numClasses: 3 }, createRng(6)));
    const expected = tf.tidy(() => {
      const branches = (state.model as ReturnType<typeof createBbnSmallCnn>).forwardBranches(
        tf.tensor4d(mixed.conventional.x, [4, 8, 8, 1]),
        tf.tensor4d(mixed.rebalancing.x, [4, 8, 8, 1]),
        { training: true },
      );
      const side = (logits: tf.Tensor2D, features: tf.Tensor2D, b: HostBatch) =>
        reduceLoss(mixedPerExample(state, logits, tf.tensor1d(b.y, 'int32'), features, b), 'mean').dataSync()[0]!;
      return 0.5 * (side(branches.conventional.logits, branches.conventional.features, mixed.conventional) + side(branches.rebalancing.logits, branches.rebalancing.features, mixed.rebalancing));
    });
    expect(dbnMixStep(state, mixed, 0.01).loss).toBeCloseTo(expected, 5);
    state.optimizer.dispose();
    state.model.dispose();
  });

  it('learns (loss falls over steps on one pair) and leaks no tensor', () => {
    const state = stateOf(createBbnSmallCnn({ shape, numClasses: 3 }, createRng(7)));
    const before = tf.memory().numTensors;
    const losses = Array.from({ length: 10 }, () => dbnMixStep(state, mixed, 0.05).loss);
    expect(tf.memory().numTensors).toBe(before);
    expect(losses[9]!).toBeLessThan(losses[0]! * 0.7);
    state.optimizer.dispose();
    state.model.dispose();
  });

  it('refuses a one-branch model', () => {
    const state = stateOf(createSmallCnn({ shape, numClasses: 3 }, createRng(8)));
    expect(() => dbnMixStep(state, mixed, 0.01)).toThrow("dbnMixStep: the model 'small-cnn' has no bilateral branches (use a BBN model)");
    state.optimizer.dispose();
    state.model.dispose();
  });
});
