/**
 * The protobuf wire format, just enough for `tf.Example` and event files
 * (https://protobuf.dev/programming-guides/encoding/): varints, tags, length-delimited fields.
 *
 * Intuition: a message is a sequence of (tag = field << 3 | wire type, value); wire type 0 is a varint,
 * 1 eight bytes, 2 a varint length then that many bytes, 5 four bytes. Every length is checked against
 * the bytes that remain before a view is taken, so a hostile length cannot cause an allocation.
 */
import * as E from 'fp-ts/lib/Either.js';

/** One field of a message: its number, wire type and raw value (a varint as bigint, or a byte view). */
export type WireField =
  | { readonly field: number; readonly wire: 0; readonly value: bigint }
  | { readonly field: number; readonly wire: 1 | 2 | 5; readonly value: Uint8Array };

/** A varint at `offset`: its value and the offset after it. */
export const readVarint = (bytes: Uint8Array, offset: number): E.Either<string, readonly [bigint, number]> => {
  let result = 0n;
  let shift = 0n;
  for (let i = offset; i < bytes.length && i < offset + 10; i++) {
    const b = bytes[i]!;
    result |= BigInt(b & 0x7f) << shift;
    if ((b & 0x80) === 0) return E.right([BigInt.asUintN(64, result), i + 1]);
    shift += 7n;
  }
  return E.left(bytes.length - offset < 10 ? `truncated varint at byte ${offset}` : `varint longer than 10 bytes at byte ${offset}`);
};

/** The fields of a message, in order, or the first malformation. Groups (wire types 3, 4) are refused. */
export const readFields = (bytes: Uint8Array): E.Either<string, WireField[]> => {
  const out: WireField[] = [];
  let at = 0;
  while (at < bytes.length) {
    const tag = readVarint(bytes, at);
    if (E.isLeft(tag)) return tag;
    const [key, afterTag] = tag.right;
    const field = Number(key >> 3n);
    const wire = Number(key & 7n);
    if (field === 0) return E.left(`field number 0 at byte ${at}`);
    if (wire === 0) {
      const v = readVarint(bytes, afterTag);
      if (E.isLeft(v)) return v;
      out.push({ field, wire, value: v.right[0] });
      at = v.right[1];
    } else if (wire === 1 || wire === 5) {
      const size = wire === 1 ? 8 : 4;
      if (afterTag + size > bytes.length) return E.left(`truncated ${size}-byte field ${field} at byte ${at}`);
      out.push({ field, wire, value: bytes.subarray(afterTag, afterTag + size) });
      at = afterTag + size;
    } else if (wire === 2) {
      const len = readVarint(bytes, afterTag);
      if (E.isLeft(len)) return len;
      const [length, start] = len.right;
      if (length > BigInt(bytes.length - start)) {
        return E.left(`field ${field} at byte ${at} declares ${length} bytes but only ${bytes.length - start} remain`);
      }
      const end = start + Number(length);
      out.push({ field, wire, value: bytes.subarray(start, end) });
      at = end;
    } else {
      return E.left(`unsupported wire type ${wire} for field ${field} at byte ${at}`);
    }
  }
  return E.right(out);
};

/** Appends protobuf-encoded pieces; `finish` concatenates them. */
export class WireWriter {
  private readonly parts: Uint8Array[] = [];
  private size = 0;

  /** A raw chunk. */
  raw(bytes: Uint8Array): this {
    this.parts.push(bytes);
    this.size += bytes.length;
    return this;
  }
  /** A varint (non-negative, or negative as 64-bit two's complement). */
  varint(value: bigint | number): this {
    let v = BigInt.asUintN(64, BigInt(value));
    const out: number[] = [];
    do {
      const b = Number(v & 0x7fn);
      v >>= 7n;
      out.push(v > 0n ? b | 0x80 : b);
    } while (v > 0n);
    return this.raw(Uint8Array.from(out));
  }
  /** A tag for `field` and `wire`. */
  tag(field: number, wire: 0 | 1 | 2 | 5): this {
    return this.varint((BigInt(field) << 3n) | BigInt(wire));
  }
  /** A length-delimited field. */
  bytes(field: number, value: Uint8Array): this {
    return this.tag(field, 2).varint(value.length).raw(value);
  }
  /** The message so far. */
  finish(): Uint8Array {
    const out = new Uint8Array(this.size);
    let at = 0;
    for (const p of this.parts) {
      out.set(p, at);
      at += p.length;
    }
    return out;
  }
}
