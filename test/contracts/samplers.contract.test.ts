/**
 * The contract every registered sampler keeps: a frozen, named, summarised descriptor; a pure
 * probability function; an epoch order of N valid positions, drawn only from non-empty classes, that
 * depends on the Rng alone and leaves its inputs untouched.
 */
import { describe, expect, it } from 'vitest';
import { createRng } from '../../src/core/rng.js';
import { samplers } from '../../src/streams/samplers/index.js';

const counts = [60, 0, 15, 4, 1];
const labels = Int32Array.from(counts.flatMap((c, y) => new Array<number>(c).fill(y)));
const ctx = { labels, counts, epoch: 3, epochs: 10 };

describe('the sampler registry', () => {
  it('holds the field’s samplers by name', () => {
    expect(samplers.list().map((s) => s.name)).toEqual([
      'instance',
      'class-balanced',
      'class-aware',
      'square-root',
      'progressive',
      'reversed',
      'minority',
      'target-ratio',
      'multi-label',
    ]);
  });

  it('answers a typo with a suggestion', () => {
    expect(() => samplers.get('reverse')).toThrow(/Unknown sampler 'reverse'.*Did you mean 'reversed'\?/);
  });
});

describe.each(samplers.list().map((s) => [s.name, s] as const))('sampler %s', (name, sampler) => {
  it('is a frozen descriptor found by its kebab-case name, with a one-line summary', () => {
    expect(name).toMatch(/^[a-z]+(-[a-z]+)*$/);
    expect(samplers.get(name)).toBe(sampler);
    expect(Object.isFrozen(sampler)).toBe(true);
    expect(sampler.summary.length).toBeGreaterThan(10);
    expect(sampler.summary).not.toContain('\n');
  });

  it('states probabilities that sum to 1, are 0 on empty classes, and are pure', () => {
    const p = sampler.classProbabilities(counts, ctx.epoch, ctx.epochs);
    expect(p).toHaveLength(counts.length);
    expect(p.reduce((s, x) => s + x, 0)).toBeCloseTo(1, 12);
    expect(p[1]).toBe(0);
    expect(p.every((x) => x >= 0)).toBe(true);
    expect(sampler.classProbabilities(counts, ctx.epoch, ctx.epochs)).toEqual(p);
  });

  it('draws N positions in range, none of an empty class', () => {
    const order = sampler.epochOrder(ctx, createRng(1).derive('epoch', 3));
    expect(order).toBeInstanceOf(Int32Array);
    expect(order).toHaveLength(labels.length);
    for (const i of order) {
      expect(i >= 0 && i < labels.length).toBe(true);
      expect(labels[i]).not.toBe(1);
    }
  });

  it('is a function of the Rng and leaves its inputs untouched', () => {
    const labelsBefore = [...labels];
    const countsBefore = [...counts];
    const rng = createRng(7);
    const a = sampler.epochOrder(ctx, rng);
    const b = sampler.epochOrder(ctx, rng);
    expect([...b]).toEqual([...a]);
    expect([...sampler.epochOrder(ctx, createRng(8))]).not.toEqual([...a]);
    expect([...labels]).toEqual(labelsBefore);
    expect([...counts]).toEqual(countsBefore);
  });

  it('handles a dataset with a single class and a single sample', () => {
    const one = { labels: new Int32Array([0]), counts: [1], epoch: 0, epochs: 1 };
    expect(sampler.classProbabilities([1], 0, 1)).toEqual([1]);
    expect([...sampler.epochOrder(one, createRng(0))]).toEqual([0]);
  });
});
