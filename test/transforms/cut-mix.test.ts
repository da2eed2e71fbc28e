import { describe, expect, it } from 'vitest';
import { cutMix, cutMixDefaults } from '../../src/transforms/cut-mix.js';
import { boxArea, cutMixBox } from '../../src/transforms/internal.js';
import { type Draws } from '../../src/core/rng.js';
import type { HostBatch } from '../../src/core/host-batch.js';
import { expectUntouched, plain, seeded, tagged } from './fixtures.js';

/** Draws whose integers are scripted (for golden boxes). */
const scripted = (ints: number[]): Draws => ({ int: () => ints.shift()! }) as unknown as Draws;

/** For each sample, the pixels (h, w) whose floats came from another sample, and that sample. */
const pastedPixels = (out: HostBatch, i: number): { pixels: Array<[number, number]>; from: Set<number> } => {
  const { height: H, width: W, channels: C } = out.shape;
  const per = H * W * C;
  const pixels: Array<[number, number]> = [];
  const fromRows = new Set<number>();
  for (let r = 0; r < H; r++) {
    for (let c = 0; c < W; c++) {
      const v = out.x[i * per + (r * W + c) * C]!;
      const row = Math.floor(v / 1000);
      if (row !== i) {
        pixels.push([r, c]);
        fromRows.add(row);
      }
    }
  }
  return { pixels, from: fromRows };
};

describe('cutMixBox (rand_bbox)', () => {
  it('cuts ⌊H·√(1−λ)⌋ × ⌊W·√(1−λ)⌋ around the centre: λ = 0.75 on 8×8 centred at (3, 5) is rows [1, 5) × columns [3, 7)', () => {
    const box = cutMixBox(scripted([3, 5]), 8, 8, 0.75);
    expect(box).toEqual({ top: 1, bottom: 5, left: 3, right: 7 });
    expect(boxArea(box)).toBe(16);
  });

  it('clips at the border, so the area (and the recomputed λ) shrinks: centre (0, 7) gives rows [0, 2) × columns [5, 8)', () => {
    const box = cutMixBox(scripted([0, 7]), 8, 8, 0.75);
    expect(box).toEqual({ top: 0, bottom: 2, left: 5, right: 8 });
    expect(boxArea(box)).toBe(6);
  });

  it('uses half-widths ⌊cut/2⌋ on both sides, as the official code does (an odd cut loses a pixel)', () => {
    // λ = 1 − (5/8)² → cut = 5 → half = 2 → box of 4 × 4.
    const box = cutMixBox(scripted([4, 4]), 8, 8, 1 - (5 / 8) ** 2);
    expect(box).toEqual({ top: 2, bottom: 6, left: 2, right: 6 });
  });

  it('handles non-square images with the rows cut from H and the columns from W', () => {
    const box = cutMixBox(scripted([2, 5]), 4, 10, 0.75);
    // cut = ⌊4·0.5⌋ = 2 rows and ⌊10·0.5⌋ = 5 columns → half-widths 1 and 2.
    expect(box).toEqual({ top: 1, bottom: 3, left: 3, right: 7 });
  });
});

describe('cutMix', () => {
  const always = { beta: 1, probability: 1 };

  it('pastes one box from the partner into every sample, of exactly (1 − λ)·H·W pixels', () => {
    let checked = 0;
    for (let seed = 0; seed < 40; seed++) {
      const b = tagged(5, 6, 7, 3);
      const out = cutMix(always)(b, seeded(seed));
      const lambda = out.mix!.lambda[0]!;
      let boxPixels: string | undefined;
      for (let i = 0; i < 5; i++) {
        const partner = out.mix!.y[i]!;
        if (partner === i) continue;
        const { pixels, from } = pastedPixels(out, i);
        expect(pixels.length).toBe(Math.round((1 - lambda) * 6 * 7));
        expect(Math.abs((1 - lambda) * 42 - pixels.length)).toBeLessThan(1e-4);
        if (pixels.length > 0) expect([...from]).toEqual([partner]);
        // The same box for every sample, and it is a rectangle.
        const key = JSON.stringify(pixels);
        boxPixels ??= key;
        expect(key).toBe(boxPixels);
        if (pixels.length > 0) {
          const rows = new Set(pixels.map(([r]) => r));
          const cols = new Set(pixels.map(([, c]) => c));
          expect(rows.size * cols.size).toBe(pixels.length);
        }
        checked++;
      }
      // Every channel of a pasted pixel comes from the partner, at the same position.
      let stray = 0;
      for (let i = 0; i < 5; i++) {
        const p = out.mix!.y[i]!;
        for (let f = 0; f < 6 * 7 * 3; f++) {
          const v = out.x[i * 126 + f]!;
          if (!(v === b.x[i * 126 + f] || v === b.x[p * 126 + f])) stray++;
        }
      }
      expect(stray).toBe(0);
    }
    expect(checked).toBeGreaterThan(100);
  });

  it('returns the batch unchanged, without mixed targets, with probability 1 − p', () => {
    const b = tagged(4, 4, 4);
    expect(cutMix({ beta: 1, probability: 0 })(b, seeded(1))).toBe(b);
    expect(cutMix({ beta: 0, probability: 1 })(b, seeded(1))).toBe(b);
    let mixed = 0;
    for (let s = 0; s < 1000; s++) if (cutMix(cutMixDefaults)(b, seeded(s)).mix !== undefined) mixed++;
    // Binomial(1000, 0.5): 6 std ≈ 95.
    expect(Math.abs(mixed - 500)).toBeLessThan(95);
  });

  it('never mutates its input and is a function of the Rng', () => {
    const b = tagged(6, 5, 5, 2);
    const out = expectUntouched([b], () => cutMix(always)(b, seeded(9)));
    expect(plain(cutMix(always)(b, seeded(9)))).toEqual(plain(out));
    const outs = new Set([1, 2, 3, 4].map((s) => JSON.stringify(plain(cutMix(always)(b, seeded(s))))));
    expect(outs.size).toBeGreaterThan(1);
  });

  it('refuses a mixed batch and out-of-range parameters', () => {
    const mixed = cutMix(always)(tagged(2, 4, 4), seeded(0));
    expect(() => cutMix(always)(mixed, seeded(0))).toThrow('cutMix: the batch already carries mixed targets');
    expect(() => cutMix({ beta: 1, probability: 2 })).toThrow('cutMix: probability must be in [0, 1], got 2');
    expect(() => cutMix(always)({ ...tagged(2, 4, 4), y: Int32Array.of(0) }, seeded(0))).toThrow('cutMix: x has 32 floats, expected 1 × 16');
  });
});
