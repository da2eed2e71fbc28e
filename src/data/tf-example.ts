/**
 * `tf.train.Example` (`tensorflow/core/example/example.proto`, `feature.proto`) decoded and encoded by
 * hand over the protobuf wire format, and the image-classification record most shards hold
 * (`image/encoded` bytes + `image/class/label` int64, the TF-Slim / TFDS convention).
 *
 * Intuition: Example { Features features = 1 }; Features { map<string, Feature> feature = 1 } (each
 * map entry a message { key = 1; value = 2 }); Feature is one of BytesList = 1, FloatList = 2,
 * Int64List = 3, each `repeated … value = 1` (numbers packed or not).
 */
import * as E from 'fp-ts/lib/Either.js';
import { readFields, readVarint, WireWriter, type WireField } from './protobuf-wire.js';

/** One feature of an Example. */
export type TfFeature =
  | { readonly kind: 'bytes'; readonly values: readonly Uint8Array[] }
  | { readonly kind: 'float'; readonly values: Float32Array }
  | { readonly kind: 'int64'; readonly values: readonly bigint[] };

/** An Example's features by name. */
export type TfFeatures = ReadonlyMap<string, TfFeature>;

const utf8 = new TextDecoder('utf-8', { fatal: true });
const utf8Encoder = new TextEncoder();

const bytesOf = (f: WireField): Uint8Array | undefined => (f.wire === 2 ? f.value : undefined);

const decodeFloatList = (bytes: Uint8Array): E.Either<string, Float32Array> => {
  const fields = readFields(bytes);
  if (E.isLeft(fields)) return fields;
  const values: number[] = [];
  for (const f of fields.right) {
    if (f.field !== 1) continue;
    if (f.wire === 5 || f.wire === 2) {
      if (f.value.length % 4 !== 0) return E.left(`packed float list of ${f.value.length} bytes is not a multiple of 4`);
      const view = new DataView(f.value.buffer, f.value.byteOffset, f.value.length);
      for (let i = 0; i < f.value.length; i += 4) values.push(view.getFloat32(i, true));
    } else return E.left(`float list value with wire type ${f.wire}`);
  }
  return E.right(Float32Array.from(values));
};

const decodeInt64List = (bytes: Uint8Array): E.Either<string, bigint[]> => {
  const fields = readFields(bytes);
  if (E.isLeft(fields)) return fields;
  const values: bigint[] = [];
  for (const f of fields.right) {
    if (f.field !== 1) continue;
    if (f.wire === 0) values.push(BigInt.asIntN(64, f.value));
    else if (f.wire === 2) {
      let at = 0;
      while (at < f.value.length) {
        const v = readVarint(f.value, at);
        if (E.isLeft(v)) return v;
        values.push(BigInt.asIntN(64, v.right[0]));
        at = v.right[1];
      }
    } else return E.left(`int64 list value with wire type ${f.wire}`);
  }
  return E.right(values);
};

const decodeFeature = (bytes: Uint8Array): E.Either<string, TfFeature> => {
  const fields = readFields(bytes);
  if (E.isLeft(fields)) return fields;
  let feature: TfFeature | undefined;
  for (const f of fields.right) {
    const body = bytesOf(f);
    if (body === undefined) continue;
    if (f.field === 1) {
      const inner = readFields(body);
      if (E.isLeft(inner)) return inner;
      feature = { kind: 'bytes', values: inner.right.filter((v) => v.field === 1).flatMap((v) => (v.wire === 2 ? [v.value] : [])) };
    } else if (f.field === 2) {
      const r = decodeFloatList(body);
      if (E.isLeft(r)) return r;
      feature = { kind: 'float', values: r.right };
    } else if (f.field === 3) {
      const r = decodeInt64List(body);
      if (E.isLeft(r)) return r;
      feature = { kind: 'int64', values: r.right };
    }
  }
  // A Feature with no list set is an empty feature; represent it as an empty bytes list.
  return E.right(feature ?? { kind: 'bytes', values: [] });
};

/** The features of a serialised `tf.train.Example`; Left is a sentence fragment naming what is malformed. */
export const decodeTfExample = (bytes: Uint8Array): E.Either<string, TfFeatures> => {
  const top = readFields(bytes);
  if (E.isLeft(top)) return E.left(`malformed Example: ${top.left}`);
  const out = new Map<string, TfFeature>();
  for (const f of top.right) {
    const features = f.field === 1 ? bytesOf(f) : undefined;
    if (features === undefined) continue;
    const entries = readFields(features);
    if (E.isLeft(entries)) return E.left(`malformed Example features: ${entries.left}`);
    for (const entry of entries.right) {
      const body = entry.field === 1 ? bytesOf(entry) : undefined;
      if (body === undefined) continue;
      const kv = readFields(body);
      if (E.isLeft(kv)) return E.left(`malformed feature map entry: ${kv.left}`);
      let key = '';
      let value: TfFeature = { kind: 'bytes', values: [] };
      for (const part of kv.right) {
        const b = bytesOf(part);
        if (b === undefined) continue;
        if (part.field === 1) {
          try {
            key = utf8.decode(b);
          } catch {
            return E.left('feature name is not valid UTF-8');
          }
        } else if (part.field === 2) {
          const decoded = decodeFeature(b);
          if (E.isLeft(decoded)) return E.left(`malformed feature '${key}': ${decoded.left}`);
          value = decoded.right;
        }
      }
      out.set(key, value);
    }
  }
  return E.right(out);
};

const encodeFeature = (feature: TfFeature): Uint8Array => {
  const list = new WireWriter();
  if (feature.kind === 'bytes') {
    for (const v of feature.values) list.bytes(1, v);
    return new WireWriter().bytes(1, list.finish()).finish();
  }
  if (feature.kind === 'float') {
    const packed = new Uint8Array(feature.values.length * 4);
    const view = new DataView(packed.buffer);
    feature.values.forEach((v, i) => view.setFloat32(4 * i, v, true));
    return new WireWriter().bytes(2, list.bytes(1, packed).finish()).finish();
  }
  const packed = new WireWriter();
  for (const v of feature.values) packed.varint(v);
  return new WireWriter().bytes(3, list.bytes(1, packed.finish()).finish()).finish();
};

/** Serialises features as a `tf.train.Example` (keys in the given order; numbers packed, as TensorFlow writes them). */
export const encodeTfExample = (features: Iterable<readonly [string, TfFeature]>): Uint8Array => {
  const map = new WireWriter();
  for (const [key, feature] of features) {
    const entry = new WireWriter().bytes(1, utf8Encoder.encode(key)).bytes(2, encodeFeature(feature)).finish();
    map.bytes(1, entry);
  }
  return new WireWriter().bytes(1, map.finish()).finish();
};
