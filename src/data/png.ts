/**
 * A synchronous PNG decoder (ISO/IEC 15948) for the images tailstream writes into shards, as a pure
 * function of the bytes: 8- and 16-bit greyscale, grey+alpha, RGB and RGBA, and 8-bit palette images,
 * not interlaced. Other PNGs are refused with a sentence (decode them with sharp, `sharp-codec`).
 *
 * Intuition: check the signature, walk the chunks (each with its CRC-32), concatenate the IDAT data,
 * inflate it, and undo the per-row filters (None, Sub, Up, Average, Paeth). The declared size is
 * checked against a pixel limit and against what the compressed data can possibly hold (deflate
 * expands at most about 1032:1) before anything is allocated, and inflation stops at the declared
 * size, so a hostile header cannot make the decoder allocate more than the input warrants.
 *
 * It exists because dataset loading (`DatasetEntry.load`) is synchronous, while sharp only decodes
 * asynchronously.
 */
import { inflateSync } from 'node:zlib';
import * as E from 'fp-ts/lib/Either.js';

/** A decoded PNG: 8-bit samples, HWC, with the image's own channel count. */
export interface PngImage {
  readonly height: number;
  readonly width: number;
  /** 1 grey, 2 grey+alpha, 3 RGB, 4 RGBA (palette images decode to 3, or 4 with transparency). */
  readonly channels: number;
  readonly pixels: Uint8Array;
}

/** Default ceiling on width × height. */
export const PNG_MAX_PIXELS = 8192 * 8192;

const SIGNATURE = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a];

