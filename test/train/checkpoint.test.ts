import { beforeAll, describe, expect, it } from 'vitest';
import * as E from 'fp-ts/lib/Either.js';
import * as tf from '@tensorflow/tfjs-core';
import { initBackend } from '../../src/backend/index.js';
import { captureCheckpoint, decodeCheckpoint, encodeCheckpoint, restoreCheckpoint, type Checkpoint } from '../../src/train/checkpoint.js';
import { createSmallCnn } from '../../src/models/small-cnn.js';
import { createSgdMomentum } from '../../src/train/sgd-momentum.js';
import { START_CURSOR } from '../../src/train/fit.js';
import { createRng } from '../../src/core/rng.js';

const sample: Checkpoint = {
  cursor: { epoch: 2, step: 5, totals: { lossSum: 1.5, correct: 3, samples: 8, skipped: 0 } },
  tensors: new Map([
    ['model/w', { shape: [2, 2], values: Float32Array.from([1, -2, 3.5, Number.NaN]) }],
    ['optimizer/w', { shape: [0], values: new Float32Array(0) }],
  ]),
  history: [{ kind: 'epoch', epoch: 0 }],
};
const left = (r: E.Either<string, unknown>) => (E.isLeft(r) ? r.left : 'decoded');

describe('checkpoint files', () => {
  beforeAll(async () => {
    await initBackend('cpu');
  });

  it('round-trip exactly (NaN included)', () => {
    const r = decodeCheckpoint(encodeCheckpoint(sample));
    expect(E.isRight(r)).toBe(true);
    if (E.isRight(r)) {
      expect(r.right.cursor).toEqual(sample.cursor);
      expect(r.right.history).toEqual(sample.history);
      expect([...r.right.tensors.keys()]).toEqual(['model/w', 'optimizer/w']);
      expect(Object.is(r.right.tensors.get('model/w')!.values[3], Number.NaN)).toBe(true);
      expect([...r.right.tensors.get('model/w')!.values.subarray(0, 3)]).toEqual([1, -2, 3.5]);
    }
  });

  it('carry the strategies\' host state as exact float64 JSON, and read files written without it', () => {
    const withState: Checkpoint = { ...sample, strategies: { absgd: { logU: 0.1 + 0.2 }, other: { xs: [1e-300, -7] } } };
    const r = decodeCheckpoint(encodeCheckpoint(withState));
    expect(E.isRight(r) && r.right.strategies).toEqual({ absgd: { logU: 0.30000000000000004 }, other: { xs: [1e-300, -7] } });
    // A checkpoint of the first format (no strategies field in the header) still decodes, without one.
    const old = decodeCheckpoint(encodeCheckpoint(sample));
    expect(E.isRight(old) && 'strategies' in old.right).toBe(false);
    expect(left(decodeCheckpoint(encodeCheckpoint({ ...sample, strategies: [] as unknown as Record<string, unknown> })))).toMatch(/^header\.strategies: /);
  });

  it('start with the magic and version', () => {
    expect([...encodeCheckpoint(sample).subarray(0, 8)]).toEqual([0x54, 0x53, 0x43, 0x4b, 1, 0, 0, 0]);
  });

  it('refuse damaged files in one phrase', () => {
    const bytes = encodeCheckpoint(sample);
    expect(left(decodeCheckpoint(bytes.subarray(0, 10)))).toBe('too short for a checkpoint (10 bytes)');
    expect(left(decodeCheckpoint(new Uint8Array(20)))).toBe('not a tailstream checkpoint (bad magic)');
    expect(left(decodeCheckpoint(bytes.subarray(0, bytes.length - 1)))).toBe('checksum mismatch (the file is damaged or truncated)');
    const flipped = bytes.slice();
    flipped[40]! ^= 0x10;
    expect(left(decodeCheckpoint(flipped))).toBe('checksum mismatch (the file is damaged or truncated)');
    const v2 = bytes.slice();
    v2[4] = 2;
    expect(left(decodeCheckpoint(v2))).toBe('checkpoint version 2 is not supported (expected 1)');
  });

  it('restore into a model built the same way, and refuse one of another shape', () => {
    const spec = { shape: { height: 8, width: 8, channels: 1 }, numClasses: 3 };
    const a = createSmallCnn(spec, createRng(1));
    const b = createSmallCnn(spec, createRng(2));
    const oa = createSgdMomentum(a.variables.trainable, { momentum: 0.9, weightDecay: 0 });
    const ob = createSgdMomentum(b.variables.trainable, { momentum: 0.9, weightDecay: 0 });
    const before = tf.memory().numTensors;
    expect(E.isRight(restoreCheckpoint(captureCheckpoint(a, oa, START_CURSOR, []), b, ob))).toBe(true);
    expect(tf.memory().numTensors).toBe(before);
    expect([...b.variables.trainable.get('fc2/kernel')!.dataSync()]).toEqual([...a.variables.trainable.get('fc2/kernel')!.dataSync()]);
    const c = createSmallCnn({ ...spec, numClasses: 4 }, createRng(3));
    const oc = createSgdMomentum(c.variables.trainable, { momentum: 0.9, weightDecay: 0 });
    expect(left(restoreCheckpoint(captureCheckpoint(a, oa, START_CURSOR, []), c, oc))).toBe(
      'variable model/fc2/kernel has shape [128, 3] in the checkpoint but [128, 4] in the model',
    );
    for (const x of [oa, ob, oc, a, b, c]) x.dispose();
  });
});
