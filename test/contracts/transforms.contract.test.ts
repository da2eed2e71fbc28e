/**
 * The contract every registered transform keeps: a frozen, named, summarised, cited descriptor whose
 * defaults its own codec accepts; outputs with the input's sample shape, labels in range, mixed
 * targets with λ in [0, 1], sane weights and noise marks; inputs never mutated; the same Rng gives
 * the same output and different Rngs different ones; lifted onto a stream, it stops a synchronous
 * upstream after take(3).
 */
import { describe, expect, it } from 'vitest';
import { lastValueFrom, take, toArray } from 'rxjs';
import * as E from 'fp-ts/lib/Either.js';
import { transforms } from '../../src/transforms/registry.js';
import { liftTransform } from '../../src/transforms/batch-transform.js';
import { liftPairedTransformWith } from '../../src/transforms/paired-transform.js';
import type { TransformSetup, TransformSpec } from '../../src/transforms/transform-spec.js';
import type { GradientOracle } from '../../src/transforms/gradient-oracle.js';
import type { HostBatch } from '../../src/core/host-batch.js';
import type { Rng } from '../../src/core/rng.js';
import { countingPullSource, plain, recordingSource, seeded } from '../transforms/fixtures.js';

const COUNTS = [50, 20, 5, 1];
const K = COUNTS.length;
/**
 * A trivial gradient oracle for the operators that need the model (GAE): a "model" that always
 * predicts class 0, with the loss ½‖x‖² (gradient x). Every tail image (classes 2 and 3) is then
 * misclassified at every check, so GAE appends all of them and its output depends on the Rng.
 */
const ORACLE: GradientOracle = (q) => ({ gradient: q.x.slice(), predicted: new Int32Array(q.y.length) });
const SETUP: TransformSetup = { classCounts: COUNTS, normalization: { mean: [0.5, 0.4, 0.3], std: [0.25, 0.2, 0.3] }, oracle: ORACLE };
/** Inside every default epoch window (CMO: 4…196 of 200, pure noise: from 160). */
const CTX = { epoch: 170, epochs: 200 };
const SHAPE = { height: 6, width: 5, channels: 3 };
const PER = 6 * 5 * 3;

/** A batch of `n` images with values in the normalised range of the setup, labels cycling through the classes. */
const batchOf = (n: number, salt: number): HostBatch => ({
  x: Float32Array.from({ length: n * PER }, (_, i) => Math.sin(0.37 * i + salt)),
  y: Int32Array.from({ length: n }, (_, i) => (i + salt) % K),
  index: Int32Array.from({ length: n }, (_, i) => 1000 * salt + i),
  shape: SHAPE,
});

/** Every batch an operator yields for (main, second). */
const apply = (spec: TransformSpec<any>, main: HostBatch, second: HostBatch, rng: Rng): HostBatch[] => {
  switch (spec.kind) {
    case 'batch':
      return [spec.create(spec.defaults, SETUP)(main, rng, CTX)];
    case 'paired':
      return [spec.create(spec.defaults, SETUP)(main, second, rng, CTX)];
    case 'bilateral': {
      const out = spec.create(spec.defaults, SETUP)(main, second, rng, CTX);
      return [out.conventional, out.rebalancing];
    }
  }
};

const expectWellFormed = (b: HostBatch): void => {
  const n = b.y.length;
  expect(b.shape).toEqual(SHAPE);
  expect(b.x).toBeInstanceOf(Float32Array);
  expect(b.x.length).toBe(n * PER);
  expect(b.x.every(Number.isFinite)).toBe(true);
  expect(b.y).toBeInstanceOf(Int32Array);
  expect([...b.y].every((y) => y >= 0 && y < K)).toBe(true);
  expect(b.index).toHaveLength(n);
  if (b.mix !== undefined) {
    expect(b.mix.y).toHaveLength(n);
    expect([...b.mix.y].every((y) => y >= 0 && y < K)).toBe(true);
    expect(b.mix.lambda).toHaveLength(n);
    expect([...b.mix.lambda].every((l) => l >= 0 && l <= 1)).toBe(true);
  }
  if (b.weight !== undefined) {
    expect(b.weight).toHaveLength(n);
    expect([...b.weight].every((w) => Number.isFinite(w) && w >= 0)).toBe(true);
  }
  if (b.noise !== undefined) {
    expect(b.noise).toHaveLength(n);
    expect([...b.noise].every((m) => m === 0 || m === 1)).toBe(true);
  }
};