let crcTable: Uint32Array | undefined;
/** CRC-32 (ISO 3309, as PNG uses it) of `bytes`. */
export const crc32 = (bytes: Uint8Array): number => {
  if (crcTable === undefined) {
    crcTable = new Uint32Array(256);
    for (let n = 0; n < 256; n++) {
      let c = n;
      for (let k = 0; k < 8; k++) c = c & 1 ? 0xedb88320 ^ (c >>> 1) : c >>> 1;
      crcTable[n] = c >>> 0;
    }
  }
  let c = 0xffffffff;
  for (let i = 0; i < bytes.length; i++) c = crcTable[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return (c ^ 0xffffffff) >>> 0;
};

const CHANNELS: Record<number, number> = { 0: 1, 2: 3, 3: 1, 4: 2, 6: 4 };

/** Decodes PNG bytes; Left is a sentence fragment naming what is wrong or unsupported. */
export const decodePng = (bytes: Uint8Array, maxPixels = PNG_MAX_PIXELS): E.Either<string, PngImage> => {
  if (bytes.length < 8 || SIGNATURE.some((b, i) => bytes[i] !== b)) return E.left('not a PNG (bad signature)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  let at = 8;
  let header: { width: number; height: number; depth: number; colorType: number } | undefined;
  let palette: Uint8Array | undefined;
  let transparency: Uint8Array | undefined;
  const idat: Uint8Array[] = [];
  let idatBytes = 0;
  let ended = false;
  while (at < bytes.length && !ended) {
    if (at + 12 > bytes.length) return E.left(`truncated PNG chunk header at byte ${at}`);
    const length = view.getUint32(at);
    const type = String.fromCharCode(...bytes.subarray(at + 4, at + 8));
    if (length > bytes.length - at - 12) return E.left(`PNG chunk '${type}' at byte ${at} declares ${length} bytes but the file ends at ${bytes.length}`);
    const data = bytes.subarray(at + 8, at + 8 + length);
    if (crc32(bytes.subarray(at + 4, at + 8 + length)) !== view.getUint32(at + 8 + length)) return E.left(`PNG chunk '${type}' at byte ${at} fails its CRC`);
    if (type === 'IHDR') {
      if (length !== 13) return E.left('PNG IHDR chunk is not 13 bytes');
      const d = new DataView(data.buffer, data.byteOffset, 13);
      header = { width: d.getUint32(0), height: d.getUint32(4), depth: data[8]!, colorType: data[9]! };
      if (data[10] !== 0 || data[11] !== 0) return E.left('PNG with an unknown compression or filter method');
      if (data[12] !== 0) return E.left('interlaced PNG is not supported by the synchronous decoder');
    } else if (type === 'PLTE') {
      palette = data;
    } else if (type === 'tRNS') {
      transparency = data;
    } else if (type === 'IDAT') {
      idat.push(data);
      idatBytes += length;
    } else if (type === 'IEND') {
      ended = true;
    } else if ((bytes[at + 4]! & 0x20) === 0) {
      return E.left(`PNG has an unknown critical chunk '${type}'`);
    }
    at += 12 + length;
  }
  if (header === undefined) return E.left('PNG has no IHDR chunk');
  if (!ended) return E.left('truncated PNG (no IEND chunk)');
  const { width, height, depth, colorType } = header;
  const channels = CHANNELS[colorType];
  if (channels === undefined) return E.left(`PNG colour type ${colorType} is not valid`);
  const depthOk = colorType === 3 ? depth === 8 : depth === 8 || depth === 16;
  if (!depthOk) return E.left(`PNG bit depth ${depth} with colour type ${colorType} is not supported by the synchronous decoder`);
  if (width === 0 || height === 0) return E.left('PNG has a zero width or height');
  if (width * height > maxPixels) return E.left(`PNG of ${width}×${height} pixels exceeds the limit of ${maxPixels} pixels`);
  const bytesPerPixel = (channels * depth) / 8;
  const stride = width * bytesPerPixel;
  const rawLength = height * (stride + 1);
  if (rawLength > idatBytes * 1032 + 1024) return E.left(`PNG declares ${width}×${height} pixels but holds only ${idatBytes} bytes of image data`);
  let raw: Uint8Array;
  try {
    const compressed = idat.length === 1 ? idat[0]! : Buffer.concat(idat);
    const inflated = inflateSync(compressed, { maxOutputLength: rawLength });
    raw = new Uint8Array(inflated.buffer, inflated.byteOffset, inflated.length);
  } catch (e) {
    return E.left(`corrupt PNG image data (${e instanceof Error ? e.message : String(e)})`);
  }
  if (raw.length !== rawLength) return E.left(`PNG image data holds ${raw.length} bytes, expected ${rawLength}`);
  // Undo the filters in place, row by row.
  for (let y = 0; y < height; y++) {
    const row = y * (stride + 1) + 1;
    const prev = row - (stride + 1);
    const filter = raw[row - 1]!;
    for (let i = 0; i < stride; i++) {
      const a = i >= bytesPerPixel ? raw[row + i - bytesPerPixel]! : 0;
      const b = y > 0 ? raw[prev + i]! : 0;
      const c = y > 0 && i >= bytesPerPixel ? raw[prev + i - bytesPerPixel]! : 0;
      let predictor: number;
      switch (filter) {
        case 0:
          predictor = 0;
          break;
        case 1:
          predictor = a;
          break;
        case 2:
          predictor = b;
          break;
        case 3:
          predictor = (a + b) >>> 1;
          break;
        case 4: {
          const p = a + b - c;
          const pa = Math.abs(p - a);
          const pb = Math.abs(p - b);
          const pc = Math.abs(p - c);
          predictor = pa <= pb && pa <= pc ? a : pb <= pc ? b : c;
          break;
        }
        default:
          return E.left(`PNG row ${y} has an unknown filter type ${filter}`);
      }
      raw[row + i] = (raw[row + i]! + predictor) & 0xff;
    }
  }
  const step = depth / 8;
  if (colorType === 3) {
    if (palette === undefined || palette.length % 3 !== 0) return E.left('palette PNG without a valid PLTE chunk');
    const entries = palette.length / 3;
    const outChannels = transparency === undefined ? 3 : 4;
    const out = new Uint8Array(width * height * outChannels);
    for (let y = 0; y < height; y++) {
      for (let x = 0; x < width; x++) {
        const index = raw[y * (stride + 1) + 1 + x]!;
        if (index >= entries) return E.left(`PNG pixel (${x}, ${y}) uses palette entry ${index} of ${entries}`);
        const o = (y * width + x) * outChannels;
        out[o] = palette[index * 3]!;
        out[o + 1] = palette[index * 3 + 1]!;
        out[o + 2] = palette[index * 3 + 2]!;
        if (outChannels === 4) out[o + 3] = index < transparency!.length ? transparency![index]! : 255;
      }
    }
    return E.right({ height, width, channels: outChannels, pixels: out });
  }
  const out = new Uint8Array(width * height * channels);
  for (let y = 0; y < height; y++) {
    const row = y * (stride + 1) + 1;
    // 16-bit samples are big-endian: keep the high byte.
    for (let i = 0; i < width * channels; i++) out[y * width * channels + i] = raw[row + i * step]!;
  }
  return E.right({ height, width, channels, pixels: out });
};
