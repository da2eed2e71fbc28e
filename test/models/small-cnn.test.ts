import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { createSmallCnn } from '../../src/models/small-cnn.js';
import { countParameters } from '../../src/models/model.js';
import { models } from '../../src/models/registry.js';
import { createRng } from '../../src/core/rng.js';

describe('small CNN', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('maps NHWC images to [N, C] logits and [N, 128] features', () => {
    const m = createSmallCnn({ shape: { height: 28, width: 28, channels: 1 }, numClasses: 10 }, createRng(0));
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const { logits, features } = m.forward(tf.zeros([3, 28, 28, 1]), { training: true });
      expect(logits.shape).toEqual([3, 10]);
      expect(features.shape).toEqual([3, 128]);
    });
    expect(tf.memory().numTensors).toBe(before);
    // 3·3·1·32+32 + 3·3·32·64+64 + 7·7·64·128+128 + 128·10+10
    expect(countParameters(m.variables)).toBe(288 + 32 + 18432 + 64 + 401408 + 128 + 1280 + 10);
    m.dispose();
  });

  it('draws the same weights from the same seed (He normal, std √(2/fan_in))', () => {
    const spec = { shape: { height: 28, width: 28, channels: 1 }, numClasses: 10 };
    const a = createSmallCnn(spec, createRng(4));
    const b = createSmallCnn(spec, createRng(4));
    const c = createSmallCnn(spec, createRng(5));
    const w = (m: typeof a) => m.variables.trainable.get('conv2/kernel')!.dataSync();
    expect([...w(a)]).toEqual([...w(b)]);
    expect([...w(a)]).not.toEqual([...w(c)]);
    const values = Array.from(w(a));
    const std = Math.sqrt(values.reduce((s, v) => s + v * v, 0) / values.length);
    expect(std).toBeCloseTo(Math.sqrt(2 / (9 * 32)), 2);
    for (const m of [a, b, c]) m.dispose();
  });

  it('is in the model registry', () => {
    expect(models.get('small-cnn').name).toBe('small-cnn');
    expect(() => models.get('resnet')).toThrow("Unknown model 'resnet'");
  });
});

describe('model lifetime', () => {
  it('creating and disposing a model and its optimizer leaves no tensor behind', async () => {
    const { createSgdMomentum } = await import('../../src/train/sgd-momentum.js');
    const { createResNetCifar } = await import('../../src/models/resnet32.js');
    const before = tf.memory().numTensors;
    const spec = { shape: { height: 8, width: 8, channels: 1 }, numClasses: 3 };
    for (const m of [createSmallCnn(spec, createRng(0)), createResNetCifar({ ...spec, head: 'cosine' }, createRng(0), 1)]) {
      const opt = createSgdMomentum(m.variables.trainable, { momentum: 0.9, weightDecay: 0 });
      opt.dispose();
      m.dispose();
    }
    expect(tf.memory().numTensors).toBe(before);
  });
});
