/**
 * Image bytes ⇄ pixels with sharp (libvips): PNG/JPEG/WebP decoding to 8-bit HWC pixels and PNG
 * encoding, both run by libvips on libuv's thread pool, never on the main thread.
 *
 * Intuition: sharp is loaded on first use, so the rest of `data` works where its native package is
 * missing; a missing sharp is a `UserError` ('missing-package') saying how to install it. Every image
 * is refused past `maxPixels` before it is decoded (sharp reads the size from the header first), so a
 * small file claiming a huge image cannot make the decoder allocate for it.
 */
import { UserError } from '../core/errors.js';
import type { SampleShape } from '../core/host-batch.js';

type SharpModule = typeof import('sharp');
type SharpFactory = SharpModule extends { default: infer F } ? F : never;

let loading: Promise<SharpFactory> | undefined;

/** sharp, loaded once. */
export const loadSharp = (): Promise<SharpFactory> => {
  loading ??= import('sharp').then(
    (m) => (m as unknown as { default: SharpFactory }).default,
    () => {
      loading = undefined;
      throw new UserError('missing-package', 'Decoding and encoding images needs the package sharp, which is not installed (npm install sharp).');
    },
  );
  return loading;
};

/** Default ceiling on the pixels of one image (8192 × 8192). */
export const MAX_IMAGE_PIXELS = 8192 * 8192;

/** Decoded pixels: 8-bit, HWC. */
export interface DecodedPixels {
  readonly pixels: Uint8Array;
  readonly shape: SampleShape;
}

/**
 * Decodes PNG, JPEG, WebP, … bytes to 8-bit pixels with `channels` channels (1 grey, 3 RGB, 4 RGBA;
 * colour is converted, alpha added or dropped). Rejects with sharp's reason (unsupported format,
 * truncated data, more than `maxPixels` pixels); the caller adds where the bytes came from.
 */
export const decodeImageBytes = async (bytes: Uint8Array, channels: 1 | 3 | 4, maxPixels = MAX_IMAGE_PIXELS): Promise<DecodedPixels> => {
  const sharp = await loadSharp();
  let image = sharp(bytes, { failOn: 'error', limitInputPixels: maxPixels }).toColourspace(channels === 1 ? 'b-w' : 'srgb');
  image = channels === 4 ? image.ensureAlpha() : image.removeAlpha();
  const { data, info } = await image.raw({ depth: 'uchar' }).toBuffer({ resolveWithObject: true });
  if (info.channels !== channels) throw new Error(`decoded to ${info.channels} channels, expected ${channels}`);
  return { pixels: new Uint8Array(data.buffer, data.byteOffset, data.length), shape: { height: info.height, width: info.width, channels } };
};

/** PNG bytes of 8-bit HWC pixels (1 channel: greyscale PNG; 3: RGB; 4: RGBA). */
export const encodePng = async (pixels: Uint8Array, shape: SampleShape, compressionLevel = 6): Promise<Uint8Array> => {
  const { height, width, channels } = shape;
  if (pixels.length !== height * width * channels) {
    throw new Error(`encodePng: ${pixels.length} bytes for a ${height}×${width}×${channels} image`);
  }
  if (channels !== 1 && channels !== 3 && channels !== 4) throw new Error(`encodePng: ${channels} channels (1, 3 or 4 expected)`);
  const sharp = await loadSharp();
  let image = sharp(pixels, { raw: { width, height, channels } });
  if (channels === 1) image = image.toColourspace('b-w');
  const out = await image.png({ compressionLevel }).toBuffer();
  return new Uint8Array(out.buffer, out.byteOffset, out.length);
};
