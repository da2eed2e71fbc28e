import { describe, expect, it } from 'vitest';
import { DEFAULT_RUN_CONFIG } from '../../src/recipes/run-config.js';
import { resolveTransforms } from '../../src/recipes/resolve-transforms.js';

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

  it('refuses operators whose second stream a run cannot provide yet', () => {
    expect(() => resolveTransforms({ ...DEFAULT_RUN_CONFIG, transforms: [{ name: 'open-sampling', config: {} }] }, setup)).toThrow(
      /^transforms\.0: 'open-sampling' needs .*, which a training run cannot provide yet\.$/,
    );
  });
});
