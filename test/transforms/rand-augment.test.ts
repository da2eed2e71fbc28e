import { describe, expect, it } from 'vitest';
import {
  RAND_AUGMENT_OPS,
  applyRandAugmentOp,
  randAugment,
  randAugmentDefaults,
  randAugmentMagnitude,
  type RandAugmentOp,
} from '../../src/transforms/rand-augment.js';
import type { SampleShape } from '../../src/core/host-batch.js';
import { expectClose } from '../helpers/expect-close.js';
import { expectUntouched, plain, seeded, tagged } from './fixtures.js';

const shape = (height: number, width: number, channels = 1): SampleShape => ({ height, width, channels });
const apply = (op: RandAugmentOp, values: number[], s: SampleShape, m: number): number[] => [...applyRandAugmentOp(op, Float64Array.from(values), s, m)];
const grid3 = [1, 2, 3, 4, 5, 6, 7, 8, 9].map((v) => v / 10);

describe('randAugmentMagnitude (torchvision _augmentation_space)', () => {
  it('gives bin 9 of 31 as in torchvision: shear 0.09, rotate 9°, colour ops 0.27, 7 bits, threshold 0.7', () => {
    const s = shape(32, 32, 3);
    expect(randAugmentMagnitude('ShearX', 9, 31, s)).toBeCloseTo(0.09, 12);
    expect(randAugmentMagnitude('Rotate', 9, 31, s)).toBeCloseTo(9, 12);
    expect(randAugmentMagnitude('Brightness', 9, 31, s)).toBeCloseTo(0.27, 12);
    expect(randAugmentMagnitude('TranslateX', 9, 31, s)).toBeCloseTo(((150 / 331) * 32 * 9) / 30, 12);
    expect(randAugmentMagnitude('Posterize', 9, 31, s)).toBe(7);
    expect(randAugmentMagnitude('Posterize', 30, 31, s)).toBe(4);
    expect(randAugmentMagnitude('Solarize', 9, 31, s)).toBeCloseTo(0.7, 12);
    expect(randAugmentMagnitude('Identity', 9, 31, s)).toBe(0);
    expect(() => randAugmentMagnitude('Rotate', 31, 31, s)).toThrow('randAugmentMagnitude: bin must be an integer in [0, 31), got 31');
  });
});

describe('applyRandAugmentOp', () => {
  it('Rotate by 90° turns a 3×3 grid counter-clockwise', () => {
    expectClose(apply('Rotate', grid3, shape(3, 3), 90), [3, 6, 9, 2, 5, 8, 1, 4, 7].map((v) => v / 10), 0);
  });

  it('TranslateX/Y by ±1 pixel shift with black fill (the magnitude is truncated)', () => {
    expect(apply('TranslateX', grid3, shape(3, 3), 1.9)).toEqual([0.2, 0.3, 0, 0.5, 0.6, 0, 0.8, 0.9, 0]);
    expect(apply('TranslateX', grid3, shape(3, 3), -1)).toEqual([0, 0.1, 0.2, 0, 0.4, 0.5, 0, 0.7, 0.8]);
    expect(apply('TranslateY', grid3, shape(3, 3), 1)).toEqual([0.4, 0.5, 0.6, 0.7, 0.8, 0.9, 0, 0, 0]);
  });

  it('ShearX maps output (x, y) to input (x + m·y, y) at pixel centres', () => {
    // m = 1: row r (centre y = r + ½) shifts by floor(c + ½ + r + ½) − c = r + 1 columns.
    expect(apply('ShearX', grid3, shape(3, 3), 1)).toEqual([0.2, 0.3, 0, 0.6, 0, 0, 0, 0, 0]);
    expect(apply('ShearY', grid3, shape(3, 3), 1)).toEqual([0.4, 0.8, 0, 0.7, 0, 0, 0, 0, 0]);
  });

  it('Brightness scales by 1 + m and clips; Contrast blends with the grey mean; Color with the grey image', () => {
    expectClose(apply('Brightness', [0.5, 0.9], shape(1, 2), 0.27), [0.635, 1], 1e-12);
    expectClose(apply('Contrast', [0.2, 0.6], shape(1, 2), 0.5), [0.1, 0.7], 1e-12);
    // One RGB pixel (1, 0, 0): grey 0.2989; factor 0.5 gives ½·(1, 0, 0) + ½·grey.
    expectClose(apply('Color', [1, 0, 0], shape(1, 1, 3), -0.5), [0.5 + 0.2989 / 2, 0.2989 / 2, 0.2989 / 2], 1e-12);
    expectClose(apply('Color', [0.3, 0.7], shape(1, 2), 0.9), [0.3, 0.7], 1e-12);
  });

  it('Sharpness blends interior pixels with the 3×3 smoothing and keeps the border', () => {
    const img = [0, 0, 0, 0, 1, 0, 0, 0, 0];
    // Smoothed centre = 5/13; factor 1 + m = 0 gives the smoothed image.
    expectClose(apply('Sharpness', img, shape(3, 3), -1), [0, 0, 0, 0, 5 / 13, 0, 0, 0, 0], 1e-12);
  });

  it('Posterize keeps the top bits of the 8-bit value; Solarize inverts at or above the threshold', () => {
    expectClose(apply('Posterize', [200 / 255, 15 / 255], shape(1, 2), 4), [192 / 255, 0], 1e-12);
    expectClose(apply('Solarize', [0.2, 0.7, 0.9], shape(1, 3), 0.7), [0.2, 0.3, 1 - 0.9], 1e-12);
  });

  it('AutoContrast stretches each channel to [0, 1] and leaves a flat channel alone', () => {
    expectClose(apply('AutoContrast', [0.2, 0.5, 0.4, 0.5, 0.6, 0.5], shape(1, 3, 2), 0), [0, 0.5, 0.5, 0.5, 1, 0.5], 1e-12);
  });

  it('Equalize spreads a histogram over the 256 levels (PIL algorithm)', () => {
    // Levels 0, 0, 128, 255 (N = 4, last non-empty bin 1 sample): step = ⌊3/255⌋ = 0 → unchanged.
    expectClose(apply('Equalize', [0, 0, 128 / 255, 1], shape(1, 4), 0), [0, 0, 128 / 255, 1], 1e-12);
    // 512 pixels half at level 10, half at 20: step = ⌊256/255⌋ = 1, lut[10] = 0, lut[20] = 256 → clipped 255.
    const img = Array.from({ length: 512 }, (_, i) => (i < 256 ? 10 : 20) / 255);
    const out = apply('Equalize', img, shape(16, 32), 0);
    expect(out[0]).toBe(0);
    expect(out[511]).toBe(1);
  });

  it('Identity returns a copy', () => {
    expect(apply('Identity', grid3, shape(3, 3), 0)).toEqual(grid3);
  });
});

