import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { createDarResNet, isNoiseRoutedModel, withNoiseRouting } from '../../src/models/dar-resnet.js';
import { createResNetCifar } from '../../src/models/resnet32.js';
import { models } from '../../src/models/registry.js';
import { createRng, draw } from '../../src/core/rng.js';

const spec = { shape: { height: 8, width: 8, channels: 3 }, numClasses: 3 };
const x = () => tf.tensor4d(draw(createRng(9), (d) => Float32Array.from({ length: 4 * 192 }, () => d.normal()))[0], [4, 8, 8, 3]);
const stats = (m: { variables: { state: ReadonlyMap<string, tf.Variable> } }) => [...m.variables.state.values()].flatMap((v) => Array.from(v.dataSync()));

describe('createDarResNet', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('without noise marks is ResNet-32: same variables from the same seed, same outputs, same statistics', () => {
    const dar = createDarResNet(spec, createRng(2), 1);
    const plain = createResNetCifar(spec, createRng(2), 1);
    expect([...dar.variables.trainable.keys()]).toEqual([...plain.variables.trainable.keys()]);
    tf.tidy(() => {
      for (const training of [true, false]) {
        expect(Array.from(dar.forward(x(), { training }).logits.dataSync())).toEqual(Array.from(plain.forward(x(), { training }).logits.dataSync()));
      }
    });
    expect(stats(dar)).toEqual(stats(plain));
    dar.dispose();
    plain.dispose();
  });

  it('routing noise samples changes training outputs and statistics, not inference', () => {
    const routed = createDarResNet(spec, createRng(3), 1);
    const plain = createDarResNet(spec, createRng(3), 1);
    tf.tidy(() => {
      const a = routed.forwardRouted(x(), [0, 1, 0, 0], { training: true }).logits.dataSync();
      const b = plain.forwardRouted(x(), undefined, { training: true }).logits.dataSync();
      expect(Array.from(a)).not.toEqual(Array.from(b));
      expect(Array.from(routed.forwardRouted(x(), [0, 1, 0, 0], { training: false }).logits.dataSync())).toEqual(
        Array.from(routed.forward(x(), { training: false }).logits.dataSync()),
      );
    });
    expect(stats(routed)).not.toEqual(stats(plain));
    routed.dispose();
    plain.dispose();
  });

  it('withNoiseRouting gives a plain model view with the marks bound', () => {
    const dar = createDarResNet(spec, createRng(4), 1);
    expect(isNoiseRoutedModel(dar)).toBe(true);
    const view = withNoiseRouting(dar, [1, 0, 0, 0]);
    expect(isNoiseRoutedModel(view)).toBe(false);
    expect(view.variables).toBe(dar.variables);
    tf.tidy(() => {
      expect(Array.from(view.forward(x(), { training: false }).logits.dataSync())).toEqual(Array.from(dar.forward(x(), { training: false }).logits.dataSync()));
    });
    dar.dispose();
  });

  it('is registered by name', () => {
    expect(models.get('dar-resnet32').name).toBe('dar-resnet32');
  });
});
