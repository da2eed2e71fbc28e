import { describe, expect, it } from 'vitest';
import { from, lastValueFrom, toArray } from 'rxjs';
import { randomCropFlip } from '../../src/transforms/random-crop-flip.js';
import { liftTransform } from '../../src/transforms/batch-transform.js';
import { createRng } from '../../src/core/rng.js';
import type { HostBatch } from '../../src/core/host-batch.js';

const batch = (n: number, h = 3, w = 3, c = 1): HostBatch => ({
  x: Float32Array.from({ length: n * h * w * c }, (_, i) => i + 1),
  y: Int32Array.from({ length: n }, (_, i) => i % 3),
  index: Int32Array.from({ length: n }, (_, i) => 100 + i),
  shape: { height: h, width: w, channels: c },
});

describe('randomCropFlip', () => {
  it('is the identity with padding 0 and no flip', () => {
    const b = batch(2);
    const out = randomCropFlip({ padding: 0, flip: false, fill: [0] })(b, createRng(0));
    expect([...out.x]).toEqual([...b.x]);
  });

  it('keeps shapes, labels and indices, and does not mutate its input', () => {
    const b = batch(5);
    const copy = b.x.slice();
    const out = randomCropFlip({ padding: 1, flip: true, fill: [-9] })(b, createRng(1));
    expect(out.x.length).toBe(b.x.length);
    expect(out.y).toBe(b.y);
    expect(out.index).toBe(b.index);
    expect([...b.x]).toEqual([...copy]);
  });

  it('only shifts pixels (and fills with the fill value)', () => {
    const b = batch(50);
    const out = randomCropFlip({ padding: 1, flip: false, fill: [-9] })(b, createRng(2));
    for (let s = 0; s < 50; s++) {
      const img = out.x.subarray(s * 9, s * 9 + 9);
      const original = new Set(b.x.subarray(s * 9, s * 9 + 9));
      for (const v of img) expect(v === -9 || original.has(v)).toBe(true);
    }
  });

  it('flips a row exactly when it flips', () => {
    // With padding 0 the only change can be a left-right flip.
    const b = batch(40, 1, 3, 1);
    const out = randomCropFlip({ padding: 0, flip: true, fill: [0] })(b, createRng(3));
    let flips = 0;
    for (let s = 0; s < 40; s++) {
      const row = [...out.x.subarray(s * 3, s * 3 + 3)];
      const orig = [...b.x.subarray(s * 3, s * 3 + 3)];
      if (row.join() === orig.join()) continue;
      expect(row).toEqual([...orig].reverse());
      flips++;
    }
    expect(flips).toBeGreaterThan(5);
    expect(flips).toBeLessThan(35);
  });

  it('handles several channels per pixel', () => {
    const b = batch(1, 1, 2, 3);
    const out = randomCropFlip({ padding: 0, flip: true, fill: [0, 0, 0] })(b, createRng(5));
    const px = [...out.x];
    expect([px.slice(0, 3), px.slice(3)].sort()).toEqual([[1, 2, 3], [4, 5, 6]]);
  });

  it('is deterministic per seed when lifted into a stream, batch k using the k-th child Rng', async () => {
    const run = (seed: number) =>
      lastValueFrom(from([batch(4), batch(4)]).pipe(liftTransform(randomCropFlip({ padding: 1, flip: true, fill: [0] }), createRng(seed)), toArray()));
    const [a, b, c] = await Promise.all([run(1), run(1), run(2)]);
    expect(a.map((x) => [...x.x])).toEqual(b.map((x) => [...x.x]));
    expect(a.map((x) => [...x.x])).not.toEqual(c.map((x) => [...x.x]));
    expect([...a[0]!.x]).not.toEqual([...a[1]!.x]);
  });
});
