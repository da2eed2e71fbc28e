import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { createDarSmallCnn } from '../../src/models/dar-small-cnn.js';
import { isNoiseRoutedModel } from '../../src/models/dar-resnet.js';
import { models } from '../../src/models/registry.js';
import { createRng, draw } from '../../src/core/rng.js';

const spec = { shape: { height: 8, width: 8, channels: 1 }, numClasses: 3 };
const images = draw(createRng(4), (d) => Float32Array.from({ length: 4 * 64 }, () => d.normal()))[0];
const rows = (picked: readonly number[]) => tf.tensor4d(Float32Array.from(picked.flatMap((r) => [...images.slice(r * 64, (r + 1) * 64)])), [picked.length, 8, 8, 1]);
const stats = (m: { variables: { state: ReadonlyMap<string, tf.Variable> } }) => [...m.variables.state.values()].flatMap((v) => Array.from(v.dataSync()));

describe('createDarSmallCnn', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it('routes noise rows apart: natural rows train exactly as a batch of the natural rows alone, and only they move the running statistics', () => {
    const routed = createDarSmallCnn(spec, createRng(1));
    const alone = createDarSmallCnn(spec, createRng(1));
    const before = stats(routed);
    const [withNoise, naturalOnly] = tf.tidy(() => [
      Array.from(routed.forwardRouted(rows([0, 1, 2, 3]), [0, 1, 0, 1], { training: true }).logits.dataSync()),
      Array.from(alone.forward(rows([0, 2]), { training: true }).logits.dataSync()),
    ]);
    // Rows 0 and 2 of the routed batch (3 logits each) against rows 0 and 1 of the natural-only batch.
    [...withNoise.slice(0, 3), ...withNoise.slice(6, 9)].forEach((v, i) => expect(v).toBeCloseTo(naturalOnly[i]!, 4));
    stats(routed).forEach((v, i) => expect(v).toBeCloseTo(stats(alone)[i]!, 5));
    expect(stats(routed)).not.toEqual(before);
    routed.dispose();
    alone.dispose();
  });

  it('is registered as a noise-routed model (a run trains it with the DAR-BN step)', () => {
    const entry = models.get('dar-small-cnn');
    expect(entry.noiseRouted).toBe(true);
    const m = entry.create(spec, createRng(0));
    expect(isNoiseRoutedModel(m)).toBe(true);
    expect(m.variables.trainable.has('fc2/bias')).toBe(true);
    m.dispose();
    const cosine = entry.create({ ...spec, head: 'cosine' }, createRng(0));
    expect(cosine.variables.trainable.has('fc2/bias')).toBe(false);
    cosine.dispose();
  });
});
