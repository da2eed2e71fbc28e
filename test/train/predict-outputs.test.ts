import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { predictOutputs } from '../../src/train/predict-outputs.js';
import { predict } from '../../src/train/predict.js';
import { createSmallCnn } from '../../src/models/small-cnn.js';
import { argmaxRows, linearLogits, softmaxRows } from '../../src/eval/calibration/host-matrix.js';
import { createRng, draw } from '../../src/core/rng.js';
import { expectClose } from '../helpers/expect-close.js';

describe('predictOutputs', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('keeps logits and features that agree with predict and with the classifier', () => {
    const shape = { height: 8, width: 8, channels: 1 };
    const labels = Int32Array.from([0, 1, 2, 1, 0]);
    const source = { pixels: draw(createRng(1), (d) => Uint8Array.from({ length: 5 * 64 }, () => d.int(0, 255)))[0], labels, shape, numClasses: 3, classNames: ['a', 'b', 'c'] };
    const subset = { source, indices: Int32Array.from([4, 0, 2, 1, 3]) };
    const norm = { mean: [0.5], std: [0.5] };
    const model = createSmallCnn({ shape, numClasses: 3 }, createRng(0));
    const before = tf.memory().numTensors;
    const out = predictOutputs(model, subset, norm, 2);
    expect(tf.memory().numTensors).toBe(before);
    const reference = predict(model, subset, norm, 2);
    expect(Array.from(out.labels)).toEqual(Array.from(reference.labels));
    expect(out.featureDim).toBe(128);
    expect(Array.from(argmaxRows(out.logits, 3))).toEqual(Array.from(reference.predicted));
    expectClose(softmaxRows(out.logits, 3), reference.probabilities, 1e-6);
    const kernel = model.variables.trainable.get('fc2/kernel')!.dataSync();
    const bias = model.variables.trainable.get('fc2/bias')!.dataSync();
    expectClose(linearLogits(out.features, kernel, 3, bias), out.logits, 1e-4);
    model.dispose();
  });
});
