import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { createBbnResNet, createBbnSmallCnn, isBilateralModel, type BilateralModel } from '../../src/models/bbn.js';
import { createResNetCifar } from '../../src/models/resnet32.js';
import { createSmallCnn } from '../../src/models/small-cnn.js';
import { countParameters } from '../../src/models/model.js';
import { models } from '../../src/models/registry.js';
import { createRng, draw } from '../../src/core/rng.js';
import { expectClose } from '../helpers/expect-close.js';

const images = (n: number, h: number, c: number, seed: number): tf.Tensor4D =>
  tf.tensor4d(draw(createRng(seed), (d) => Float32Array.from({ length: n * h * h * c }, () => d.normal()))[0], [n, h, h, c]);
const values = (t: tf.Tensor) => Array.from(t.dataSync());
/** Runs `f` in a tidy scope (which frees the initial values variables are made from) and returns what it built. */
const inTidy = <T>(f: () => T): T => {
  let out: T | undefined;
  tf.tidy(() => {
    out = f();
  });
  return out!;
};

const checkForwardContract = (model: BilateralModel, h: number, c: number, featureDim: number) => {
  tf.tidy(() => {
    const x = images(3, h, c, 1);
    const y = images(3, h, c, 2);
    const test = model.forward(x, { training: false });
    expect(test.logits.shape).toEqual([3, 4]);
    expect(test.features.shape).toEqual([3, featureDim]);
    // Test time is α = 0.5 with the factor 2, both branches on the same image.
    expect(values(model.forwardBilateral(x, x, 0.5, { training: false }).logits)).toEqual(values(test.logits));
    // α = 1 reads only the conventional branch, α = 0 only the re-balancing one.
    expectClose(values(model.forwardBilateral(x, y, 1, { training: false }).logits), values(model.forwardBilateral(x, x, 1, { training: false }).logits), 0);
    expectClose(values(model.forwardBilateral(y, x, 0, { training: false }).logits), values(model.forwardBilateral(x, x, 0, { training: false }).logits), 0);
    // The mixed features are 2·concat(α·f_c, (1 − α)·f_r).
    const r = model.forwardBilateral(x, y, 0.3, { training: false });
    expectClose(values(r.features), values(tf.concat([tf.mul(r.conventional, 0.6), tf.mul(r.rebalancing, 1.4)], 1)), 1e-6);
  });
  expect(() => tf.tidy(() => {
      model.forwardBilateral(tf.zeros([1, h, h, c]), tf.zeros([1, h, h, c]), 1.5, { training: false });
    })).toThrow(
    'forwardBilateral: α must be in [0, 1], got 1.5',
  );
};

describe('BBN models', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('ResNet: stage 3’s last block becomes cb_block and rb_block, one FC on the 128 concatenated features', () => {
    const spec = { shape: { height: 8, width: 8, channels: 3 }, numClasses: 4 };
    const before = tf.memory().numTensors;
    // Built inside a tidy, which frees the initial values the variables were made from.
    const bbn = inTidy(() => createBbnResNet(spec, createRng(0), 2));
    const plain = inTidy(() => createResNetCifar(spec, createRng(0), 2));
    const names = [...bbn.variables.trainable.keys()];
    expect(names).toContain('cb_block/conv2/kernel');
    expect(names).toContain('rb_block/bn1/gamma');
    expect(names).not.toContain('stage3/block2/conv1/kernel');
    expect(bbn.variables.trainable.get('fc/kernel')!.shape).toEqual([128, 4]);
    // One more 64→64 block (2 convs + 2 BN) and 64·C more classifier weights than the plain network.
    expect(countParameters(bbn.variables)).toBe(countParameters(plain.variables) + 2 * 9 * 64 * 64 + 2 * 2 * 64 + 64 * 4);
    expect(isBilateralModel(bbn)).toBe(true);
    expect(isBilateralModel(plain)).toBe(false);
    checkForwardContract(bbn, 8, 3, 128);
    plain.dispose();
    bbn.dispose();
    expect(tf.memory().numTensors).toBe(before);
  });

  it('ResNet with one block per stage: the branch blocks are stage 3’s first block (32 → 64, stride 2)', () => {
    const bbn = createBbnResNet({ shape: { height: 8, width: 8, channels: 3 }, numClasses: 4 }, createRng(0), 1);
    expect(bbn.variables.trainable.get('cb_block/conv1/kernel')!.shape).toEqual([3, 3, 32, 64]);
    checkForwardContract(bbn, 8, 3, 128);
    bbn.dispose();
  });

  it('small CNN: one dense-128 layer per branch, FC on 256; same forward contract', () => {
    const spec = { shape: { height: 8, width: 8, channels: 1 }, numClasses: 4 };
    const bbn = createBbnSmallCnn(spec, createRng(0));
    const plain = createSmallCnn(spec, createRng(0));
    expect(countParameters(bbn.variables)).toBe(countParameters(plain.variables) + (4 * 64 * 128 + 128) + 128 * 4);
    checkForwardContract(bbn, 8, 1, 256);
    plain.dispose();
    bbn.dispose();
  });

  it('a cosine head drops the bias', () => {
    const bbn = createBbnSmallCnn({ shape: { height: 8, width: 8, channels: 1 }, numClasses: 4, head: 'cosine' }, createRng(0));
    expect(bbn.variables.trainable.has('fc/bias')).toBe(false);
    const z = tf.tidy(() => values(bbn.forward(images(2, 8, 1, 3), { training: false }).logits));
    expect(z.every((v) => Math.abs(v) <= 1 + 1e-6)).toBe(true);
    bbn.dispose();
  });

  it('are registered by name', () => {
    expect(models.get('bbn-resnet32').name).toBe('bbn-resnet32');
    expect(models.get('bbn-small-cnn').name).toBe('bbn-small-cnn');
  });
});
