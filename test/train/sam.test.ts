import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { samStep, samStepFunction } from '../../src/train/sam.js';
import { samRhoSchedule } from '../../src/train/schedules/sam-rho.js';
import { trainStep, type TrainState } from '../../src/train/step.js';
import { createSgdMomentum } from '../../src/train/sgd-momentum.js';
import { createResNetCifar } from '../../src/models/resnet32.js';
import { crossEntropy } from '../../src/losses/cross-entropy.js';
import { createRng, draw } from '../../src/core/rng.js';
import { UserError } from '../../src/core/errors.js';
import type { HostBatch } from '../../src/core/host-batch.js';
import type { Model } from '../../src/models/model.js';
import { expectClose } from '../helpers/expect-close.js';
import { halfSquare, quadraticModel, vectorBatch } from './helpers/quadratic-model.js';

const stateOf = (model: Model, overrides: Partial<TrainState> = {}): TrainState => ({
  model,
  loss: crossEntropy,
  prepared: crossEntropy.prepare(crossEntropy.defaults, [1, 1, 1]),
  reduction: 'mean',
  optimizer: createSgdMomentum(model.variables.trainable, { momentum: 0.9, weightDecay: 5e-4 }),
  ...overrides,
});
/** The quadratic model with plain SGD-momentum (no weight decay): the first update is w − lr·g. */
const quadraticState = (w: readonly number[]): TrainState => {
  const model = quadraticModel(w);
  return stateOf(model, { loss: halfSquare, prepared: null, optimizer: createSgdMomentum(model.variables.trainable, { momentum: 0.9, weightDecay: 0 }) });
};
const dispose = (s: TrainState) => {
  s.optimizer.dispose();
  s.model.dispose();
};
const weightsOf = (m: Model): number[] => Array.from(m.variables.trainable.get('w')!.dataSync());

// A ResNet-8 (one block per stage, batch norm everywhere) on 8×8×3 images.
const shape = { height: 8, width: 8, channels: 3 };
const resnet = (seed: number): Model => createResNetCifar({ shape, numClasses: 3 }, createRng(seed), 1);
const imageBatch = (n: number, seed: number): HostBatch => {
  const [x] = draw(createRng(seed), (d) => Float32Array.from({ length: n * 192 }, () => d.normal()));
  return { x, y: Int32Array.from({ length: n }, (_, i) => i % 3), index: Int32Array.from({ length: n }, (_, i) => i), shape };
};
const snapshot = (vars: ReadonlyMap<string, tf.Variable>): Map<string, Float32Array> => new Map([...vars].map(([k, v]) => [k, v.dataSync() as Float32Array]));
const expectSameValues = (a: Map<string, Float32Array>, b: Map<string, Float32Array>) => {
  expect([...a.keys()]).toEqual([...b.keys()]);
  for (const [k, v] of a) expect(Array.from(v), k).toEqual(Array.from(b.get(k)!));
};

