import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { createResNetCifar, optionAShortcutFilter } from '../../src/models/resnet32.js';
import { countParameters } from '../../src/models/model.js';
import { createRng } from '../../src/core/rng.js';

describe('ResNet-32 (CIFAR layout)', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('has 0.46M parameters: 31 convs, 31 batch norms and a 64→C linear layer', () => {
    const m = createResNetCifar({ shape: { height: 32, width: 32, channels: 3 }, numClasses: 10 }, createRng(0));
    const convs = 3 * 3 * 3 * 16 + 2 * 5 * (3 * 3 * 16 * 16) + (3 * 3 * 16 * 32 + 3 * 3 * 32 * 32) + 4 * 2 * (3 * 3 * 32 * 32) + (3 * 3 * 32 * 64 + 3 * 3 * 64 * 64) + 4 * 2 * (3 * 3 * 64 * 64);
    const bns = 2 * (16 + 10 * 16 + 10 * 32 + 10 * 64);
    expect(countParameters(m.variables)).toBe(convs + bns + 64 * 10 + 10);
    expect(countParameters(m.variables)).toBeGreaterThan(460_000);
    expect(countParameters(m.variables)).toBeLessThan(470_000);
    m.dispose();
  });

  it('runs forward and backward on wasm with finite gradients for every variable, leaking nothing', () => {
    const m = createResNetCifar({ shape: { height: 8, width: 8, channels: 3 }, numClasses: 4 }, createRng(1), 1);
    const before = tf.memory().numTensors;
    tf.tidy(() => {
      const x = tf.tensor4d(Float32Array.from({ length: 2 * 8 * 8 * 3 }, (_, i) => Math.sin(i)), [2, 8, 8, 3]);
      const { grads, value } = tf.variableGrads(() => tf.sum(m.forward(x, { training: true }).logits) as tf.Scalar, [...m.variables.trainable.values()]);
      expect(Number.isFinite(value.dataSync()[0])).toBe(true);
      expect(Object.keys(grads).length).toBe(m.variables.trainable.size);
      for (const g of Object.values(grads)) expect(g.dataSync().every(Number.isFinite)).toBe(true);
      const { logits, features } = m.forward(x, { training: false });
      expect(logits.shape).toEqual([2, 4]);
      expect(features.shape).toEqual([2, 64]);
    });
    expect(tf.memory().numTensors).toBe(before);
    m.dispose();
  });

  it('implements the option-A shortcut: x[:, ::2, ::2] with channels zero-padded on both sides', async () => {
    // 16 → 32 channels pads 8 zero channels on each side (planes/4 in resnet_cifar.py's LambdaLayer).
    await initBackend('cpu');
    tf.tidy(() => {
      const x = tf.tensor4d(Float32Array.from({ length: 2 * 6 * 6 * 16 }, (_, i) => i + 1), [2, 6, 6, 16]);
      const viaConv = tf.conv2d(x, optionAShortcutFilter(16, 32), 2, 'valid').arraySync();
      const sliced = tf.stridedSlice(x, [0, 0, 0, 0], [2, 6, 6, 16], [1, 2, 2, 1]);
      const padded = tf.pad(sliced, [[0, 0], [0, 0], [0, 0], [8, 8]]).arraySync();
      expect(viaConv).toEqual(padded);
    });
    await initBackend('wasm');
  });
});
