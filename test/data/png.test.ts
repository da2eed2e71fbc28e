/**
 * The synchronous PNG decoder against PNGs written by sharp (libpng), and against bad bytes: a clear
 * Left, never a throw, never an allocation sized by a hostile header.
 */
import { describe, expect, it } from 'vitest';
import fc from 'fast-check';
import * as E from 'fp-ts/lib/Either.js';
import { deflateSync } from 'node:zlib';
import { crc32, decodePng } from '../../src/data/png.js';
import { encodePng, loadSharp } from '../../src/data/sharp-codec.js';

const pixelsOf = (h: number, w: number, c: number, k = 0): Uint8Array => Uint8Array.from({ length: h * w * c }, (_, p) => (p * 13 + k * 7 + ((p / w) | 0) * 3) % 256);

/** A PNG chunk with its length and CRC. */
const chunk = (type: string, data: Uint8Array): Uint8Array => {
  const out = new Uint8Array(12 + data.length);
  const view = new DataView(out.buffer);
  view.setUint32(0, data.length);
  out.set(new TextEncoder().encode(type), 4);
  out.set(data, 8);
  view.setUint32(8 + data.length, crc32(out.subarray(4, 8 + data.length)));
  return out;
};
const png = (width: number, height: number, colorType: number, raw: Uint8Array, depth = 8): Uint8Array => {
  const ihdr = new Uint8Array(13);
  const v = new DataView(ihdr.buffer);
  v.setUint32(0, width);
  v.setUint32(4, height);
  ihdr[8] = depth;
  ihdr[9] = colorType;
  const parts = [Uint8Array.of(0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a), chunk('IHDR', ihdr), chunk('IDAT', deflateSync(raw)), chunk('IEND', new Uint8Array(0))];
  return Buffer.concat(parts);
};