describe('the transform registry', () => {
  it('holds the operators by name', () => {
    expect(transforms.list().map((s) => s.name)).toEqual([
      'random-crop-flip',
      'mixup',
      'cut-mix',
      'cmo',
      'bilateral-mixup',
      'pure-noise',
      'open-sampling',
      'rand-augment',
      'gae',
    ]);
  });

  it('answers a typo with a suggestion', () => {
    expect(() => transforms.get('cutmix')).toThrow(/Unknown transform 'cutmix'.*Did you mean 'cut-mix'\?/);
  });
});

describe.each(transforms.list().map((s) => [s.name, s] as const))('transform %s', (name, spec) => {
  const main = batchOf(8, 1);
  const second = batchOf(8, 2);

  it('is a frozen descriptor found by its kebab-case name, with a one-line summary, a source and a kind', () => {
    expect(name).toMatch(/^[a-z]+(-[a-z]+)*$/);
    expect(transforms.get(name)).toBe(spec);
    expect(Object.isFrozen(spec)).toBe(true);
    expect(spec.summary.length).toBeGreaterThan(10);
    expect(spec.summary).not.toContain('\n');
    expect(spec.source.length).toBeGreaterThan(10);
    expect(['batch', 'paired', 'bilateral']).toContain(spec.kind);
  });

  it('has defaults its own codec accepts, and a codec that rejects an empty config', () => {
    expect(E.isRight(spec.configCodec.decode(spec.defaults))).toBe(true);
    expect(E.isLeft(spec.configCodec.decode({}))).toBe(true);
  });

  it('keeps the sample shape, labels in range, λ in [0, 1], sane weights and noise marks, over many draws', () => {
    for (let s = 0; s < 30; s++) for (const out of apply(spec, main, second, seeded(s))) expectWellFormed(out);
  });

  it('never mutates its inputs', () => {
    const before = [plain(main), plain(second)];
    for (let s = 0; s < 10; s++) apply(spec, main, second, seeded(s));
    expect([plain(main), plain(second)]).toEqual(before);
  });

  it('is a function of the Rng: the same Rng gives the same output, different Rngs differ', () => {
    const run = (s: number) => apply(spec, main, second, seeded(s)).map(plain);
    expect(run(3)).toEqual(run(3));
    const distinct = new Set(Array.from({ length: 10 }, (_, s) => JSON.stringify(run(s))));
    expect(distinct.size).toBeGreaterThan(1);
  });

  it('works without a setup or says that it needs one', () => {
    try {
      spec.create(spec.defaults);
    } catch (e) {
      expect((e as Error).message).toMatch(/: needs the class counts and normalisation \(setup\)$/);
    }
  });

  it('stops a synchronous upstream after take(3) once lifted onto a stream', async () => {
    const upstream = recordingSource((k) => batchOf(4, k));
    const partner = countingPullSource((k) => batchOf(4, 50 + k));
    const lifted =
      spec.kind === 'batch'
        ? liftTransform(spec.create(spec.defaults, SETUP), seeded(0), 0, CTX)
        : liftPairedTransformWith<unknown>(spec.create(spec.defaults, SETUP), partner.source, seeded(0), 0, CTX);
    const out = await lastValueFrom(upstream.source$.pipe(lifted, take(3), toArray()));
    expect(out).toHaveLength(3);
    expect(upstream.emitted).toEqual([0, 1, 2]);
    if (spec.kind !== 'batch') {
      expect(partner.calls.next).toBe(3);
      expect(partner.calls.return).toBe(1);
    }
  });
});
