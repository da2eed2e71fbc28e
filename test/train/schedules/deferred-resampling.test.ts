import { describe, expect, it } from 'vitest';
import { deferredResampling, samplerAt } from '../../../src/train/schedules/deferred-resampling.js';
import { instanceSampler } from '../../../src/streams/samplers/instance-sampler.js';
import { classBalancedSampler } from '../../../src/streams/samplers/class-balanced-sampler.js';
import { createRng } from '../../../src/core/rng.js';

const counts = [6, 3, 1];
const labels = Int32Array.from([0, 0, 0, 0, 0, 0, 1, 1, 1, 2]);

describe('deferredResampling', () => {
  const config = { before: instanceSampler, after: classBalancedSampler, fromEpoch: 3 };
  const drs = deferredResampling(config);

  it('switches samplers at the given epoch (table of epoch → sampler)', () => {
    expect([0, 1, 2, 3, 4].map((e) => samplerAt(config, e).name)).toEqual(['instance', 'instance', 'instance', 'class-balanced', 'class-balanced']);
    expect(drs.classProbabilities(counts, 2, 5)).toEqual([0.6, 0.3, 0.1]);
    expect(drs.classProbabilities(counts, 3, 5)).toEqual([1 / 3, 1 / 3, 1 / 3]);
  });

  it('draws the same order as the sampler in charge, from the same Rng', () => {
    const rng = createRng(5);
    for (const epoch of [2, 3]) {
      const ctx = { labels, counts, epoch, epochs: 5 };
      expect(Array.from(drs.epochOrder(ctx, rng))).toEqual(Array.from(samplerAt(config, epoch).epochOrder(ctx, rng)));
    }
  });

  it('is named after what it switches to', () => {
    expect(drs.name).toBe('deferred-class-balanced');
    expect(drs.summary).toBe('instance sampling, then class-balanced from epoch 3 (0-based) on');
  });
});