describe('decodePng', () => {
  it('decodes what sharp writes (grey, RGB, RGBA) to the exact pixels', async () => {
    for (const [h, w, c] of [
      [28, 28, 1],
      [9, 13, 3],
      [5, 4, 4],
      [1, 1, 1],
    ] as const) {
      for (const level of [0, 6, 9]) {
        const px = pixelsOf(h, w, c, level);
        const r = decodePng(await encodePng(px, { height: h, width: w, channels: c }, level));
        expect(r).toEqual(E.right({ height: h, width: w, channels: c, pixels: px }));
      }
    }
  });

  it('decodes 16-bit, grey+alpha and palette PNGs written by sharp', async () => {
    const sharp = await loadSharp();
    const px = pixelsOf(6, 5, 3);
    const deep = await sharp(px, { raw: { width: 5, height: 6, channels: 3 } }).toColourspace('rgb16').png().toBuffer();
    expect(decodePng(deep)).toEqual(E.right({ height: 6, width: 5, channels: 3, pixels: px }));
    const ga = pixelsOf(4, 4, 2);
    const greyAlpha = await sharp(ga, { raw: { width: 4, height: 4, channels: 2 } }).toColourspace('b-w').png().toBuffer();
    expect(decodePng(greyAlpha)).toEqual(E.right({ height: 4, width: 4, channels: 2, pixels: ga }));
    const flat = new Uint8Array(8 * 8 * 3).map((_, i) => [10, 200, 30][i % 3]!);
    const paletted = await sharp(flat, { raw: { width: 8, height: 8, channels: 3 } }).png({ palette: true }).toBuffer();
    expect(paletted[25]).toBe(3); // colour type 3
    expect(decodePng(paletted)).toEqual(E.right({ height: 8, width: 8, channels: 3, pixels: flat }));
  });

  it('undoes every filter type', () => {
    // Rows filtered by hand with types 0–4 over a 3×2 RGB image: the decoder must invert each.
    const w = 2;
    const bpp = 3;
    const rows = [Uint8Array.of(10, 20, 30, 40, 50, 60), Uint8Array.of(15, 25, 35, 45, 55, 65), Uint8Array.of(200, 1, 2, 3, 250, 9), Uint8Array.of(7, 7, 7, 8, 8, 8), Uint8Array.of(90, 80, 70, 60, 50, 40)];
    const paeth = (a: number, b: number, c: number) => {
      const p = a + b - c;
      const [pa, pb, pc] = [Math.abs(p - a), Math.abs(p - b), Math.abs(p - c)];
      return pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
    };
    const raw: number[] = [];
    rows.forEach((row, y) => {
      const filter = y;
      raw.push(filter);
      for (let i = 0; i < w * bpp; i++) {
        const a = i >= bpp ? row[i - bpp]! : 0;
        const b = y > 0 ? rows[y - 1]![i]! : 0;
        const c = y > 0 && i >= bpp ? rows[y - 1]![i - bpp]! : 0;
        const pred = [0, a, b, (a + b) >> 1, paeth(a, b, c)][filter]!;
        raw.push((row[i]! - pred) & 0xff);
      }
    });
    const r = decodePng(png(w, rows.length, 2, Uint8Array.from(raw)));
    expect(r).toEqual(E.right({ height: rows.length, width: w, channels: 3, pixels: new Uint8Array(Buffer.concat(rows)) }));
  });

  it('refuses bad input with a sentence fragment: signature, CRC, truncation, interlace, huge headers', () => {
    const good = png(2, 2, 0, Uint8Array.of(0, 1, 2, 0, 3, 4));
    expect(decodePng(good)).toEqual(E.right({ height: 2, width: 2, channels: 1, pixels: Uint8Array.of(1, 2, 3, 4) }));
    expect(decodePng(new Uint8Array(4))).toEqual(E.left('not a PNG (bad signature)'));
    const flipped = new Uint8Array(good);
    flipped[20] = flipped[20]! ^ 1;
    expect(decodePng(flipped)).toEqual(E.left("PNG chunk 'IHDR' at byte 8 fails its CRC"));
    expect(decodePng(good.subarray(0, good.length - 12))).toEqual(E.left('truncated PNG (no IEND chunk)'));
    expect(decodePng(good.subarray(0, 40))).toMatchObject({ _tag: 'Left' });
    // A 100000×100000 header over a few bytes of data: refused before inflating.
    expect(decodePng(png(100_000, 100_000, 0, Uint8Array.of(0, 1)))).toEqual(E.left('PNG of 100000×100000 pixels exceeds the limit of 67108864 pixels'));
    expect(decodePng(png(4000, 4000, 0, Uint8Array.of(0, 1)))).toEqual(E.left(`PNG declares 4000×4000 pixels but holds only ${deflateSync(Uint8Array.of(0, 1)).length} bytes of image data`));
    // A deflate bomb that inflates past the declared size stops at the declared size.
    const bomb = png(10, 10, 0, new Uint8Array(1_000_000));
    expect(decodePng(bomb)).toMatchObject({ _tag: 'Left', left: expect.stringMatching(/^corrupt PNG image data/) });
    const interlaced = new Uint8Array(good);
    interlaced[28] = 1;
    new DataView(interlaced.buffer).setUint32(29, crc32(interlaced.subarray(12, 29)));
    expect(decodePng(interlaced)).toEqual(E.left('interlaced PNG is not supported by the synchronous decoder'));
  });

  it('random bytes, truncations and bit flips never throw', async () => {
    const base = await encodePng(pixelsOf(7, 7, 3), { height: 7, width: 7, channels: 3 });
    fc.assert(
      fc.property(fc.oneof(fc.uint8Array({ maxLength: 300 }), fc.nat(base.length).map((n) => base.subarray(0, n)), fc.tuple(fc.nat(base.length - 1), fc.integer({ min: 1, max: 255 })).map(([i, x]) => {
        const b = new Uint8Array(base);
        b[i] = b[i]! ^ x;
        return b;
      })), (bytes) => {
        const r = decodePng(bytes);
        if (E.isRight(r)) expect(r.right.pixels.length).toBe(r.right.height * r.right.width * r.right.channels);
      }),
      { numRuns: 400 },
    );
  });
});
