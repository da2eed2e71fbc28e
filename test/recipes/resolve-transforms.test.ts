import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN_CONFIG } from '../../src/recipes/run-config.js';
import { resolveTransforms } from '../../src/recipes/resolve-transforms.js';
import { createRng } from '../../src/core/rng.js';
import { complementaryDistribution } from '../../src/transforms/open-sampling.js';
import { tagged } from '../transforms/fixtures.js';

const setup = { classCounts: [100, 10, 1], normalization: { mean: [0.5], std: [0.25] } };

describe('resolveTransforms', () => {
  it('builds batch operators and paired ones with their second sampler, in order', () => {
    const ops = resolveTransforms(
      { ...DEFAULT_RUN_CONFIG, transforms: [{ name: 'rand-augment', config: {} }, { name: 'cmo', config: {} }] },
      setup,
    );
    expect(ops.map((o) => o.name)).toEqual(['rand-augment', 'cmo']);
    expect('transform' in ops[0]!).toBe(true);
    const cmo = ops[1]!;
    expect('paired' in cmo && cmo.secondSampler.name).toBe('minority');
  });

  it('refuses two operators that mix targets (each expects an unmixed batch), before building anything', () => {
    expect(() =>
      resolveTransforms({ ...DEFAULT_RUN_CONFIG, transforms: [{ name: 'mixup', config: {} }, { name: 'cmo', config: {} }] }, setup),
    ).toThrow('transforms: mixup and cmo each mix targets, and a batch takes one mixing operator; keep one.');
  });

  it('names the transform and field of a bad config', () => {
    expect(() => resolveTransforms({ ...DEFAULT_RUN_CONFIG, transforms: [{ name: 'cmo', config: { probability: 3 } }] }, setup)).toThrow(
      'transforms.0.config.probability: expected a number in [0, 1], got 3.',
    );
    expect(() => resolveTransforms({ ...DEFAULT_RUN_CONFIG, transforms: [{ name: 'mixp', config: {} }] }, setup)).toThrow(
      "Unknown transform 'mixp'",
    );
  });

  it('refuses operators that feed a two-branch model, which a run cannot provide yet', () => {
    expect(() => resolveTransforms({ ...DEFAULT_RUN_CONFIG, transforms: [{ name: 'bilateral-mixup', config: {} }] }, setup)).toThrow(
      "transforms.0: 'bilateral-mixup' mixes the pair of a two-branch run; set dbnMix instead (the dbn-mix recipe), which applies it to the pair stream.",
    );
  });

  it('feeds Open-Sampling generated open-set images: the second batch (instance sampler) is replaced by noise, then relabelled and weighted', () => {
    const [op] = resolveTransforms({ ...DEFAULT_RUN_CONFIG, transforms: [{ name: 'open-sampling', config: {} }] }, setup);
    if (op === undefined || !('paired' in op)) throw new Error('expected a paired operator');
    expect(op.secondSampler.name).toBe('instance');
    const first = tagged(4, 2, 2, 1, [0, 0, 1, 2]);
    const second = tagged(4, 2, 2, 1, [0, 0, 0, 0], 50_000);
    const out = op.paired(first, second, createRng(7));
    expect(out.y).toHaveLength(8);
    expect([...out.x.slice(0, 16)]).toEqual([...first.x]);
    // Not the second batch's images (tagged ≥ 50 000): noise stored as (v − 0.5)/0.25 with v in [0, 1].
    for (const v of out.x.slice(16)) expect(v >= -2 - 1e-6 && v <= 2 + 1e-6).toBe(true);
    expect(out.noise).toBeUndefined();
    // Weights: in-distribution rows N_total/N_in = 2; open rows N_total·η·Γ_ỹ/Σ Γ_ỹ (η = 1).
    const gamma = complementaryDistribution(setup.classCounts);
    const open = [...out.y.slice(4)];
    const mass = open.reduce((s, l) => s + gamma[l]!, 0);
    expect([...out.weight!.slice(0, 4)]).toEqual([2, 2, 2, 2]);
    open.forEach((l, j) => expect(out.weight![4 + j]).toBeCloseTo((8 * gamma[l]!) / mass, 5));
    expect([...op.paired(first, second, createRng(7)).x]).toEqual([...out.x]);
  });
});
