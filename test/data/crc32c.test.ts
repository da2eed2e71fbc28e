import { describe, expect, it } from 'vitest';
import { crc32c, maskCrc32c, maskedCrc32c } from '../../src/data/crc32c.js';

const ascii = (s: string): Uint8Array => new TextEncoder().encode(s);

describe('crc32c', () => {
  it('matches the published check value and the RFC 3720 (iSCSI) vectors', () => {
    expect(crc32c(ascii('123456789'))).toBe(0xe3069283);
    expect(crc32c(new Uint8Array(32))).toBe(0x8a9136aa);
    expect(crc32c(new Uint8Array(32).fill(0xff))).toBe(0x62a8ab43);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => i))).toBe(0x46dd794e);
    expect(crc32c(Uint8Array.from({ length: 32 }, (_, i) => 31 - i))).toBe(0x113fdb5c);
  });

  it('continues over split input', () => {
    const all = ascii('123456789');
    expect(crc32c(all.subarray(4), crc32c(all.subarray(0, 4)))).toBe(0xe3069283);
  });

  it("masks as TensorFlow does: rotate right 15, add 0xa282ead8", () => {
    expect(maskCrc32c(0)).toBe(0xa282ead8);
    expect(maskedCrc32c(new Uint8Array(0))).toBe(0xa282ead8);
    // 0x00008000 rotated right by 15 is 1.
    expect(maskCrc32c(0x8000)).toBe(0xa282ead9);
    expect(maskCrc32c(0xffffffff)).toBe((0xffffffff + 0xa282ead8) >>> 0);
  });
});