describe('randAugment', () => {
  it('undoes and redoes the normalisation around the ops: Identity only leaves the batch unchanged', () => {
    const b = tagged(2, 3, 3, 2, [0, 1], 0.25);
    const scaled = { ...b, x: b.x.map((v) => (v % 1000) / 20 - 0.2) };
    const norm = { mean: [0.4, 0.6], std: [0.2, 0.3] };
    const out = randAugment({ ...randAugmentDefaults, ops: ['Identity'] }, norm)(scaled, seeded(0));
    expectClose(out.x, scaled.x, 1e-6);
  });

  it('keeps labels, indices and shape; never mutates its input; is a function of the Rng', () => {
    const b = { ...tagged(4, 6, 6, 3), x: Float32Array.from({ length: 4 * 108 }, (_, i) => Math.sin(i)) };
    const norm = { mean: [0.5, 0.5, 0.5], std: [0.25, 0.25, 0.25] };
    const f = randAugment(randAugmentDefaults, norm);
    const out = expectUntouched([b], () => f(b, seeded(1)));
    expect(out.y).toBe(b.y);
    expect(out.index).toBe(b.index);
    expect(out.x).toHaveLength(b.x.length);
    expect(plain(f(b, seeded(1)))).toEqual(plain(out));
    expect(plain(f(b, seeded(2)))).not.toEqual(plain(out));
    // Every output pixel is a valid normalised pixel: (p − 0.5)/0.25 with p in [0, 1].
    expect(out.x.every((v) => v >= -2 - 1e-6 && v <= 2 + 1e-6)).toBe(true);
  });

  it('uses every op of the list over many draws, and none outside a restricted list', () => {
    const b = { ...tagged(1, 16, 16, 3), x: Float32Array.from({ length: 768 }, (_, i) => ((i * 37) % 100) / 100) };
    const seen = new Set<string>();
    for (let s = 0; s < 400; s++) seen.add(JSON.stringify([...randAugment({ ...randAugmentDefaults, numOps: 1 })(b, seeded(s)).x]));
    // 14 ops, 9 of them signed: at most 23 distinct results, nearly all of which must appear in 400 draws.
    expect(seen.size).toBeGreaterThanOrEqual(20);
    expect(seen.size).toBeLessThanOrEqual(23);
    expect(RAND_AUGMENT_OPS).toHaveLength(14);
    const bright = randAugment({ ...randAugmentDefaults, numOps: 1, ops: ['Brightness'] })(b, seeded(3));
    const ratio = bright.x[7]! / b.x[7]!;
    expect([1.27, 0.73].some((r) => Math.abs(ratio - r) < 1e-5)).toBe(true);
  });

  it('refuses a magnitude outside the bins and a normalisation of another channel count', () => {
    expect(() => randAugment({ ...randAugmentDefaults, magnitude: 31 })).toThrow('randAugment: magnitude must be an integer in [0, 31), got 31');
    expect(() => randAugment(randAugmentDefaults, { mean: [0.5], std: [0.2] })(tagged(1, 2, 2, 3), seeded(0))).toThrow(
      'randAugment: the normalisation has 1 means and 1 stds for 3 channels',
    );
  });
});
