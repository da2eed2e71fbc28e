import { beforeAll, describe, expect, it } from 'vitest';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { createModel, featureDimension } from '../../src/models/create-model.js';
import { simplexEtfPrototypes } from '../../src/models/fixed-prototypes.js';
import { models } from '../../src/models/registry.js';
import { createRng, draw } from '../../src/core/rng.js';

const spec = { shape: { height: 28, width: 28, channels: 1 }, numClasses: 10 };
const x = () => tf.tensor4d(draw(createRng(5), (d) => Float32Array.from({ length: 3 * 784 }, () => d.uniform()))[0], [3, 28, 28, 1]);

describe('createModel', () => {
  beforeAll(async () => {
    await initBackend('wasm');
  });

  it("head 'prototypes': the cosine-head model's features, logits cos(f, w_j) to the simplex ETF (computed in float64)", () => {
    const small = models.get('small-cnn');
    const anchored = createModel(small, { ...spec, head: 'prototypes' }, createRng(3));
    const cosine = small.create({ ...spec, head: 'cosine' }, createRng(3));
    expect(featureDimension(cosine, spec)).toBe(128);
    const [a, c] = tf.tidy(() => {
      const out = anchored.forward(x(), { training: false });
      return [
        { logits: Array.from(out.logits.dataSync()), features: Array.from(out.features.dataSync()) },
        { features: Array.from(cosine.forward(x(), { training: false }).features.dataSync()) },
      ];
    });
    expect(a.features).toEqual(c.features);
    const p = simplexEtfPrototypes(10, 128);
    for (let i = 0; i < 3; i++) {
      const f = a.features.slice(i * 128, (i + 1) * 128);
      const norm = Math.hypot(...f);
      for (let j = 0; j < 10; j++) {
        let dot = 0;
        let pn = 0;
        for (let d = 0; d < 128; d++) {
          dot += f[d]! * p[d * 10 + j]!;
          pn += p[d * 10 + j]! ** 2;
        }
        expect(a.logits[i * 10 + j]).toBeCloseTo(dot / (norm * Math.sqrt(pn)), 5);
      }
    }
    anchored.dispose();
    cosine.dispose();
  });

  it('passes the other heads through, and refuses more classes than the features can anchor', () => {
    const m = createModel(models.get('small-cnn'), { ...spec, head: 'linear' }, createRng(0));
    expect(m.variables.trainable.has('fc2/bias')).toBe(true);
    m.dispose();
    expect(() => createModel(models.get('small-cnn'), { ...spec, numClasses: 130, head: 'prototypes' }, createRng(0))).toThrow(
      'simplexEtfPrototypes: 130 classes need at least 129 feature dimensions, got 128',
    );
  });
});
