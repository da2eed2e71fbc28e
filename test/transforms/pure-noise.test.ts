import { describe, expect, it } from 'vitest';
import { pureNoise, pureNoiseDefaults, pureNoiseRates, type PureNoiseConfig } from '../../src/transforms/pure-noise.js';
import type { TransformSetup } from '../../src/transforms/transform-spec.js';
import { expectUntouched, plain, seeded, tagged } from './fixtures.js';

const always = (config: Partial<PureNoiseConfig> = {}): PureNoiseConfig => ({ ...pureNoiseDefaults, startEpoch: 0, ...config });
const grey: TransformSetup['normalization'] = { mean: [0.5], std: [0.25] };

describe('pureNoiseRates', () => {
  it('is δ·(1 − n_y/n_max): 0 for the largest class, δ for an empty one', () => {
    expect(pureNoiseRates(0.3, [100, 50, 10, 0])).toEqual([0, 0.15, 0.3 * 0.9, 0.3]);
  });
});

describe('pureNoise', () => {
  it('replaces samples at the rate δ·(1 − n_y/n_max) of their class, never the largest class', () => {
    const counts = [100, 60, 20, 5];
    const setup = { classCounts: counts, normalization: grey };
    const labels = Array.from({ length: 400 }, (_, i) => i % 4);
    const b = tagged(400, 1, 1, 1, labels);
    const hits = [0, 0, 0, 0];
    const runs = 40;
    for (let s = 0; s < runs; s++) {
      const out = pureNoise(always(), setup)(b, seeded(s));
      out.noise!.forEach((m, i) => (hits[labels[i]!]! += m));
    }
    const expected = pureNoiseRates(1 / 3, counts);
    expect(hits[0]).toBe(0);
    hits.forEach((h, k) => {
      const n = runs * 100;
      const p = expected[k]!;
      expect(Math.abs(h / n - p)).toBeLessThanOrEqual(6 * Math.sqrt((p * (1 - p)) / n) + 1e-12);
    });
  });

  it('keeps the label, marks exactly the replaced samples, and leaves the others bit for bit', () => {
    const setup = { classCounts: [10, 1], normalization: grey };
    const b = tagged(50, 3, 3, 1, Array.from({ length: 50 }, (_, i) => i % 2));
    const out = pureNoise(always({ delta: 1 }), setup)(b, seeded(7));
    expect(out.y).toBe(b.y);
    let replaced = 0;
    for (let i = 0; i < 50; i++) {
      const same = [...out.x.subarray(i * 9, i * 9 + 9)].join() === [...b.x.subarray(i * 9, i * 9 + 9)].join();
      expect(out.noise![i]).toBe(same ? 0 : 1);
      if (b.y[i] === 0) expect(out.noise![i]).toBe(0);
      replaced += out.noise![i]!;
    }
    expect(replaced).toBeGreaterThan(15);
  });

  it('draws noise N(μ_c, σ_c) in pixel space and normalises it like the data', () => {
    const normalization = { mean: [0.4, 0.5, 0.6], std: [0.2, 0.25, 0.3] };
    const config = always({ delta: 1, noiseMean: [0.2, 0.5, 0.8], noiseStd: [0.1, 0.2, 0.05], clip: false });
    // Class 0 is empty in the counts, so its rate is δ = 1: every sample is replaced.
    const out = pureNoise(config, { classCounts: [0, 10], normalization })(tagged(20, 16, 16, 3, new Array(20).fill(0)), seeded(1));
    expect([...out.noise!].every((m) => m === 1)).toBe(true);
    for (let c = 0; c < 3; c++) {
      const vs = out.x.filter((_, i) => i % 3 === c);
      const mean = vs.reduce((s, v) => s + v, 0) / vs.length;
      const std = Math.sqrt(vs.reduce((s, v) => s + (v - mean) ** 2, 0) / vs.length);
      const m = normalization.mean[c]!;
      const s = normalization.std[c]!;
      // Five standard errors of the mean of vs.length draws with std σ_c/s (the first tolerance was 2σ at best and flaked).
      expect(Math.abs(mean - (config.noiseMean![c]! - m) / s)).toBeLessThan((5 * (config.noiseStd![c]! / s)) / Math.sqrt(vs.length));
      expect(Math.abs(std / (config.noiseStd![c]! / s) - 1)).toBeLessThan(0.05);
    }
  });

  it('clips noise pixels to [0, 1] before normalising, defaulting to the data statistics', () => {
    const normalization = { mean: [0.5], std: [0.4] };
    const out = pureNoise(always({ delta: 1 }), { classCounts: [0, 1], normalization })(tagged(10, 8, 8, 1, new Array(10).fill(0)), seeded(2));
    const lo = -0.5 / 0.4;
    const hi = 0.5 / 0.4;
    expect(Math.min(...out.x)).toBeCloseTo(lo, 6);
    expect(Math.max(...out.x)).toBeCloseTo(hi, 6);
    expect(out.x.filter((v) => Math.abs(v - lo) < 1e-6).length).toBeGreaterThan(10);
  });

  it('is off before startEpoch, needs the epoch when startEpoch > 0, and keeps marks already on the batch', () => {
    const setup = { classCounts: [0, 1], normalization: grey };
    const b = { ...tagged(4, 2, 2, 1, [1, 1, 1, 1]), noise: Uint8Array.of(0, 1, 0, 0) };
    const noise = pureNoise({ ...pureNoiseDefaults, delta: 1 }, setup);
    expect(noise(b, seeded(0), { epoch: 159, epochs: 200 })).toBe(b);
    expect(() => noise(b, seeded(0))).toThrow('pureNoise: needs the epoch (ctx)');
    const out = noise(b, seeded(0), { epoch: 160, epochs: 200 });
    // Class 1 is the largest class: nothing new is replaced, the old mark stays.
    expect([...out.noise!]).toEqual([0, 1, 0, 0]);
    expect(out.x).toBe(b.x);
  });

  it('never mutates its input, is a function of the Rng, and refuses labels outside the counts or mismatched channels', () => {
    const setup = { classCounts: [5, 1], normalization: grey };
    const b = tagged(30, 2, 2, 1, new Array(30).fill(1));
    const f = pureNoise(always({ delta: 1 }), setup);
    const out = expectUntouched([b], () => f(b, seeded(3)));
    expect(plain(f(b, seeded(3)))).toEqual(plain(out));
    expect(plain(f(b, seeded(4)))).not.toEqual(plain(out));
    expect(() => f(tagged(1, 2, 2, 1, [2]), seeded(0))).toThrow('pureNoise: label 2 is outside the 2 classes of the counts');
    expect(() => f(tagged(1, 2, 2, 3, [0]), seeded(0))).toThrow('pureNoise: the batch has 3 channels, the statistics 1');
    expect(() => pureNoise(always({ noiseMean: [0.1, 0.2] }), setup)).toThrow('pureNoise: normalisation and noise statistics must all have one value per channel (1)');
  });
});
