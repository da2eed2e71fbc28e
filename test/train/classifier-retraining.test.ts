import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { lastValueFrom, toArray } from 'rxjs';
import { initBackend } from '../../src/backend/index.js';
import { classifierVariableNames, freezeBackbone, reinitializeClassifier } from '../../src/train/classifier-retraining.js';
import { fit } from '../../src/train/fit.js';
import { trainStep, type TrainState } from '../../src/train/step.js';
import { createSgdMomentum } from '../../src/train/sgd-momentum.js';
import { createResNetCifar } from '../../src/models/resnet32.js';
import { createSmallCnn } from '../../src/models/small-cnn.js';
import { classBalancedSampler } from '../../src/streams/samplers/class-balanced-sampler.js';
import { crossEntropy } from '../../src/losses/cross-entropy.js';
import { createRng, draw } from '../../src/core/rng.js';
import type { LongTailDataset } from '../../src/data/datasets.js';
import type { Model } from '../../src/models/model.js';

const shape = { height: 8, width: 8, channels: 3 };
const snapshot = (m: Model, which: 'trainable' | 'state') => new Map([...m.variables[which]].map(([k, v]) => [k, Array.from(v.dataSync())]));

describe('classifier re-training parts', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('finds the classifier of every built-in model', () => {
    const resnet = createResNetCifar({ shape, numClasses: 3 }, createRng(0), 1);
    const cnn = createSmallCnn({ shape, numClasses: 3 }, createRng(0));
    expect(classifierVariableNames(resnet)).toEqual(['fc/kernel', 'fc/bias']);
    expect(classifierVariableNames(cnn)).toEqual(['fc2/kernel', 'fc2/bias']);
    resnet.dispose();
    cnn.dispose();
  });

  it('cRT through fit with a class-balanced sampler moves only the classifier; batch-norm statistics stay', async () => {
    const model = createResNetCifar({ shape, numClasses: 3 }, createRng(1), 1);
    const labels = Int32Array.from([0, 0, 0, 0, 0, 0, 1, 1, 2, 0, 0, 1]);
    const pixels = draw(createRng(2), (d) => Uint8Array.from({ length: labels.length * 192 }, () => d.int(0, 255)))[0];
    const source = { pixels, labels, shape, numClasses: 3, classNames: ['a', 'b', 'c'] };
    const dataset: LongTailDataset = {
      name: 'toy',
      train: { source, indices: Int32Array.from(labels, (_, i) => i) },
      test: { source, indices: Int32Array.from([0, 1]) },
      trainCounts: [8, 3, 1],
      testCounts: [2, 0, 0],
      numClasses: 3,
      classNames: ['a', 'b', 'c'],
      shape,
      mean: [0.5, 0.5, 0.5],
      std: [0.25, 0.25, 0.25],
      flipInvariant: true,
    };
    reinitializeClassifier(model, createRng(3));
    expect(Array.from(model.variables.trainable.get('fc/bias')!.dataSync())).toEqual([0, 0, 0]);
    const view = freezeBackbone(model);
    expect([...view.variables.trainable.keys()]).toEqual(['fc/kernel', 'fc/bias']);
    const [weights0, stats0] = [snapshot(model, 'trainable'), snapshot(model, 'state')];
    const state: TrainState = {
      model: view,
      loss: crossEntropy,
      prepared: crossEntropy.prepare(crossEntropy.defaults, dataset.trainCounts),
      reduction: 'mean',
      optimizer: createSgdMomentum(view.variables.trainable, { momentum: 0.9, weightDecay: 5e-4 }),
    };
    const before = tf.memory().numTensors;
    await lastValueFrom(fit({ dataset, state, sampler: classBalancedSampler, transforms: [], epochs: 2, batchSize: 4, lr: () => 0.1, rng: createRng(4) }).pipe(toArray()));
    expect(tf.memory().numTensors).toBe(before);
    const weights1 = snapshot(model, 'trainable');
    for (const [name, v] of weights0) {
      if (name.startsWith('fc/')) expect(weights1.get(name), name).not.toEqual(v);
      else expect(weights1.get(name), name).toEqual(v);
    }
    expect(snapshot(model, 'state')).toEqual(stats0);
    state.optimizer.dispose();
    model.dispose();
  });

  it('the frozen view runs in inference mode whatever it is asked', () => {
    const model = createResNetCifar({ shape, numClasses: 3 }, createRng(5), 1);
    const view = freezeBackbone(model);
    tf.tidy(() => {
      const x = tf.tensor4d(draw(createRng(6), (d) => Float32Array.from({ length: 2 * 192 }, () => d.normal()))[0], [2, 8, 8, 3]);
      expect(Array.from(view.forward(x, { training: true }).logits.dataSync())).toEqual(Array.from(model.forward(x, { training: false }).logits.dataSync()));
    });
    // A plain step on the view changes nothing outside the classifier.
    const state = { model: view, loss: crossEntropy, prepared: crossEntropy.prepare(crossEntropy.defaults, [1, 1, 1]), reduction: 'mean' as const, optimizer: createSgdMomentum(view.variables.trainable, { momentum: 0, weightDecay: 0 }) };
    const stem = Array.from(model.variables.trainable.get('stem/conv/kernel')!.dataSync());
    trainStep(state, { x: new Float32Array(2 * 192).fill(0.5), y: Int32Array.from([0, 1]), index: Int32Array.from([0, 1]), shape }, 0.1);
    expect(Array.from(model.variables.trainable.get('stem/conv/kernel')!.dataSync())).toEqual(stem);
    state.optimizer.dispose();
    view.dispose();
    model.dispose();
  });

  it('refuses names the model does not have', () => {
    const model = createSmallCnn({ shape, numClasses: 3 }, createRng(0));
    expect(() => freezeBackbone(model, ['head/kernel'])).toThrow("freezeBackbone: the model 'small-cnn' has no trainable variable 'head/kernel'");
    expect(() => reinitializeClassifier(model, createRng(0), ['head/kernel'])).toThrow("reinitializeClassifier: the model 'small-cnn' has no trainable variable 'head/kernel'");
    model.dispose();
  });
});
