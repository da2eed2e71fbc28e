/**
 * CRC-32C (Castagnoli, reflected polynomial 0x82F63B78) and TensorFlow's masked form, as TFRecord and
 * TensorBoard event files frame every record (`tensorflow/core/lib/hash/crc32c.h`: `Mask`, `kMaskDelta`).
 *
 * Intuition: a table-driven byte-at-a-time CRC; the mask rotates right by 15 bits and adds a constant,
 * so that a CRC stored inside the data it covers does not checksum to a fixed value.
 */

const TABLE: Uint32Array = (() => {
  const t = new Uint32Array(256);
  for (let n = 0; n < 256; n++) {
    let c = n;
    for (let k = 0; k < 8; k++) c = c & 1 ? 0x82f63b78 ^ (c >>> 1) : c >>> 1;
    t[n] = c >>> 0;
  }
  return t;
})();

/** CRC-32C of `bytes` (unsigned 32-bit); pass a previous result as `crc` to continue over more bytes. */
export const crc32c = (bytes: Uint8Array, crc = 0): number => {
  let c = ~crc >>> 0;
  for (let i = 0; i < bytes.length; i++) c = TABLE[(c ^ bytes[i]!) & 0xff]! ^ (c >>> 8);
  return ~c >>> 0;
};

/** TensorFlow's masked CRC: rotate right by 15, add 0xa282ead8 (mod 2^32). */
export const maskCrc32c = (crc: number): number => ((((crc >>> 15) | (crc << 17)) >>> 0) + 0xa282ead8) >>> 0;

/** The masked CRC-32C of `bytes`, as stored in TFRecord framing. */
export const maskedCrc32c = (bytes: Uint8Array): number => maskCrc32c(crc32c(bytes));
