import { describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import { decodeTfRecordAt, decodeTfRecords, encodeTfRecord, encodeTfRecords } from '../../src/data/tfrecord.js';
import { maskedCrc32c } from '../../src/data/crc32c.js';

const left = (r: E.Either<string, unknown>): string => (E.isLeft(r) ? r.left : 'decoded');

describe('TFRecord framing', () => {
  it('frames a record as length · masked CRC · data · masked CRC, little-endian', () => {
    const data = new TextEncoder().encode('hello');
    const framed = encodeTfRecord(data);
    expect(framed).toHaveLength(12 + 5 + 4);
    const view = new DataView(framed.buffer);
    expect(view.getBigUint64(0, true)).toBe(5n);
    expect(view.getUint32(8, true)).toBe(maskedCrc32c(framed.subarray(0, 8)));
    expect(new TextDecoder().decode(framed.subarray(12, 17))).toBe('hello');
    expect(view.getUint32(17, true)).toBe(maskedCrc32c(data));
    // The empty record: its data CRC is the mask constant itself, 0xa282ead8 (bytes d8 ea 82 a2).
    expect([...encodeTfRecord(new Uint8Array(0)).subarray(12)]).toEqual([0xd8, 0xea, 0x82, 0xa2]);
  });

  it('round-trips a file of records', () => {
    const records = [new Uint8Array(0), Uint8Array.from([1, 2, 3]), new Uint8Array(1000).fill(7)];
    const r = decodeTfRecords(encodeTfRecords(records));
    expect(E.isRight(r) && r.right.map((x) => [...x])).toEqual(records.map((x) => [...x]));
  });

  it('names the problem and the byte offset of a corrupt record', () => {
    const file = encodeTfRecords([Uint8Array.from([1, 2, 3]), Uint8Array.from([4, 5, 6])]);
    const badData = file.slice();
    badData[19 + 13] = badData[19 + 13]! ^ 0xff; // a data byte of the second record (it starts at byte 19)
    expect(left(decodeTfRecords(badData))).toMatch(/^TFRecord data CRC mismatch \(stored 0x[0-9a-f]{8}, computed 0x[0-9a-f]{8}\) at byte 19$/);
    const badLength = file.slice();
    badLength[19] = 9;
    expect(left(decodeTfRecords(badLength))).toMatch(/^TFRecord length CRC mismatch .* at byte 19$/);
    expect(left(decodeTfRecords(file.subarray(0, file.length - 2)))).toBe(
      'truncated TFRecord: the record at byte 19 declares 3 bytes but the file ends at 36',
    );
    expect(left(decodeTfRecordAt(file, 19 + 19 - 5))).toMatch(/^truncated TFRecord header/);
  });

  it('refuses a length over the limit before allocating, even with a valid header CRC', () => {
    const huge = new Uint8Array(12);
    const view = new DataView(huge.buffer);
    view.setBigUint64(0, 2n ** 40n, true);
    view.setUint32(8, maskedCrc32c(huge.subarray(0, 8)), true);
    expect(left(decodeTfRecordAt(huge, 0))).toBe('TFRecord length 1099511627776 exceeds the limit of 268435456 bytes at byte 0');
    expect(left(decodeTfRecordAt(encodeTfRecord(new Uint8Array(100)), 0, 99))).toBe('TFRecord length 100 exceeds the limit of 99 bytes at byte 0');
  });
});
