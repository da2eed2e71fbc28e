import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { openSetNoise } from '../../src/transforms/open-set-noise.js';
import { expectUntouched, tagged } from './fixtures.js';

describe('openSetNoise', () => {
  const setup = { normalization: { mean: [0.2, 0.5], std: [0.1, 0.3] } };

  it('replaces every pixel by clipped N(μ_c, σ_c) noise stored normalised, keeping labels and indices, without marks', () => {
    const batch = tagged(64, 8, 8, 2, Array.from({ length: 64 }, (_, i) => i % 3));
    const out = expectUntouched([batch], () => openSetNoise(setup)(batch, createRng(3)));
    expect([...out.y]).toEqual([...batch.y]);
    expect([...out.index]).toEqual([...batch.index]);
    expect(out.noise).toBeUndefined();
    expect(out.x).toHaveLength(batch.x.length);
    for (let c = 0; c < 2; c++) {
      const { mean, std } = { mean: setup.normalization.mean[c]!, std: setup.normalization.std[c]! };
      // Back to pixel space: every value lies in [0, 1] (the clip), and the sample mean is μ_c up to
      // the clip's shift (small: 0 is 2σ below μ for channel 0, 1.67σ for channel 1) and sampling noise.
      const pixels = Array.from({ length: out.x.length / 2 }, (_, k) => out.x[2 * k + c]! * std + mean);
      expect(Math.min(...pixels)).toBeGreaterThanOrEqual(-1e-6);
      expect(Math.max(...pixels)).toBeLessThanOrEqual(1 + 1e-6);
      const m = pixels.reduce((s, v) => s + v, 0) / pixels.length;
      const sd = Math.sqrt(pixels.reduce((s, v) => s + (v - m) ** 2, 0) / pixels.length);
      expect(Math.abs(m - mean)).toBeLessThan(0.03);
      expect(sd).toBeGreaterThan(0.8 * std);
      expect(sd).toBeLessThan(1.05 * std);
    }
  });

  it('is a function of the Rng, and refuses a batch with other channels', () => {
    const batch = tagged(4, 3, 3, 2);
    expect([...openSetNoise(setup)(batch, createRng(1)).x]).toEqual([...openSetNoise(setup)(batch, createRng(1)).x]);
    expect([...openSetNoise(setup)(batch, createRng(1)).x]).not.toEqual([...openSetNoise(setup)(batch, createRng(2)).x]);
    expect(() => openSetNoise(setup)(tagged(2, 3, 3, 1), createRng(1))).toThrow('openSetNoise: the batch has 1 channels, the normalisation 2');
  });
});
