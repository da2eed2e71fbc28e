/**
 * Checkpoints: every variable a run needs to continue exactly (weights, batch-norm statistics,
 * optimizer velocities), the cursor of the next step, and the run's history, in one binary file.
 *
 * Format (little-endian): "TSCK" · u32 version · u32 header length · UTF-8 JSON header (cursor,
 * tensor names and shapes, history, and optionally the strategies' host state) ·
 * float32 values of every tensor in header order · u32 CRC-32 of everything before it.
 * The decoder checks the magic, the sizes against the actual bytes before allocating, every
 * shape against its length, and the checksum; a damaged file is a clear Left, never a crash.
 */
import { crc32 } from 'node:zlib';
import * as E from 'fp-ts/lib/Either.js';
import * as t from 'io-ts';
import * as tf from '@tensorflow/tfjs-core';
import { decodeWith } from '../config/report.js';
import type { Model } from '../models/model.js';
import type { SgdMomentum } from './sgd-momentum.js';
import type { FitCursor } from './fit.js';

const MAGIC = [0x54, 0x53, 0x43, 0x4b]; // "TSCK"
const VERSION = 1;

/** A named float32 tensor on the host. */
export interface HostTensor {
  readonly shape: readonly number[];
  readonly values: Float32Array;
}

/** Everything a checkpoint holds. */
export interface Checkpoint {
  /** The next step to run. */
  readonly cursor: FitCursor;
  /** Tensors by name: `model/<var>`, `state/<var>`, `optimizer/<var>`. */
  readonly tensors: ReadonlyMap<string, HostTensor>;
  /** The run's per-epoch records so far. */
  readonly history: ReadonlyArray<Record<string, unknown>>;
  /**
   * Host-side state of the training strategies by name (e.g. `absgd`: ABSGD's normaliser), kept as
   * JSON numbers, so float64 values come back exactly. Absent in checkpoints written before it existed.
   */
  readonly strategies?: Readonly<Record<string, unknown>>;
}

const Header = t.type({
  cursor: t.type({
    epoch: t.number,
    step: t.number,
    totals: t.type({ lossSum: t.number, correct: t.number, samples: t.number, skipped: t.number }),
  }),
  tensors: t.array(t.type({ name: t.string, shape: t.array(t.number) })),
  history: t.array(t.UnknownRecord),
  // Optional: files written before strategies kept host state have no such field.
  strategies: t.union([t.undefined, t.UnknownRecord]),
});

const size = (shape: readonly number[]): number => shape.reduce((a, b) => a * b, 1);

/** Serialises a checkpoint. */
export const encodeCheckpoint = (c: Checkpoint): Uint8Array => {
  const entries = [...c.tensors.entries()];
  const header = Buffer.from(
    JSON.stringify({
      cursor: c.cursor,
      tensors: entries.map(([name, v]) => ({ name, shape: v.shape })),
      history: c.history,
      ...(c.strategies !== undefined ? { strategies: c.strategies } : {}),
    }),
    'utf8',
  );
  const floats = entries.reduce((s, [, v]) => s + v.values.length, 0);
  const out = new Uint8Array(12 + header.length + 4 * floats + 4);
  const view = new DataView(out.buffer);
  out.set(MAGIC, 0);
  view.setUint32(4, VERSION, true);
  view.setUint32(8, header.length, true);
  out.set(header, 12);
  let offset = 12 + header.length;
  for (const [, v] of entries) {
    for (let i = 0; i < v.values.length; i++) view.setFloat32(offset + 4 * i, v.values[i]!, true);
    offset += 4 * v.values.length;
  }
  view.setUint32(offset, crc32(out.subarray(0, offset)), true);
  return out;
};