describe('samStep', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('matches the hand-computed two-pass update on a quadratic', () => {
    // L = ½(x·W)², x = (1, 2), W = (1, 1): g = 3·x = (3, 6), ε = ρ·g/‖g‖, g' = (x·(W + ε))·x, W ← W − lr·g'.
    const s = (quadraticState([1, 1]));
    const rho = 0.5;
    const lr = 0.1;
    const g = [3, 6];
    const norm = Math.hypot(...g);
    const wPlus = [1 + (rho * g[0]!) / norm, 1 + (rho * g[1]!) / norm];
    const zPlus = wPlus[0]! + 2 * wPlus[1]!;
    const result = samStep(s, vectorBatch([[1, 2]], [0]), lr, { rho });
    expect(result.loss).toBeCloseTo(4.5, 6);
    expectClose(weightsOf(s.model), [1 - lr * zPlus, 1 - lr * 2 * zPlus], 1e-6);
    dispose(s);
  });

  it('ρ = 0 gives exactly the plain step, on a network with batch norm', () => {
    const a = stateOf(resnet(1));
    const b = stateOf(resnet(1));
    const batch = imageBatch(6, 2);
    const ra = trainStep(a, batch, 0.05);
    const rb = samStep(b, batch, 0.05, { rho: 0 });
    expect(rb).toEqual(ra);
    expectSameValues(snapshot(b.model.variables.trainable), snapshot(a.model.variables.trainable));
    expectSameValues(snapshot(b.model.variables.state), snapshot(a.model.variables.state));
    expectSameValues(snapshot(b.optimizer.velocity), snapshot(a.optimizer.velocity));
    dispose(a);
    dispose(b);
  });

  it('updates the batch-norm running statistics once, with the first pass at w', () => {
    const plain = stateOf(resnet(3));
    const sam = stateOf(resnet(3));
    const batch = imageBatch(6, 4);
    trainStep(plain, batch, 0.05);
    samStep(sam, batch, 0.05, { rho: 0.5 });
    // Same statistics as one plain step from the same weights and batch…
    expectSameValues(snapshot(sam.model.variables.state), snapshot(plain.model.variables.state));
    // …while the weights moved differently (the descent gradient was taken at w + ε).
    const kernel = (s: TrainState) => Array.from(s.model.variables.trainable.get('fc/kernel')!.dataSync());
    expect(kernel(sam)).not.toEqual(kernel(plain));
    dispose(plain);
    dispose(sam);
  });

  it('leaks no tensor, with one ρ and with per-class ρ', () => {
    const s = stateOf(resnet(5));
    const batch = imageBatch(6, 6);
    samStep(s, batch, 0.05, { rho: 0.1 }); // creates nothing that lasts beyond the first call either
    const before = tf.memory().numTensors;
    samStep(s, batch, 0.05, { rho: 0.1 });
    samStep(s, batch, 0.05, { rho: 0, classRho: [0, 0.1, 0.2] });
    expect(tf.memory().numTensors).toBe(before);
    dispose(s);
  });

  it('the same ρ for every class is plain SAM', () => {
    const a = stateOf(resnet(7));
    const b = stateOf(resnet(7));
    const batch = imageBatch(6, 8);
    samStep(a, batch, 0.05, { rho: 0.3 });
    samStep(b, batch, 0.05, { rho: 0, classRho: [0.3, 0.3, 0.3] });
    expectSameValues(snapshot(b.model.variables.trainable), snapshot(a.model.variables.trainable));
    dispose(a);
    dispose(b);
  });

  it('per-class ρ perturbs each group on its own and takes ρ = 0 classes at w (hand-computed)', () => {
    // Mean reduction over N = 2: L = ½ℓ_0 + ½ℓ_1 with ℓ_i = ½(x_i·W)². Class 0 has ρ = 0, class 1 has ρ = 0.4.
    const x0 = [1, 0];
    const x1 = [0, 2];
    const w = [1, 1];
    const rho = 0.4;
    const lr = 0.1;
    const dot = (a: readonly number[], b: readonly number[]) => a[0]! * b[0]! + a[1]! * b[1]!;
    const grad = (x: number[], weights: number[]) => x.map((v) => 0.5 * dot(x, weights) * v); // ∇(½·½(x·W)²)
    const g1 = grad(x1, w);
    const n1 = Math.hypot(...g1);
    const w1 = w.map((v, i) => v + (rho * g1[i]!) / n1);
    const direction = grad(x0, w).map((v, i) => v + grad(x1, w1)[i]!);
    const s = (quadraticState(w));
    samStep(s, vectorBatch([x0, x1], [0, 1]), lr, { rho: 0, classRho: [0, rho] });
    expectClose(weightsOf(s.model), w.map((v, i) => v - lr * direction[i]!), 1e-6);
    dispose(s);
  });

  it('refuses a non-finite loss with the weights untouched, and a ρ it cannot use', () => {
    const s = (quadraticState([Number.NaN, 1]));
    expect(() => samStep(s, vectorBatch([[1, 2]], [0]), 0.1, { rho: 0.1 })).toThrow(UserError);
    expect(weightsOf(s.model)[1]).toBe(1);
    expect(() => samStep(s, vectorBatch([[1, 2]], [2]), 0.1, { rho: 0, classRho: [0.1] })).toThrow(
      'samStep: classRho has 1 values but the batch has label 2',
    );
    expect(() => samStep(s, vectorBatch([[1, 2]], [0]), 0.1, { rho: -1 })).toThrow('samStep: ρ must be a finite number ≥ 0, got -1');
    dispose(s);
  });
});

describe('samStepFunction', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('is the plain step before the SAM start epoch and SAM from it on', () => {
    const step = samStepFunction(samRhoSchedule({ rho: 0.5, startEpoch: 2 }));
    const batch = vectorBatch([[1, 2]], [0]);
    const run = (f: (s: TrainState) => unknown) => {
      const s = quadraticState([1, 1]);
      f(s);
      const w = weightsOf(s.model);
      dispose(s);
      return w;
    };
    expect(run((s) => step(s, batch, 0.1, 1))).toEqual(run((s) => trainStep(s, batch, 0.1)));
    expect(run((s) => step(s, batch, 0.1, 2))).toEqual(run((s) => samStep(s, batch, 0.1, { rho: 0.5 })));
    expect(run((s) => step(s, batch, 0.1, 2))).not.toEqual(run((s) => trainStep(s, batch, 0.1)));
  });

  it('scales per-class radii with the schedule', () => {
    const step = samStepFunction(() => 0.5, [0, 2]);
    const batch = vectorBatch([[1, 0], [0, 2]], [0, 1]);
    const a = quadraticState([1, 1]);
    const b = quadraticState([1, 1]);
    step(a, batch, 0.1, 0);
    samStep(b, batch, 0.1, { rho: 0, classRho: [0, 1] });
    expect(weightsOf(a.model)).toEqual(weightsOf(b.model));
    dispose(a);
    dispose(b);
  });
});
