import { describe, expect, it } from 'vitest';
import { createRegistry, closestName, editDistance } from '../../src/core/registry.js';
import { UserError } from '../../src/core/errors.js';

describe('createRegistry', () => {
  const reg = createRegistry('dataset', [
    { name: 'mnist-lt', summary: 'a' },
    { name: 'fmnist-lt', summary: 'b' },
  ]);

  it('finds entries by name and lists them in order', () => {
    expect(reg.get('fmnist-lt').summary).toBe('b');
    expect(reg.list().map((e) => e.name)).toEqual(['mnist-lt', 'fmnist-lt']);
    expect(reg.has('mnist-lt')).toBe(true);
  });

  it('answers an unknown name with the known names and a suggestion', () => {
    expect(() => reg.get('mnist_lt')).toThrow("Unknown dataset 'mnist_lt'; known: mnist-lt, fmnist-lt. Did you mean 'mnist-lt'?");
    expect(() => reg.get('cifar')).toThrow(UserError);
    expect(() => reg.get('cifar')).toThrow("Unknown dataset 'cifar'; known: mnist-lt, fmnist-lt.");
  });

  it('refuses duplicate names', () => {
    expect(() => createRegistry('x', [{ name: 'a', summary: '' }, { name: 'a', summary: '' }])).toThrow("duplicate x 'a'");
  });

  it('measures edit distance', () => {
    expect(editDistance('kitten', 'sitting')).toBe(3);
    expect(closestName('instnce', ['instance', 'class-balanced'])).toBe('instance');
  });
});