/** Parses a checkpoint; Left is a sentence fragment saying what is wrong. */
export const decodeCheckpoint = (bytes: Uint8Array): E.Either<string, Checkpoint> => {
  if (bytes.length < 16) return E.left(`too short for a checkpoint (${bytes.length} bytes)`);
  if (!MAGIC.every((m, i) => bytes[i] === m)) return E.left('not a tailstream checkpoint (bad magic)');
  const view = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const version = view.getUint32(4, true);
  if (version !== VERSION) return E.left(`checkpoint version ${version} is not supported (expected ${VERSION})`);
  const stored = view.getUint32(bytes.length - 4, true);
  if (crc32(bytes.subarray(0, bytes.length - 4)) !== stored) return E.left('checksum mismatch (the file is damaged or truncated)');
  const headerLength = view.getUint32(8, true);
  if (12 + headerLength > bytes.length - 4) return E.left(`header length ${headerLength} exceeds the file`);
  let json: unknown;
  try {
    json = JSON.parse(Buffer.from(bytes.subarray(12, 12 + headerLength)).toString('utf8'));
  } catch {
    return E.left('the header is not valid JSON');
  }
  const header = decodeWith(Header, json, 'header');
  if (E.isLeft(header)) return header;
  const dataBytes = bytes.length - 4 - 12 - headerLength;
  let declared = 0;
  for (const d of header.right.tensors) {
    if (!d.shape.every((x) => Number.isInteger(x) && x >= 0)) return E.left(`tensor ${d.name} has an invalid shape [${d.shape.join(', ')}]`);
    declared += size(d.shape);
  }
  if (4 * declared !== dataBytes) return E.left(`the header declares ${declared} values but the file holds ${dataBytes / 4}`);
  const tensors = new Map<string, HostTensor>();
  let offset = 12 + headerLength;
  for (const d of header.right.tensors) {
    const n = size(d.shape);
    const values = new Float32Array(n);
    for (let i = 0; i < n; i++) values[i] = view.getFloat32(offset + 4 * i, true);
    offset += 4 * n;
    tensors.set(d.name, { shape: d.shape, values });
  }
  const { strategies } = header.right;
  return E.right({ cursor: header.right.cursor, tensors, history: header.right.history, ...(strategies !== undefined ? { strategies } : {}) });
};

const entriesOf = (model: Model, optimizer: SgdMomentum): Array<[string, tf.Variable]> => [
  ...[...model.variables.trainable].map(([k, v]): [string, tf.Variable] => [`model/${k}`, v]),
  ...[...model.variables.state].map(([k, v]): [string, tf.Variable] => [`state/${k}`, v]),
  ...[...optimizer.velocity].map(([k, v]): [string, tf.Variable] => [`optimizer/${k}`, v]),
];

/** Copies a model's and optimizer's variables to the host as a checkpoint at `cursor` (with the strategies' host state, when any). */
export const captureCheckpoint = (
  model: Model,
  optimizer: SgdMomentum,
  cursor: FitCursor,
  history: ReadonlyArray<Record<string, unknown>>,
  strategies?: Readonly<Record<string, unknown>>,
): Checkpoint => ({
  cursor,
  history,
  tensors: new Map(entriesOf(model, optimizer).map(([k, v]) => [k, { shape: v.shape, values: v.dataSync() as Float32Array }])),
  ...(strategies !== undefined ? { strategies } : {}),
});

/** Checks that every variable of `entries` is in the checkpoint with its shape; Left names the first that is not. */
const checkEntries = (c: Checkpoint, entries: ReadonlyArray<[string, tf.Variable]>): E.Either<string, void> => {
  for (const [name, v] of entries) {
    const saved = c.tensors.get(name);
    if (saved === undefined) return E.left(`the checkpoint has no variable ${name}`);
    if (saved.shape.length !== v.shape.length || saved.shape.some((d, i) => d !== v.shape[i])) {
      return E.left(`variable ${name} has shape [${saved.shape.join(', ')}] in the checkpoint but [${v.shape.join(', ')}] in the model`);
    }
  }
  return E.right(undefined);
};

const assignEntries = (c: Checkpoint, entries: ReadonlyArray<[string, tf.Variable]>): void => {
  for (const [name, v] of entries) {
    const saved = c.tensors.get(name)!;
    tf.tidy(() => v.assign(tf.tensor(saved.values, [...saved.shape])));
  }
};

/** Writes a checkpoint's model weights and state (not the optimizer's) into a model built the same way, for evaluation. */
export const restoreModel = (c: Checkpoint, model: Model): E.Either<string, void> => {
  const entries = [
    ...[...model.variables.trainable].map(([k, v]): [string, tf.Variable] => [`model/${k}`, v]),
    ...[...model.variables.state].map(([k, v]): [string, tf.Variable] => [`state/${k}`, v]),
  ];
  const checked = checkEntries(c, entries);
  if (E.isRight(checked)) assignEntries(c, entries);
  return checked;
};

/**
 * Writes a checkpoint's values into a model and optimizer built with the same configuration.
 * Left names the first variable that is missing or has another shape; nothing is changed then.
 */
export const restoreCheckpoint = (c: Checkpoint, model: Model, optimizer: SgdMomentum): E.Either<string, void> => {
  const entries = entriesOf(model, optimizer);
  const checked = checkEntries(c, entries);
  if (E.isLeft(checked)) return checked;
  if (c.tensors.size !== entries.length) return E.left(`the checkpoint has ${c.tensors.size} variables, the model and optimizer ${entries.length}`);
  assignEntries(c, entries);
  return E.right(undefined);
};
